"""The disclosure log: responses an FOI lead has published, and what was checked first.

A published entry keeps its own copy of what was checked (title, questions, answers,
exemptions), so a later edit to the request never reaches the public without a new check;
the public reaches entries only through ``selectors.public_disclosure_log()``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q

from foiregister.kernel.models import Organisation
from foiregister.letters.models import LetterDocument
from foiregister.requests.models import Request

PUBLIC_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_public_id() -> str:
    """An opaque id for the public URL: random, so it reveals neither the request's primary
    key, its reference sequence nor how many requests were not published."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(12))


class DisclosureLogEntry(models.Model):
    """A response published to the disclosure log. Created only by
    ``services.publish_response``; withdrawn, never deleted."""

    request = models.OneToOneField(
        Request, on_delete=models.PROTECT, related_name="disclosure_entry"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="disclosure_entries"
    )
    reference = models.CharField(max_length=60)
    title = models.CharField("public title", max_length=300)
    summary = models.TextField(blank=True)
    topic = models.CharField(max_length=100, blank=True, db_index=True)
    regime = models.CharField(max_length=3, choices=Request.Regime.choices)
    outcome = models.CharField(max_length=12, choices=Request.Outcome.choices, blank=True)
    received_on = models.DateField()
    responded_on = models.DateField(null=True, blank=True)
    questions = models.JSONField(
        default=list,
        help_text="As published: [{number, text, answer, answer_kind, answer_kind_label, "
        "elsewhere_url, exemptions: [{code, section, title}]}].",
    )
    answers_text = models.TextField(
        blank=True,
        help_text="The answers as the published letter gives them (the officer's text, the "
        "standard wording and every live block's frozen content), as plain text, for search.",
    )
    search_document = models.TextField(
        blank=True, help_text="Title, summary, questions and answers, for search."
    )
    published_at = models.DateTimeField(db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    response_document = models.ForeignKey(
        LetterDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The anonymised response letter a lead checked and published. A later "
        "correction replaces it only when a lead publishes the correction.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = "disclosure log entry"
        verbose_name_plural = "disclosure log entries"
        permissions = [
            ("publish_response", "Can publish a response to the disclosure log"),
        ]
        indexes = [
            models.Index(fields=["organisation", "-published_at"]),
            # The public list's order, live entries only: page 1 is an index range scan.
            models.Index(
                fields=["-published_at", "-id"],
                name="disclosure_live_order",
                condition=Q(withdrawn_at__isnull=True),
            ),
            # The public list's order, newest response first (PostgreSQL only, migration 0009:
            # SQLite indexes no NULLS LAST).
            models.Index(
                F("responded_on").desc(nulls_last=True),
                F("published_at").desc(),
                F("id").desc(),
                name="disclosure_live_responded",
                condition=Q(withdrawn_at__isnull=True),
            ),
            # The topic filter in list order, and the topic list's skip scan.
            models.Index(
                fields=["topic", "-published_at", "-id"],
                name="disclosure_live_topic",
                condition=Q(withdrawn_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="disclosure_withdrawn_at_and_by",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None

    @property
    def download_stem(self) -> str:
        """File names come from the reference alone, never from anything about the
        requester."""
        return self.reference.replace("/", "-")


class SearchIndexEntry(models.Model):
    """The disclosure log's full-text index: one narrow row per live entry, holding its
    stored, weighted vector and the columns the public filters use.

    Ranking a broad search reads every match's vector; read from the entry's own row (the
    questions, answers and search text, about 3 kB) 20,000 matches spread over 13,000
    pages, from here (about 400 bytes) over 5,000, which is what brought such a search
    under 100 ms with 100,000 responses. Written only by the publish and withdraw services,
    in their transaction: a withdrawn entry has no row, so the index holds exactly what the
    public gate lets through, and a search counts nothing else.
    """

    entry = models.OneToOneField(
        DisclosureLogEntry,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_index",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.CharField(max_length=100, blank=True)
    regime = models.CharField(max_length=3)
    outcome = models.CharField(max_length=12, blank=True)
    published_at = models.DateTimeField()
    vector = SearchVectorField(
        null=True,
        help_text="Weighted: title A, summary and questions B, answers C. PostgreSQL only; "
        "empty on SQLite (the demo run), which matches substrings of the entry's text.",
    )

    class Meta:
        verbose_name = "search index entry"
        verbose_name_plural = "search index entries"
        indexes = [
            # Created on PostgreSQL only (migration 0004 uses AddIndexOnPostgres).
            GinIndex(fields=["vector"], name="disclosure_search_index_gin"),
            # A broad search's newest matches, walked in publication order.
            models.Index(fields=["-published_at", "-entry"], name="disclosure_search_newest"),
        ]

    def __str__(self) -> str:
        return f"search index of entry {self.entry_id}"


class PrivateName(models.Model):
    """A person the organisation lists as private: the personal-data check reports their
    name wherever it appears in a response about to be published (for example staff below
    the grade the organisation names publicly, or a patient in the news). Added and
    removed by an FOI lead of the organisation, audited."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="private_names"
    )
    name = models.CharField(max_length=200)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, for the next lead.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = "private name"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="private_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AcceptedFinding(models.Model):
    """A personal-data finding an FOI lead decided may be published as it is (for example a
    named director's work email). Matched by fingerprint: a changed text is a new finding."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)
    location = models.CharField(max_length=300)
    match = models.TextField()
    reason = models.TextField(blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["accepted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "fingerprint"], name="accepted_finding_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.location}"


class PublishedAttachment(models.Model):
    """A file published with a response (a spreadsheet of figures, a policy). It belongs to
    the request until a lead publishes it (with the response, or later) and is public only
    while the request's disclosure log entry is. Stored in the database, like issued letters, so it commits or
    not with the check that cleared it, and is served only through the public gate."""

    class CheckState(models.TextChoices):
        CHECKED = "checked", "Checked"
        UNCHECKABLE = "uncheckable", "Cannot be checked"

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="attachments")
    position = models.PositiveIntegerField()
    filename = models.CharField(max_length=200, help_text="As uploaded; not shown publicly.")
    title = models.CharField("public title", max_length=200)
    content_type = models.CharField(max_length=100)
    data = models.BinaryField()
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    check_state = models.CharField(max_length=12, choices=CheckState.choices)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    override_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a lead published it, after the check: with the response, or later.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "position"], name="published_attachment_position"
            ),
            models.CheckConstraint(
                condition=Q(override_at__isnull=True, override_by__isnull=True)
                | Q(override_at__isnull=False, override_by__isnull=False),
                name="published_attachment_override_at_and_by",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        dot = self.filename.rfind(".")
        return self.filename[dot:].lower() if dot >= 0 else ""

    @property
    def may_publish(self) -> bool:
        return self.check_state == self.CheckState.CHECKED or self.override_at is not None


class OrganisationExport(models.Model):
    """Everything an organisation holds, as files in one zip, for leaving the system: run
    by its FOI lead in Celery (``foiregister.letters.export``), progress counted as it
    goes. Requesters' details and their copies of letters are in it only when asked for."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    include_requesters = models.BooleanField(
        "include requesters' details",
        default=False,
        help_text="Requesters' names and contact details, and their copies of letters. "
        "Leave unticked unless the receiving body needs them and may hold them.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/", blank=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "organisation export"

    def __str__(self) -> str:
        return f"Export {self.pk} of {self.organisation}"
