"""Letters to requesters: drafts, approvals and issued letters, and the live blocks answers
draw their figures from.

Models hold data and constraints only; every write goes through ``services``. The one
exception is the immutability guard: an issued letter and its documents refuse to change
or be deleted even if something bypasses the services (a shell, a future admin screen),
because what was sent to a requester is a record that must never move.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from foiregister.kernel.models import Organisation
from foiregister.requests.models import Question, Request

from .exceptions import LetterImmutable


class AnswerWording(models.Model):
    """An organisation's own standard wording for an answer kind, replacing the default.

    Placeholders are a fixed set (``{url}``, ``{sections}``, ...; see
    ``services.WORDING_PLACEHOLDERS``), filled by plain substitution, never template code.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="answer_wordings"
    )
    answer_kind = models.CharField(max_length=12, choices=Question.AnswerKind.choices)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "answer_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "answer_kind"], name="answer_wording_unique_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_answer_kind_display()}"


class QuestionWording(models.Model):
    """The standard wording of one question's answer kind as the officer edited it on the
    workspace: printed instead of the organisation's wording for that kind. Kept per kind,
    so changing the kind brings back the standard wording of the new kind."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    answer_kind = models.CharField(max_length=12, choices=Question.AnswerKind.choices)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "answer_kind"], name="question_wording_unique_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.get_answer_kind_display()}"


class AnswerBlock(models.Model):
    """A live figure or list in a question's answer: a registered block type and its
    parameters. ``reviewed_hash`` is the SHA-256 of the data the officer last looked at, so
    a change in the register since then is flagged before the letter goes out."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="live_blocks")
    position = models.PositiveIntegerField(default=1)
    block_type = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    reviewed_hash = models.CharField(max_length=64, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return f"{self.question} block {self.position}: {self.block_type}"


class BatchIssue(models.Model):
    """Answers of one request copied to others with the same questions, then issued: a
    round robin answered once, across the organisations the starter works for. Each
    organisation's letters are approved by its own FOI lead; the run issues the approved
    ones. Progress is counted as each letter commits."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting for approval"
        DONE = "done", "Done"
        FAILED = "failed", "Finished with failures"

    source_request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="+")
    requests = models.ManyToManyField(Request, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    approve_own = models.BooleanField(
        "approve my organisations' letters",
        default=False,
        help_text="The starter, an FOI lead, approves the letters of the organisations they "
        "lead as the batch drafts them; every other letter waits for its own lead.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "batch issue"

    def __str__(self) -> str:
        # Not the source's reference: the batch is listed, and audited, for every body whose
        # requests it answers, and another body's reference is not theirs to read.
        return f"Batch {self.pk} ({self.done}/{self.total})"


class LetterQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if (
            set(kwargs) - Letter.MUTABLE_AFTER_ISSUE
            and self.filter(status=Letter.Status.ISSUED).exists()
        ):
            raise LetterImmutable("an issued letter cannot be changed")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=Letter.Status.ISSUED).exists():
            raise LetterImmutable("an issued letter cannot be deleted")
        return super().delete()


class Letter(models.Model):
    """One letter to a requester. Drafted, approved by an FOI lead (who approves the exact
    content, by its hash), then issued: from then on it never changes."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
        CLARIFICATION = "clarification", "Clarification request"
        FEES_NOTICE = "fees_notice", "Fees notice"
        RESPONSE = "response", "Response"
        REFUSAL_NOTICE = "refusal_notice", "Refusal notice"
        REVIEW_OUTCOME = "review_outcome", "Internal review outcome"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        ISSUED = "issued", "Issued"
        DISCARDED = "discarded", "Discarded"

    #: A request has at most one open letter of each kind (a draft or an approved letter
    #: not yet issued); issued and discarded letters stay as its history.
    OPEN_STATUSES = (Status.DRAFT, Status.APPROVED)

    # Delivery facts that may be recorded after issue; the letter itself never changes.
    MUTABLE_AFTER_ISSUE = frozenset({"emailed_at"})

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    body = models.TextField(
        blank=True,
        help_text="Letter-specific text: what needs clarifying, the fee calculation, the "
        "review's reasoning, or a note before the answers.",
    )
    fee_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    pit_estimate_on = models.DateField(
        "public interest decision expected by",
        null=True,
        blank=True,
        help_text="Refusal notice under s.17(2): the estimate of when the public interest "
        "decision will be made (s.10(3)).",
    )
    review_decision = models.CharField(
        max_length=12,
        blank=True,
        default="",
        choices=[("upheld", "Upheld"), ("overturned", "Overturned"), ("partly", "Partly upheld")],
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The issued letter this one corrects.",
    )
    batch = models.ForeignKey(
        BatchIssue, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_hash = models.CharField(max_length=64, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_on = models.DateField(null=True, blank=True, editable=False)
    content = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="At issue: the rendered answers and the frozen value of every live block, "
        "without any requester detail.",
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    discarded_at = models.DateTimeField(null=True, blank=True, editable=False)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["request", "created_at", "id"]
        permissions = [("approve_letter", "Can approve a letter for issue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "discarded"])
                | (Q(approved_at__isnull=False) & ~Q(approved_hash="")),
                name="letter_approved_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued")
                | (Q(issued_at__isnull=False) & Q(issued_on__isnull=False) & ~Q(content_hash="")),
                name="letter_issued_has_issue_record",
            ),
            models.CheckConstraint(
                condition=~Q(status="discarded") | Q(discarded_at__isnull=False),
                name="letter_discarded_has_when",
            ),
            models.UniqueConstraint(
                fields=["batch", "request"],
                condition=Q(batch__isnull=False),
                name="letter_once_per_batch_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.get_kind_display().lower()}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = Letter.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            update_fields = kwargs.get("update_fields")
            if stored == self.Status.ISSUED and not (
                update_fields is not None and set(update_fields) <= self.MUTABLE_AFTER_ISSUE
            ):
                raise LetterImmutable(f"{self} was issued and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Letter.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists():
            raise LetterImmutable(f"{self} was issued and cannot be deleted")
        return super().delete(*args, **kwargs)


class LetterComment(models.Model):
    """One turn of the conversation about a letter between the officer and the lead: a
    return with what to change, a reply, or the approval. Written by ``services`` only,
    never changed (the audit log has the same turn)."""

    class Kind(models.TextChoices):
        RETURNED = "returned", "Returned to the officer"
        COMMENT = "comment", "Comment"
        APPROVED = "approved", "Approved"
        DISCARDED = "discarded", "Discarded"

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="comments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter", "at", "id"]

    def __str__(self) -> str:
        return f"{self.letter}: {self.get_kind_display().lower()}"


class LetterDocumentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LetterImmutable("an issued letter's documents cannot be changed")

    def erase_requester_copies(self, *, on) -> int:
        """Empty the requester's copies among these documents and mark them erased: the one
        change an issued letter's documents allow, made only by the retention service
        (``foiregister.letters.retention``) once the requester's retention period has ended.
        The database trigger (migration 0003) allows exactly this and nothing else; the
        anonymised copy, the file name, size and SHA-256 stay."""
        copies = self.filter(variant=LetterDocument.Variant.REQUESTER, erased_on__isnull=True)
        return models.QuerySet.update(copies, data=b"", erased_on=on)

    def delete(self):
        raise LetterImmutable("an issued letter's documents cannot be deleted")


class LetterDocument(models.Model):
    """The PDF of an issued letter, in one of its two versions. Stored in the database so
    it commits, or not, with the letter it belongs to: a batch that fails part-way never
    leaves a file without its letter or a letter without its file."""

    class Variant(models.TextChoices):
        REQUESTER = "requester", "Requester's copy"
        PUBLIC = "public", "Anonymised copy for publication"

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="documents")
    variant = models.CharField(max_length=10, choices=Variant.choices)
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40, default="application/pdf")
    data = models.BinaryField()
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    erased_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The requester's copy only: when it was emptied at the end of the retention "
        "period. The SHA-256 and size still say what was sent.",
    )

    objects = LetterDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["letter", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "variant"], name="letter_document_unique")
        ]

    def __str__(self) -> str:
        return self.filename

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LetterImmutable(f"{self.filename} is part of an issued letter")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LetterImmutable(f"{self.filename} is part of an issued letter")


class RequestDueForErasure(Request):
    """The request register seen from records management: closed requests whose requester's
    details have reached the end of the retention period. A proxy, so the FOI lead's screen
    is an ordinary scoped admin list with a bulk action."""

    class Meta:
        proxy = True
        verbose_name = "request due for requester erasure"
        verbose_name_plural = "requests due for requester erasure"
