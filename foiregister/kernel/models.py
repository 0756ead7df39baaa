"""The shared kernel's tables: the organisations the install serves, who belongs to them,
and the audit log every app writes.

They belong to the ``foiregister`` app (its label, its migrations and its admin URLs are
unchanged since they were written), but live here, below every app, so contracts and
metrics can refer to an organisation without importing the request register
(docs/adr/0002-shared-kernel.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .references import ReferencePatternError, check_reference_pattern


class Organisation(models.Model):
    """An NHS body the install serves: an ICB, a Trust, or a support unit."""

    class Kind(models.TextChoices):
        ICB = "icb", "Integrated Care Board"
        TRUST = "trust", "NHS Trust / Foundation Trust"
        CSU = "csu", "Commissioning Support Unit"
        OTHER = "other", "Other NHS body"

    name = models.CharField(max_length=200, unique=True)
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    address = models.TextField(blank=True)
    foi_email = models.EmailField("FOI email", blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    internal_review_wording = models.TextField(
        blank=True,
        help_text="The body's own paragraph on asking for an internal review, as it appears "
        "in letters (e.g. 'within two calendar months' or 'within 40 working days').",
    )
    reference_pattern = models.CharField(
        max_length=60,
        default="FOI/{mm}{yy}/{seq}",
        help_text="Placeholders: {yyyy} {yy} {mm} {seq} (zero-padded with {seq:05d}).",
    )
    next_sequence = models.PositiveIntegerField(
        default=1, help_text="The next request number; never reused."
    )
    retention_years = models.PositiveSmallIntegerField(
        "requester retention (years after closure)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="A requester's details are erased this many years after their last request "
        "closed (or its last appeal). The NHS Records Management Code of Practice 2023 sets "
        "three years for FOI requests.",
    )
    officers_issue_routine_letters = models.BooleanField(
        "officers may issue acknowledgements and clarification requests",
        default=False,
        help_text="When ticked, an FOI officer may issue an acknowledgement or a request for "
        "clarification without an FOI lead's approval (the officer's issue is audited as "
        "their own approval). Responses and refusals always need a lead.",
    )
    public_request_form = models.BooleanField(
        "public request form",
        default=False,
        help_text="When ticked, the public disclosure log offers a form for making a request "
        "to this organisation; each request sent lands in the FOI mailbox (intake) to be "
        "confirmed like an email. The requester's details stay private.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organisations", blank=True
    )

    class Meta:
        app_label = "foiregister"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Every form that edits an organisation refuses a reference pattern outside the
        documented placeholders (``kernel.references``)."""
        super().clean()
        try:
            check_reference_pattern(self.reference_pattern)
        except ReferencePatternError as exc:
            raise ValidationError({"reference_pattern": str(exc)}) from exc


class AuditEvent(models.Model):
    """Who changed what, when. Text ids, no foreign keys, so audit never blocks live data
    (job-server's AuditableEvent); written by services in their own transaction."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.CharField(max_length=40, blank=True)
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=300, blank=True)
    organisation_id = models.CharField(max_length=40, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    scrubbed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When a requester's details were erased from this row at the end of their "
        "retention period (the one rewrite an audit row allows; "
        "foiregister.letters.retention).",
    )

    class Meta:
        app_label = "foiregister"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class Heartbeat(models.Model):
    """When a background process last showed it was alive: the Celery worker (every 30
    seconds while it runs) and beat (each time its scheduler ticks). Read by the health
    endpoint (``kernel.health``); one row per process kind, overwritten in place."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "foiregister"

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
