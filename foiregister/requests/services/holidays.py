"""The proclaimed-holiday table: each change recomputes the due dates it can move."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from foiregister import calendar
from foiregister.kernel import audit
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import (
    ProclaimedHoliday,
)

from .timeline import recompute_due_dates


@transaction.atomic
def add_proclaimed_holiday(
    *,
    date: datetime.date,
    name: str,
    by: Any,
    nations: str = "ENG,WLS,SCT,NIR",
    source: str = "",
    recompute: bool = True,
) -> tuple[ProclaimedHoliday, int]:
    """Record a newly proclaimed bank holiday and move every open deadline it affects
    (at once, or, with ``recompute=False``, by the caller queueing a recomputation)."""
    valid = set(calendar.UK_NATIONS)
    codes = [n.strip().upper() for n in nations.split(",") if n.strip()]
    if not codes or set(codes) - valid:
        raise ValidationFailed(
            f"nations must be some of {', '.join(calendar.UK_NATIONS)}", field="nations"
        )
    if ProclaimedHoliday.objects.filter(date=date).exists():
        raise ValidationFailed(f"{date:%d %b %Y} is already in the table", field="date")
    holiday = ProclaimedHoliday.objects.create(
        date=date, name=name, nations=",".join(codes), source=source
    )
    audit.record_event(
        action=audit.AuditAction.HOLIDAY_ADDED,
        obj=holiday,
        by=by,
        changes={"date": date, "name": name, "nations": holiday.nations},
    )
    changed = recompute_due_dates(by=by, reason=f"holiday added: {holiday}") if recompute else 0
    return holiday, changed


@transaction.atomic
def remove_proclaimed_holiday(
    *, holiday: ProclaimedHoliday, by: Any, recompute: bool = True
) -> int:
    audit.record_event(
        action=audit.AuditAction.HOLIDAY_REMOVED,
        obj=holiday,
        by=by,
        changes={"date": holiday.date, "name": holiday.name},
    )
    label = str(holiday)
    holiday.delete()
    return recompute_due_dates(by=by, reason=f"holiday removed: {label}") if recompute else 0
