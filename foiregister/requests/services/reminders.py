"""Deadline reminders to assignees and FOI leads."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from foiregister import calendar
from foiregister.requests import selectors
from foiregister.requests.models import ReminderRound, Request

# -- reminders ----------------------------------------------------------------------------


def send_deadline_reminders(*, today: datetime.date) -> int:
    """The day's reminders, once: sent by the first call on ``today`` that gets through, and
    recorded as a ``ReminderRound`` in the same transaction, so a later call the same day
    sends nothing and a call that fails (mail server down) leaves the day to the next one.
    Returns messages sent (0 when the day's reminders had already gone)."""
    if ReminderRound.objects.filter(day=today).exists():
        return 0
    try:
        with transaction.atomic():
            # The unique day is claimed first: two workers offered the job at once cannot
            # both send (the second waits on the row, then fails the insert).
            claimed = ReminderRound.objects.create(day=today)
            sent = _send_deadline_reminders(today=today)
            ReminderRound.objects.filter(pk=claimed.pk).update(sent=sent)
    except IntegrityError:
        return 0
    return sent


def _send_deadline_reminders(*, today: datetime.date) -> int:
    """Email each assignee and each organisation's FOI leads the requests due within 5
    working days and those overdue, and the internal reviews likewise (the s.45 code's 20
    working days), one message per person. Returns messages sent."""
    from django.conf import settings
    from django.core.mail import send_mass_mail

    cal = selectors.working_day_calendar()
    due_soon = selectors.requests_due_within(
        today=today, working_days=settings.FOI_DUE_SOON_WORKING_DAYS
    )
    overdue = selectors.overdue_requests(today=today)
    per_person: dict[str, list[str]] = {}

    def remind(request: Request, what: str, due_on: datetime.date, reviewer=None) -> None:
        days = calendar.working_days_between(today, due_on, calendar=cal)
        line = f"{request.reference} {request.title}: {what} {due_on:%a %d %b %Y} " + (
            f"({-days} working days late)" if days < 0 else f"({days} working days left)"
        )
        recipients = {u.email for u in selectors.foi_leads_of(request.organisation) if u.email}
        if request.assignee and request.assignee.email:
            recipients.add(request.assignee.email)
        if reviewer is not None and reviewer.email:
            recipients.add(reviewer.email)
        for email in recipients:
            per_person.setdefault(email, []).append(line)

    for request in (
        (due_soon | overdue).select_related("assignee", "organisation").order_by("due_on")
    ):
        remind(request, "due", request.due_on)
    reviews = selectors.internal_reviews_due_within(
        today=today, working_days=settings.FOI_DUE_SOON_WORKING_DAYS
    )
    for request in reviews.select_related("assignee", "reviewer", "organisation").order_by(
        "review_due_on"
    ):
        remind(request, "internal review due", request.review_due_on, reviewer=request.reviewer)
    messages = [
        (
            f"FOI deadlines: {len(lines)} due soon or overdue",
            "Requests and internal reviews due within "
            f"{settings.FOI_DUE_SOON_WORKING_DAYS} working days or overdue on "
            f"{today:%a %d %b %Y}:\n\n" + "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
        for email, lines in sorted(per_person.items())
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
