"""The daily reminder, through the service and once through a real Celery worker on Redis."""

import datetime
import os

import pytest
from django.core import mail

from foiregister import calendar
from foiregister.requests import selectors, tasks
from tests.factories.foiregister import log_request

D = datetime.date
REDIS_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _forget_connections(app):
    """Drop the producer pool and result backend Celery caches, so the new broker and backend
    settings are the ones used (earlier eager tasks may have cached in-memory ones)."""
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _late_and_due_soon(organisation, officer, today):
    """Three requests whose dates are counted back from ``today`` with the calendar: the
    tests then check how the reminder treats them on whatever day the suite runs."""
    cal = selectors.working_day_calendar()
    late = log_request(
        organisation=organisation,
        by=officer,
        assignee=officer,
        title="Late",
        received_on=calendar.subtract_working_days(today, 25, calendar=cal),
    )
    soon = log_request(
        organisation=organisation,
        by=officer,
        assignee=officer,
        title="Soon",
        received_on=calendar.subtract_working_days(today, 17, calendar=cal),
    )
    log_request(
        organisation=organisation, by=officer, assignee=officer, title="Not yet", received_on=today
    )
    return late, soon


@pytest.mark.django_db
def test_reminder_goes_to_assignee_and_foi_lead_listing_late_and_due_soon(
    organisation, foi_officer, foi_lead, today
):
    late, soon = _late_and_due_soon(organisation, foi_officer, today)
    sent = tasks.send_deadline_reminders()
    assert sent == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([foi_officer.email, foi_lead.email])
    body = mail.outbox[0].body
    assert late.reference in body and "working days late" in body
    assert soon.reference in body
    assert "Not yet" not in body


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_reminder_runs_through_a_real_celery_worker_on_redis(
    organisation, foi_officer, foi_lead, settings, today
):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _late_and_due_soon(organisation, foi_officer, today)
    keys = ("broker_url", "result_backend", "task_always_eager")
    previous = {k: app.conf[k] for k in keys}
    app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    _forget_connections(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            result = tasks.send_deadline_reminders.delay(today.isoformat())
            assert result.get(timeout=60) == 2
    finally:
        app.conf.update(previous)
        _forget_connections(app)
    assert len(mail.outbox) == 2


def test_reminder_is_on_celery_beat_every_working_morning(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["foi-deadline-reminders"]
    assert entry["task"] in app.tasks
    assert tasks.send_deadline_reminders.name == entry["task"]
    assert entry["schedule"].day_of_week == {1, 2, 3, 4, 5}
    assert 7 in entry["schedule"].hour


def _answered_with_review(organisation, officer, *, title, review_requested_on, decided_on=None):
    """A request received Wed 9 Sep 2026 and answered Wed 30 Sep 2026 whose requester asked
    for an internal review on ``review_requested_on`` (20 working days to decide it)."""
    from foiregister.requests import services
    from foiregister.requests.models import RequestEvent

    request = log_request(
        organisation=organisation,
        by=officer,
        assignee=officer,
        title=title,
        received_on=D(2026, 9, 9),
    )
    services.record_timeline_event(
        request=request,
        kind=RequestEvent.Kind.RESPONSE_SENT,
        occurred_on=D(2026, 9, 30),
        by=officer,
    )
    services.record_timeline_event(
        request=request,
        kind=RequestEvent.Kind.REVIEW_REQUESTED,
        occurred_on=review_requested_on,
        by=officer,
    )
    if decided_on:
        services.record_timeline_event(
            request=request,
            kind=RequestEvent.Kind.REVIEW_DECIDED,
            occurred_on=decided_on,
            by=officer,
            decision=RequestEvent.ReviewDecision.UPHELD,
        )
    request.refresh_from_db()
    return request


@pytest.mark.django_db
def test_reminder_lists_internal_reviews_due_soon_or_late_until_decided(
    organisation, foi_officer, foi_lead
):
    """Run on Wed 11 Nov 2026 (no bank holiday in England, Wales, Scotland or Northern
    Ireland from 1 Sep to 29 Nov 2026). Asked Mon 19 Oct: 20 working days is Mon 16 Nov, 3
    working days left (Thu 12, Fri 13, Mon 16). Asked Fri 9 Oct: due Fri 6 Nov, 3 working
    days late (Mon 9, Tue 10, Wed 11). Asked Fri 9 Oct but decided Tue 10 Nov: nothing to
    chase. Asked Mon 9 Nov: due Mon 7 Dec, not yet worth a reminder."""
    soon = _answered_with_review(
        organisation, foi_officer, title="Review soon", review_requested_on=D(2026, 10, 19)
    )
    late = _answered_with_review(
        organisation, foi_officer, title="Review late", review_requested_on=D(2026, 10, 9)
    )
    _answered_with_review(
        organisation,
        foi_officer,
        title="Review done",
        review_requested_on=D(2026, 10, 9),
        decided_on=D(2026, 11, 10),
    )
    _answered_with_review(
        organisation, foi_officer, title="Review new", review_requested_on=D(2026, 11, 9)
    )

    assert tasks.send_deadline_reminders("2026-11-11") == 2

    body = next(m.body for m in mail.outbox if m.to == [foi_lead.email])
    assert (
        f"{soon.reference} Review soon: internal review due Mon 16 Nov 2026 "
        "(3 working days left)" in body
    )
    assert (
        f"{late.reference} Review late: internal review due Fri 06 Nov 2026 "
        "(3 working days late)" in body
    )
    assert "Review done" not in body and "Review new" not in body


@pytest.mark.django_db
def test_the_days_reminders_go_once_however_often_they_are_offered(
    organisation, foi_officer, foi_lead, today
):
    _late_and_due_soon(organisation, foi_officer, today)
    assert tasks.send_deadline_reminders(today.isoformat()) == 2
    assert tasks.send_deadline_reminders(today.isoformat()) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_reminders_that_fail_to_send_are_sent_by_the_next_offer(
    organisation, foi_officer, foi_lead, today, settings
):
    from foiregister.requests import services
    from foiregister.requests.models import ReminderRound

    _late_and_due_soon(organisation, foi_officer, today)
    settings.EMAIL_BACKEND = "tests.foiregister.test_tasks.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        services.send_deadline_reminders(today=today)
    assert not ReminderRound.objects.filter(day=today).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_deadline_reminders(today=today) == 2
    assert len(mail.outbox) == 2


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
