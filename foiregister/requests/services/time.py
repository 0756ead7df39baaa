"""Time spent on a request, which the s.12 appropriate limit (18 hours) counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from foiregister.kernel import audit
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import (
    Request,
    TimeEntry,
)


@transaction.atomic
def log_time(
    *,
    request: Request,
    person: Any,
    hours: Decimal,
    activity: str,
    worked_on: datetime.date,
    by: Any,
) -> TimeEntry:
    if Decimal(hours) <= 0:
        raise ValidationFailed("hours must be more than zero", field="hours")
    entry = TimeEntry.objects.create(
        request=request, person=person, hours=hours, activity=activity, worked_on=worked_on
    )
    audit.record_event(
        action=audit.AuditAction.REQUEST_TIME_LOGGED,
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={"person": person.get_username(), "hours": hours, "activity": activity},
    )
    return entry


TIME_ENTRY_FIELDS = ("person", "worked_on", "activity", "hours")


@transaction.atomic
def correct_time_entry(*, entry: TimeEntry, by: Any, **fields: Any) -> TimeEntry:
    """Correct a mistyped time entry (3 hours for 0.3, the wrong activity). The entry is
    kept, with its old and new values in the audit history, because the s.12 estimate a
    refusal relies on is built from these rows."""
    unknown = set(fields) - set(TIME_ENTRY_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}", field=None)
    if "hours" in fields and Decimal(fields["hours"]) <= 0:
        raise ValidationFailed("hours must be more than zero", field="hours")
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    before = audit.snapshot(entry, TIME_ENTRY_FIELDS)
    for name, value in fields.items():
        setattr(entry, name, value)
    try:
        entry.full_clean(exclude=["request"])
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(f"{field}: {' '.join(messages)}", field=field) from exc
    entry.save()
    entry.refresh_from_db()  # hours as stored (2 places), so 3 -> 3.00 is no change
    changes = audit.diff(before, audit.snapshot(entry, TIME_ENTRY_FIELDS))
    if changes:
        audit.record_event(
            action=audit.AuditAction.REQUEST_TIME_CORRECTED,
            obj=entry.request,
            by=by,
            organisation_id=entry.request.organisation_id,
            changes=changes,
        )
    return entry
