"""The FOI request register's tables.

Models hold data and constraints only; every write goes through ``services`` (which audits
it) and every read that needs a rule through ``selectors``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from foiregister.kernel.models import Organisation


class Department(models.Model):
    """A team asked to contribute to answers (e.g. Contracting, Planned Care)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Requester(models.Model):
    """Who asked. Private: never on a public page, in the API, a published PDF or a URL."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "Member of the public"
        JOURNALIST = "journalist", "Journalist"
        MP = "mp", "MP"
        COMPANY = "company", "Company"
        CAMPAIGN = "campaign", "Campaign group"
        RESEARCHER = "researcher", "Researcher"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="requesters"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    postal_address = models.TextField(blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PUBLIC)
    erased_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the retention period ended and these details were erased; the kind "
        "is kept for the statistics.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProclaimedHoliday(models.Model):
    """A bank holiday proclaimed under BFDA 1971 s.1(3) after the ``holidays`` package was
    released. Adding one recomputes the due dates of every open request."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=200)
    nations = models.CharField(
        max_length=20,
        default="ENG,WLS,SCT,NIR",
        help_text="Comma-separated: ENG, WLS, SCT, NIR. Any nation makes it a non-working "
        "day for FOI; SAR deadlines use England and Wales days only.",
    )
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.name}"


class Exemption(models.Model):
    """A FOIA / EIR exemption, e.g. ``s43_2`` (commercial interests, qualified)."""

    code = models.CharField(max_length=12, unique=True)
    section = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    absolute = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.section} {self.title}"


class Request(models.Model):
    """An information request (FOI, EIR or subject access) and its statutory clock."""

    class Regime(models.TextChoices):
        FOI = "foi", "FOI"
        EIR = "eir", "EIR"
        SAR = "sar", "SAR"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        POST = "post", "Post"
        WEB_FORM = "web_form", "Web form"
        WHATDOTHEYKNOW = "wdtk", "WhatDoTheyKnow"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        IN_PROGRESS = "in_progress", "In progress"
        AWAITING_CLARIFICATION = "awaiting_clarification", "Awaiting clarification"
        AWAITING_FEE = "awaiting_fee", "Awaiting fee"
        PIT_EXTENDED = "pit_extended", "Extended for the public interest test"
        IN_APPROVAL = "in_approval", "In approval"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"
        LAPSED = "lapsed", "Lapsed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DUPLICATE = "duplicate", "Closed: duplicate of another request"

    class Outcome(models.TextChoices):
        NOT_YET = "", "Not yet responded"
        GRANTED = "granted", "Granted in full"
        PARTIAL = "partial", "Partially withheld"
        WITHHELD = "withheld", "Withheld in full"
        NOT_HELD = "not_held", "Information not held"
        REFUSED_COST = "refused_s12", "Refused: cost limit (s.12)"
        REFUSED_VEXATIOUS = "refused_s14", "Refused: vexatious or repeated (s.14)"
        REFUSED_REPEATED = "refused_rep", "Refused: repeated (s.14(2))"
        LAPSED = "lapsed", "Lapsed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.AWAITING_CLARIFICATION,
        Status.AWAITING_FEE,
        Status.PIT_EXTENDED,
        Status.IN_APPROVAL,
    )

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="requests"
    )
    reference = models.CharField(max_length=60, unique=True, editable=False)
    regime = models.CharField(max_length=3, choices=Regime.choices, default=Regime.FOI)
    received_at = models.DateTimeField(help_text="When it arrived (Europe/London).")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    title = models.CharField(max_length=300)
    body = models.TextField("full text", blank=True)
    requester = models.ForeignKey(
        Requester,
        on_delete=models.PROTECT,
        related_name="requests",
        null=True,
        blank=True,
        help_text="Empty only for a request imported from an earlier FOI log.",
    )
    requester_kind = models.CharField(
        max_length=12,
        choices=Requester.Kind.choices,
        blank=True,
        default="",
        editable=False,
        help_text="An imported request's kind of requester (it has no requester).",
    )
    imported = models.BooleanField(
        default=False,
        editable=False,
        help_text="Brought in by import_requests from an earlier FOI log; never published by it.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    allocated_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.RECEIVED, editable=False
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True, default="")
    topic = models.CharField(max_length=100, blank=True)
    s12_estimate_hours = models.DecimalField(
        "s.12 estimate (hours)",
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Estimated hours still needed to determine, locate, retrieve and extract.",
    )
    # The clock, computed from the timeline by services.recompute_due_dates and stored so
    # lists sort and filter in the database.
    clock_started_on = models.DateField(null=True, editable=False)
    statutory_due_on = models.DateField(null=True, editable=False)
    extended_due_on = models.DateField(null=True, editable=False)
    due_on = models.DateField(null=True, editable=False, db_index=True)
    responded_on = models.DateField(null=True, editable=False)
    review_window_closes_on = models.DateField(null=True, editable=False)
    review_due_on = models.DateField(null=True, editable=False)
    review_decided_on = models.DateField(null=True, editable=False)
    ico_compliance_due_on = models.DateField(
        "ICO decision notice: comply by", null=True, editable=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="reviewed_requests",
        help_text="Who carries out the internal review: not the original response's "
        "assignee, approver or signatory.",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="duplicates",
        help_text="The request this one repeats, logged twice; this one is closed, not deleted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"]),
            models.Index(fields=["assignee", "status"]),
            # The statistics select a period of receipt per organisation.
            models.Index(fields=["organisation", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(responded_on__isnull=True)
                | Q(clock_started_on__isnull=True)
                | Q(responded_on__gte=models.F("clock_started_on")),
                name="request_response_not_before_receipt",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Question(models.Model):
    """A numbered question of a request, with its answer."""

    class AnswerKind(models.TextChoices):
        PENDING = "", "Not yet answered"
        PROVIDED = "provided", "Provided"
        NOT_HELD = "not_held", "Not held"
        ELSEWHERE = "elsewhere", "Available elsewhere (s.21)"
        EXEMPT = "exempt", "Exempt"
        REFUSED_S12 = "refused_s12", "Refused (s.12 cost limit)"
        REFUSED_S14 = "refused_s14", "Refused (s.14 vexatious or repeated)"
        NO_PLANS = "no_plans", "No plans / nil return"

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="questions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    answer = models.TextField(blank=True)
    answer_kind = models.CharField(
        max_length=12, choices=AnswerKind.choices, blank=True, default=""
    )
    elsewhere_url = models.URLField("link (s.21)", blank=True)
    exemptions = models.ManyToManyField(Exemption, blank=True)
    public_interest_reasoning = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="question_unique_number")
        ]

    def __str__(self) -> str:
        return f"Q{self.number}"


class RequestEvent(models.Model):
    """A dated step on a request's timeline; the due dates are computed from these."""

    class Kind(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledgement sent"
        CLARIFICATION_SOUGHT = "clarification_sought", "Clarification sought"
        CLARIFICATION_RECEIVED = "clarification_received", "Clarification received"
        FEES_NOTICE = "fees_notice", "Fees notice given"
        FEE_PAID = "fee_paid", "Fee received"
        PIT_EXTENSION = "pit_extension", "Public interest test extension"
        EIR_EXTENSION = "eir_extension", "EIR extension (complex and voluminous)"
        SAR_EXTENSION = "sar_extension", "SAR extension (two further months)"
        RESPONSE_SENT = "response_sent", "Response sent"
        REVIEW_REQUESTED = "review_requested", "Internal review requested"
        REVIEW_DECIDED = "review_decided", "Internal review decided"
        ICO_COMPLAINT = "ico_complaint", "ICO complaint"
        ICO_DECISION = "ico_decision", "ICO decision notice"
        WITHDRAWN = "withdrawn", "Withdrawn by requester"
        LAPSED = "lapsed", "Lapsed"
        CLOSED = "closed", "Closed"

    class ReviewDecision(models.TextChoices):
        NONE = "", "-"
        UPHELD = "upheld", "Upheld"
        OVERTURNED = "overturned", "Overturned"
        PARTLY = "partly", "Partly upheld"

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    occurred_on = models.DateField()
    details = models.TextField(blank=True)
    target_on = models.DateField(
        null=True,
        blank=True,
        help_text="PIT extension: the estimate given to the requester. ICO decision notice: "
        "the compliance date when the notice sets one (otherwise 35 calendar days).",
    )
    decision = models.CharField(
        max_length=12, choices=ReviewDecision.choices, blank=True, default=""
    )
    fee_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    reference = models.CharField(
        max_length=60, blank=True, help_text="ICO complaint or decision notice: its reference."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        # The statistics read each request's first or last event of a kind up to a date.
        indexes = [models.Index(fields=["request", "kind", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%d %b %Y}"


class Contribution(models.Model):
    """A department asked for the answers to some of a request's questions."""

    class Status(models.TextChoices):
        ASKED = "asked", "Asked"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Nothing held / not ours"

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="contributions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT)
    questions = models.ManyToManyField(Question, blank=True)
    asked_on = models.DateField()
    internal_due_on = models.DateField(
        blank=True, help_text="Default: 10 working days before the statutory due date."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)
    answer = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    # The department's own page (a signed, expiring link emailed to its contact): its
    # answer to each question, by question number, and when it was sent and chased.
    answers = models.JSONField(default=dict, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    chased_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the officer took the department's answer into the response.",
    )

    class Meta:
        ordering = ["internal_due_on"]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_status_display()})"


class TimeEntry(models.Model):
    """Time spent on a request by one person. Only the four s.12 activities count toward the
    appropriate limit (Fees Regulations 2004, reg 4(3))."""

    class Activity(models.TextChoices):
        DETERMINING = "determining", "Determining whether held (s.12)"
        LOCATING = "locating", "Locating (s.12)"
        RETRIEVING = "retrieving", "Retrieving (s.12)"
        EXTRACTING = "extracting", "Extracting (s.12)"
        REDACTING = "redacting", "Redacting / considering exemptions"
        DRAFTING = "drafting", "Drafting and approval"

    S12_ACTIVITIES = (
        Activity.DETERMINING,
        Activity.LOCATING,
        Activity.RETRIEVING,
        Activity.EXTRACTING,
    )

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="time_entries")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    worked_on = models.DateField()
    activity = models.CharField(max_length=12, choices=Activity.choices)
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(0.01)]
    )

    class Meta:
        ordering = ["worked_on"]
        verbose_name_plural = "time entries"

    def __str__(self) -> str:
        """A readable line: who, when, how long, on what (not "TimeEntry object (1)")."""
        who = getattr(self.person, "get_full_name", lambda: "")() or self.person
        hours = f"{Decimal(self.hours).normalize():f}"
        return f"{who}, {self.worked_on:%d %b %Y}, {hours} h, {self.get_activity_display()}"


class RequestLink(models.Model):
    """Two requests that belong together; shown on both."""

    class Kind(models.TextChoices):
        SAME_REQUESTER = "same_requester", "Same requester"
        REPEATED = "repeated", "Repeated request"
        ROUND_ROBIN = "round_robin", "Same round robin"
        RELATED = "related", "Related"

    from_request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="links_out")
    to_request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_request", "to_request"], name="request_link_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_request=models.F("to_request")), name="request_link_not_self"
            ),
        ]


class DeadlineRecomputation(models.Model):
    """One run of "recompute every open request's due dates", queued when the holiday table
    changes and worked in Celery, with progress an administrator can watch."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    reason = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Recompute due dates ({self.reason})"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.done / (self.total or 1))


class ReminderRound(models.Model):
    """The day's deadline reminders, sent: one row per working day, written in the same
    transaction as the sending. Beat offers the job every hour of the working day, so a
    broker or mail server that is down at seven sends the day's reminders when it is back,
    and the row makes every later offer that day a no-op: once, never twice or never."""

    day = models.DateField(unique=True)
    sent = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Deadline reminders of {self.day:%d %b %Y}: {self.sent} sent"


class ImportJob(models.Model):
    """One uploaded FOI log: stored with the job (not the session), checked (in Celery when
    large), then committed in Celery; its page shows progress to the organisation's FOI
    leads. The same life as the contract registers' import jobs."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "FOI log import"

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
