"""Departments asked to contribute to an answer, with their own internal deadlines."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from foiregister import calendar
from foiregister.kernel import audit
from foiregister.requests import selectors
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import (
    Contribution,
    Department,
    Question,
    Request,
)

# -- contributions, time, links ----------------------------------------------------------


@transaction.atomic
def ask_department(
    *,
    request: Request,
    department: Department,
    questions: Iterable[Question],
    by: Any,
    asked_on: datetime.date | None = None,
    internal_due_on: datetime.date | None = None,
) -> Contribution:
    """Ask a department for answers, with its own deadline: by default 10 working days
    before the statutory one, so the office has time to collate and approve."""
    if department.organisation_id != request.organisation_id:
        raise ValidationFailed(
            "the department belongs to another organisation", field="department"
        )
    asked_on = asked_on or selectors.local_today()
    if internal_due_on is None:
        # The date the request is due now (the extended one after an extension). While the
        # clock is stopped (awaiting clarification or a fee) there is none: the stored
        # statutory date is stale, since clarification restarts the clock.
        base = request.due_on
        if base is None:
            raise ValidationFailed(
                "the request has no due date while its clock is stopped (awaiting "
                "clarification or a fee): give the department's deadline",
                field="internal_due_on",
            )
        internal_due_on = default_internal_deadline(
            base, asked_on, selectors.working_day_calendar()
        )
    questions = list(questions)
    if any(q.request_id != request.pk for q in questions):
        raise ValidationFailed("a question belongs to another request", field="questions")
    contribution = Contribution.objects.create(
        request=request,
        department=department,
        asked_on=asked_on,
        internal_due_on=internal_due_on,
    )
    contribution.questions.set(questions)
    if request.allocated_at is None:
        request.allocated_at = timezone.now()
        request.save(update_fields=["allocated_at", "updated_at"])
    audit.record_event(
        action=audit.AuditAction.CONTRIBUTION_ASKED,
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={
            "department": department.name,
            "internal_due_on": internal_due_on,
            "questions": [q.number for q in questions],
        },
    )
    return contribution


@transaction.atomic
def record_contribution(
    *,
    contribution: Contribution,
    answer: str,
    by: Any,
    status: str = Contribution.Status.ANSWERED,
    answered_on: datetime.date | None = None,
) -> Contribution:
    contribution.answer = answer
    contribution.status = status
    contribution.answered_on = answered_on or selectors.local_today()
    contribution.save()
    audit.record_event(
        action=audit.AuditAction.CONTRIBUTION_ANSWERED,
        obj=contribution.request,
        by=by,
        organisation_id=contribution.request.organisation_id,
        changes={"department": contribution.department.name, "status": status},
        note=answer[:500],
    )
    return contribution


CONTRIBUTION_FIELDS = ("asked_on", "internal_due_on", "status", "answer", "answered_on")


@transaction.atomic
def update_contribution(
    *,
    contribution: Contribution,
    by: Any,
    questions: Iterable[Question] | None = None,
    **fields: Any,
) -> Contribution:
    """Change a department's contribution (its deadline, status, answer or questions); every
    change is audited with its old and new value, on the request's history."""
    unknown = set(fields) - set(CONTRIBUTION_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}", field=None)
    contribution = Contribution.objects.select_related("request", "department").get(
        pk=contribution.pk
    )
    before = audit.snapshot(contribution, CONTRIBUTION_FIELDS)
    before["questions"] = sorted(contribution.questions.values_list("number", flat=True))
    for name, value in fields.items():
        setattr(contribution, name, value)
    if contribution.internal_due_on is None:
        raise ValidationFailed("give the department's deadline", field="internal_due_on")
    if contribution.status != Contribution.Status.ASKED and contribution.answered_on is None:
        contribution.answered_on = selectors.local_today()
    if contribution.answered_on and contribution.answered_on < contribution.asked_on:
        raise ValidationFailed(
            f"answered on {contribution.answered_on:%d %b %Y}, before the department was "
            f"asked ({contribution.asked_on:%d %b %Y})",
            field="answered_on",
        )
    contribution.save()
    after = audit.snapshot(contribution, CONTRIBUTION_FIELDS)
    if questions is not None:
        questions = list(questions)
        if any(q.request_id != contribution.request_id for q in questions):
            raise ValidationFailed("a question belongs to another request", field="questions")
        contribution.questions.set(questions)
        after["questions"] = sorted(q.number for q in questions)
    else:
        after["questions"] = before["questions"]
    changes = audit.diff(before, after)
    if changes:
        audit.record_event(
            action=audit.AuditAction.CONTRIBUTION_CHANGED,
            obj=contribution.request,
            by=by,
            organisation_id=contribution.request.organisation_id,
            changes={"department": contribution.department.name, **changes},
        )
    return contribution


def default_internal_deadline(
    due: datetime.date, asked_on: datetime.date, cal: calendar.WorkingDayCalendar
) -> datetime.date:
    """10 working days before the due date, but never before the department was asked."""
    return max(
        asked_on,
        calendar.subtract_working_days(due, calendar.CONTRIBUTION_LEAD_WORKING_DAYS, calendar=cal),
    )


def move_default_contribution_deadlines(
    request: Request, *, old_base: datetime.date | None, by: Any
) -> None:
    """When the timeline moves the due date (a clarification restarts the clock, an
    extension or a fee moves it), departments still working to the default deadline get
    the default for the new date; a deadline the officer chose is left alone."""
    new_base = request.due_on
    if old_base is None or new_base is None or old_base == new_base:
        return
    cal = selectors.working_day_calendar()
    for contribution in request.contributions.filter(
        status=Contribution.Status.ASKED
    ).select_related("department"):
        if contribution.internal_due_on != default_internal_deadline(
            old_base, contribution.asked_on, cal
        ):
            continue
        moved = default_internal_deadline(new_base, contribution.asked_on, cal)
        if moved == contribution.internal_due_on:
            continue
        audit.record_event(
            action=audit.AuditAction.CONTRIBUTION_CHANGED,
            obj=request,
            by=by,
            organisation_id=request.organisation_id,
            changes={
                "department": contribution.department.name,
                "internal_due_on": [contribution.internal_due_on, moved],
            },
            note="the request's due date moved; the default deadline follows it",
        )
        contribution.internal_due_on = moved
        contribution.save(update_fields=["internal_due_on"])
