"""The audit history: one table, written explicitly by services in their transaction.

Chosen over signal-based history (django-simple-history, django-auditlog) for the reason the
NHS breast screening service gives in its ADR-004: signals miss bulk updates and raw SQL, and
we want bulk operations (a holiday recompute, an import) audited too. Rows carry text ids,
never foreign keys, so audit never blocks live data.

One shape for every app (docs/adr, "explicit audit"):

- ``action`` is a member of ``AuditAction``; any other string is refused, so the admin's
  filter and an investigator's query know every action there is.
- ``by`` names who did it: a user, or a ``SystemActor`` for scheduled and background work
  (``system("celery beat: contract expiry warnings")``), recorded as ``system: ...``. None
  is refused: a row that cannot say who or what acted is no use in an investigation.
- every ``changes`` value passes through ``plain``, the one normaliser, so a date, a sum of
  money or a related row reads the same whichever app wrote it.

The table itself refuses UPDATE and DELETE (database triggers, migration
``foiregister.0004_audit_log_append_only``): a row, once written, stays as written.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.base import File
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

from .models import AuditEvent


class AuditAction(models.TextChoices):
    """Every action an audit row may record, ``<what>.<verb>``."""

    # Requests, questions and their clock (foiregister.requests.services)
    REQUEST_LOGGED = "request.logged"
    REQUEST_CHANGED = "request.changed"
    REQUEST_STATUS = "request.status"
    REQUEST_LINKED = "request.linked"
    REQUEST_TIME_LOGGED = "request.time_logged"
    REQUEST_TIME_CORRECTED = "request.time_corrected"
    REQUEST_DATES_RECOMPUTED = "request.dates_recomputed"
    REQUEST_IMPORTED = "request.imported"
    REQUEST_IMPORT_UPDATED = "request.import_updated"
    QUESTION_ADDED = "question.added"
    QUESTION_CHANGED = "question.changed"
    CONTRIBUTION_ASKED = "contribution.asked"
    CONTRIBUTION_ANSWERED = "contribution.answered"
    CONTRIBUTION_CHANGED = "contribution.changed"
    REQUESTER_CREATED = "requester.created"
    REQUESTER_CHANGED = "requester.changed"
    HOLIDAY_ADDED = "holiday.added"
    HOLIDAY_REMOVED = "holiday.removed"
    # A timeline event: ``request.event.<RequestEvent.Kind>``
    REQUEST_EVENT_ACKNOWLEDGED = "request.event.acknowledged"
    REQUEST_EVENT_CLARIFICATION_SOUGHT = "request.event.clarification_sought"
    REQUEST_EVENT_CLARIFICATION_RECEIVED = "request.event.clarification_received"
    REQUEST_EVENT_FEES_NOTICE = "request.event.fees_notice"
    REQUEST_EVENT_FEE_PAID = "request.event.fee_paid"
    REQUEST_EVENT_PIT_EXTENSION = "request.event.pit_extension"
    REQUEST_EVENT_EIR_EXTENSION = "request.event.eir_extension"
    REQUEST_EVENT_SAR_EXTENSION = "request.event.sar_extension"
    REQUEST_EVENT_RESPONSE_SENT = "request.event.response_sent"
    REQUEST_EVENT_REVIEW_REQUESTED = "request.event.review_requested"
    REQUEST_EVENT_REVIEW_DECIDED = "request.event.review_decided"
    REQUEST_EVENT_ICO_COMPLAINT = "request.event.ico_complaint"
    REQUEST_EVENT_ICO_DECISION = "request.event.ico_decision"
    REQUEST_EVENT_WITHDRAWN = "request.event.withdrawn"
    REQUEST_EVENT_LAPSED = "request.event.lapsed"
    REQUEST_EVENT_CLOSED = "request.event.closed"
    # The officer's day (issue 13): reviewers, duplicates, reassignment, contributions
    REQUEST_REVIEWER_ASSIGNED = "request.reviewer_assigned"
    REQUEST_MARKED_DUPLICATE = "request.marked_duplicate"
    REQUEST_REASSIGNED = "request.reassigned"
    CONTRIBUTION_EMAILED = "contribution.emailed"
    CONTRIBUTION_CHASED = "contribution.chased"
    CONTRIBUTION_ACCEPTED = "contribution.accepted"
    # The FOI mailbox (foiregister.intake.services)
    INTAKE_MESSAGE_RECEIVED = "intake.message_received"
    INTAKE_MESSAGE_FAILED = "intake.message_failed"
    INTAKE_MESSAGE_LOGGED = "intake.message_logged"
    INTAKE_MESSAGE_IGNORED = "intake.message_ignored"
    INTAKE_WEB_REQUEST_RECEIVED = "intake.web_request_received"
    STANDARD_ANSWER_SAVED = "intake.standard_answer_saved"
    STANDARD_ANSWER_USED = "intake.standard_answer_used"
    # Letters (foiregister.letters.services)
    LETTER_DRAFTED = "letter.drafted"
    LETTER_CHANGED = "letter.changed"
    LETTER_APPROVED = "letter.approved"
    LETTER_APPROVAL_WITHDRAWN = "letter.approval_withdrawn"
    LETTER_ISSUED = "letter.issued"
    LETTER_EMAILED = "letter.emailed"
    LETTER_NOT_EMAILED = "letter.not_emailed"
    LETTER_BLOCK_ADDED = "letter.block_added"
    LETTER_BLOCK_CHANGED = "letter.block_changed"
    LETTER_BLOCK_REMOVED = "letter.block_removed"
    LETTER_BLOCK_REVIEWED = "letter.block_reviewed"
    LETTER_WORDING_SET = "letter.wording_set"
    LETTER_BATCH_STARTED = "letter.batch_started"
    LETTER_BATCH_DRAFTED = "letter.batch_drafted"
    LETTER_BATCH_FINISHED = "letter.batch_finished"
    LETTER_RETURNED = "letter.returned"
    LETTER_COMMENTED = "letter.commented"
    LETTER_DISCARDED = "letter.discarded"
    LETTER_EMAIL_FAILED = "letter.email_failed"
    LETTER_ANSWER_TAKEN = "letter.answer_taken"
    # Disclosure log (foiregister.disclosure.services)
    DISCLOSURE_PRIVATE_NAME_ADDED = "disclosure.private_name_added"
    DISCLOSURE_PRIVATE_NAME_REMOVED = "disclosure.private_name_removed"
    DISCLOSURE_FINDING_ACCEPTED = "disclosure.finding_accepted"
    DISCLOSURE_ATTACHMENT_ADDED = "disclosure.attachment_added"
    DISCLOSURE_ATTACHMENT_REMOVED = "disclosure.attachment_removed"
    DISCLOSURE_ATTACHMENT_OVERRIDE = "disclosure.attachment_override"
    DISCLOSURE_PUBLISHED = "disclosure.published"
    DISCLOSURE_REPUBLISHED = "disclosure.republished"
    DISCLOSURE_WITHDRAWN = "disclosure.withdrawn"
    DISCLOSURE_ATTACHMENT_FLATTENED = "disclosure.attachment_flattened"
    # Records management (foiregister.letters.retention)
    REQUESTER_ERASED = "requester.erased"
    REQUEST_REQUESTER_ERASED = "request.requester_erased"
    LETTER_REQUESTER_COPY_ERASED = "letter.requester_copy_erased"
    DISCLOSURE_CHANGES_PUBLISHED = "disclosure.changes_published"
    # An organisation's own settings (foiregister.kernel.admin)
    ORGANISATION_CHANGED = "organisation.changed"
    # Staff and sign-in (foiregister.kernel.staff, foiregister.kernel.signin)
    STAFF_MEMBER_ADDED = "staff.member_added"
    STAFF_MEMBER_REMOVED = "staff.member_removed"
    STAFF_ROLE_GRANTED = "staff.role_granted"
    STAFF_ROLE_REVOKED = "staff.role_revoked"
    STAFF_ACCOUNT_CHANGED = "staff.account_changed"
    STAFF_PASSWORD_RESET_SENT = "staff.password_reset_sent"
    SIGNIN_SECOND_FACTOR_ENROLLED = "signin.second_factor_enrolled"
    SIGNIN_BACKUP_CODES_ISSUED = "signin.backup_codes_issued"
    SIGNIN_SECOND_FACTOR_SET_UP = "signin.second_factor_set_up"
    # Registers (contracts.services, contracts.imports)
    SUPPLIER_CREATED = "supplier.created"
    SUPPLIER_UPDATED = "supplier.updated"
    CONTRACT_CREATED = "contract.created"
    CONTRACT_UPDATED = "contract.updated"
    CONTRACT_EXTENSION = "contract.extension"
    CONTRACT_VARIATION = "contract.variation"
    CONTRACT_TERMINATION = "contract.termination"
    CONTRACT_EXPIRY_WARNING_SENT = "contract.expiry_warning_sent"
    SPEND_CREATED = "spend.created"
    SPEND_UPDATED = "spend.updated"
    PLANNED_PROCUREMENT_CREATED = "planned_procurement.created"
    PLANNED_PROCUREMENT_UPDATED = "planned_procurement.updated"
    CDC_CREATED = "cdc.created"
    CDC_UPDATED = "cdc.updated"
    CDC_MODALITY_CREATED = "cdc_modality.created"
    CDC_MODALITY_UPDATED = "cdc_modality.updated"
    CDC_ACTIVITY_CREATED = "cdc_activity.created"
    CDC_ACTIVITY_UPDATED = "cdc_activity.updated"
    IMAGING_PROFILE_CREATED = "imaging_profile.created"
    IMAGING_PROFILE_UPDATED = "imaging_profile.updated"
    # Metrics (metrics.services)
    METRICS_DATASET_UPLOAD = "metrics.dataset.upload"
    METRICS_RUN_CREATE = "metrics.run.create"
    METRICS_RUN_COMPLETE = "metrics.run.complete"
    METRICS_RUN_FAIL = "metrics.run.fail"
    METRICS_RUN_STALE = "metrics.run.stale"
    # An organisation's export of everything it holds (foiregister.letters.export)
    EXPORT_STARTED = "export.started"
    EXPORT_FINISHED = "export.finished"
    EXPORT_DOWNLOADED = "export.downloaded"


class AuditError(ValueError):
    """An audit row that would not say what was done, or by whom."""


@dataclasses.dataclass(frozen=True)
class SystemActor:
    """Work nobody clicked: a Celery beat job, a background task, a command run without a
    user. ``name`` says which, so the row still answers "who or what did this"."""

    name: str
    pk = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise AuditError("a system actor needs a name saying which job it is")

    def get_username(self) -> str:
        return f"system: {self.name}"

    def __str__(self) -> str:
        return self.get_username()


def system(name: str) -> SystemActor:
    """The actor for a job, e.g. ``system("celery beat: deadline reminders")``."""
    return SystemActor(name)


def user_or_none(by: Any) -> Any:
    """``by`` for a ``*_by`` foreign key: the user, or None for a system actor."""
    return None if isinstance(by, SystemActor) else by


def plain(value: Any) -> Any:
    """The one JSON-friendly form of a value in ``changes``: dates and datetimes in ISO 8601,
    money as its exact decimal string (``"3091519.00"``, never ``3.09E+6``), a related row
    by its primary key (a text id, as the row's own ids: a name or an address would linger
    in the log), an enumeration by its value, a file by its stored name, sets sorted.
    Anything JSON cannot hold and this does not know is refused, not guessed at."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Promise):  # a lazy translation
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile | File):
        return value.name or None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    raise AuditError(f"cannot record a {type(value).__name__} in an audit row: {value!r}")


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields' current values, as JSON-friendly values."""
    return {name: plain(getattr(instance, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def _action(action: AuditAction | str) -> AuditAction:
    try:
        return AuditAction(action)
    except ValueError:
        raise AuditError(
            f"{action!r} is not an audit action: add it to AuditAction in "
            "foiregister/kernel/audit.py"
        ) from None


def _actor(by: Any) -> tuple[str, str]:
    """``(actor_id, actor)`` for a user or a system actor; None is refused."""
    if by is None:
        raise AuditError(
            "an audit row needs the actor: pass the user, or audit.system('<which job>') "
            "for work nobody clicked"
        )
    if isinstance(by, SystemActor):
        return "", by.get_username()[:150]
    return (str(by.pk) if by.pk else ""), by.get_username()[:150]


def build_event(
    *,
    action: AuditAction | str,
    obj: models.Model,
    by: Any,
    organisation_id: Any = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    object_repr: str | None = None,
) -> AuditEvent:
    """An unsaved audit row, checked and normalised as ``record_event`` does; for
    ``record_bulk``. ``object_repr`` replaces ``str(obj)`` where that is private (a
    requester's name must not outlive the requester's erasure in the log)."""
    actor_id, actor = _actor(by)
    return AuditEvent(
        actor_id=actor_id,
        actor=actor,
        action=_action(action).value,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=(str(obj) if object_repr is None else object_repr)[:300],
        organisation_id=str(organisation_id or ""),
        changes=plain(dict(changes or {})),
        note=note,
    )


def record_event(
    *,
    action: AuditAction | str,
    obj: models.Model,
    by: Any,
    organisation_id: Any = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    object_repr: str | None = None,
) -> AuditEvent:
    """Write one audit row. ``by`` is a user or a ``SystemActor``; never None."""
    event = build_event(
        action=action,
        obj=obj,
        by=by,
        organisation_id=organisation_id,
        changes=changes,
        note=note,
        object_repr=object_repr,
    )
    event.save()
    return event


def record_bulk(events: list[AuditEvent]) -> None:
    """Write many rows built by ``build_event`` at once (recomputations, imports)."""
    for event in events:
        _action(event.action)
        if not event.actor:
            raise AuditError(f"audit row {event.action} for {event.object_repr} has no actor")
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def history_for(obj: models.Model):
    return AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
