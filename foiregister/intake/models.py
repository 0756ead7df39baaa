"""Messages received into the FOI mailbox, kept whole until an officer has dealt with them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from foiregister.kernel.models import Organisation
from foiregister.requests.models import Request, RequestEvent


class InboundMessage(models.Model):
    """One email (or public request form) as received: the raw bytes (so nothing is lost and a failure can be
    retried), what was read from it, and what the officer decided.

    The sender's name and address are requester data: private, shown only on staff
    screens of this organisation, copied only into the private requester fields.
    """

    class Status(models.TextChoices):
        FAILED = "failed", "Could not be read"
        NEW_REQUEST = "new_request", "New request to confirm"
        CORRESPONDENCE = "correspondence", "Reply on an open request to confirm"
        LOGGED = "logged", "Logged"
        IGNORED = "ignored", "Ignored"

    class Kind(models.TextChoices):
        NEW_REQUEST = "new_request", "New request"
        CLARIFICATION = "clarification", "Clarification received"
        REVIEW = "review", "Internal review request"
        AUTO_REPLY = "auto_reply", "Automatic reply"

    class Source(models.TextChoices):
        EMAIL = "email", "Email"
        WEB_FORM = "web_form", "Public request form"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.EMAIL,
        help_text="How it reached us: the FOI mailbox, or the public request form.",
    )
    filename = models.CharField(max_length=255)
    raw = models.BinaryField(help_text="The message exactly as received.")
    message_id = models.CharField(max_length=998, blank=True)
    received_at = models.DateTimeField(
        null=True, blank=True, help_text="From the message's Date header."
    )
    subject = models.CharField(max_length=998, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    sender_email = models.EmailField(blank=True)
    sender_address = models.TextField(
        "sender's postal address", blank=True, help_text="Private; from the public request form."
    )
    body = models.TextField(blank=True)
    quoted = models.TextField("quoted earlier messages", blank=True)
    signature = models.TextField(blank=True)
    thread_ids = models.TextField(
        blank=True, help_text="In-Reply-To and References, one per line."
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices, blank=True)
    error = models.TextField(blank=True)
    matched_request = models.ForeignKey(
        Request,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The open request this message belongs to.",
    )
    request = models.ForeignKey(
        Request,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
        help_text="The request this message was logged as or on.",
    )
    event = models.ForeignKey(
        RequestEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    erased_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the requester's details were erased at the end of the retention "
        "period: the message as received and its sender are gone from then on.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "message_id"],
                condition=~models.Q(message_id=""),
                name="inbound_message_once_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.subject or self.filename


class MessageAttachment(models.Model):
    """A file that came with a message; part of the request's case file once logged."""

    message = models.ForeignKey(
        InboundMessage, on_delete=models.PROTECT, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class RequestSketch(models.Model):
    """A few hashes of a request's text (a bottom-k sketch of its word 3-shingles,
    ``matching.sketch``) so that a new request's likely round-robin twins are found by an
    indexed lookup among tens of thousands, before the pure matcher scores the few found."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    hash = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["hash", "organisation"], name="intake_sketch_hash")]
        constraints = [
            models.UniqueConstraint(fields=["request", "hash"], name="intake_sketch_once")
        ]


class RequestWords(models.Model):
    """A request's content words as the question matcher reads them
    (``matching.question_terms`` of its text and questions: stems, synonyms folded), so that
    an earlier request of the organisation asking the same questions in other words is
    found by the words it shares, where the shingle sketch finds only copies that keep runs
    of three words. Derived data, rebuilt with the sketch whenever the text changes.

    ``terms`` holds each word once between spaces (``" insourc clinical spend "``), which
    SQLite (the demo) matches by substring; on PostgreSQL ``vector`` holds the same words
    (``to_tsvector('simple', terms)``: already stemmed, so no language config) behind a GIN
    index. Private like the request itself: read only for the request's own organisation.
    """

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    received_at = models.DateTimeField()
    terms = models.TextField()
    vector = SearchVectorField(
        null=True, help_text="PostgreSQL only; empty on SQLite, which matches ``terms``."
    )

    class Meta:
        verbose_name_plural = "request words"
        indexes = [
            # Created on PostgreSQL only (the migration uses AddIndexOnPostgres).
            GinIndex(fields=["vector"], name="intake_words_gin"),
            # The organisation's newest matches first, as the lookup ranks them.
            models.Index(fields=["organisation", "-received_at"], name="intake_words_newest"),
        ]


class Mailbox(models.Model):
    """An organisation's FOI mailbox, fetched over IMAP by the beat job when enabled.

    The password is never stored here: ``password_env`` names the environment variable
    that holds it, so a database copy carries no mailbox credentials."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=False)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField("TLS", default=True)
    username = models.CharField(max_length=255)
    password_env = models.CharField(
        "password variable",
        max_length=100,
        help_text="Name of the environment variable holding the password.",
    )
    folder = models.CharField(max_length=255, default="INBOX")
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"


class StandardAnswer(models.Model):
    """An organisation's answer to a question it is asked again and again ("list your
    independent-sector imaging contracts"). Offered beside each new question that
    ``matching.question_similarity`` finds close enough; copied only by the officer's click."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(help_text="The recurring question, as it is usually asked.")
    answer = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "question"]

    def __str__(self) -> str:
        return self.question[:80]
