"""The daily reminder, through the service and once through a real Celery worker on Redis."""

import datetime
import os

import pytest
from django.core import mail

from foiregister import calendar
from foiregister.requests import selectors, tasks
from tests.factories.foiregister import log_request

REDIS_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _forget_connections(app):
    """Drop the producer pool and result backend Celery caches, so the new broker and backend
    settings are the ones used (earlier eager tasks may have cached in-memory ones)."""
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _late_and_due_soon(organisation, officer):
    today = selectors.local_today()
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
    organisation, foi_officer, foi_lead
):
    late, soon = _late_and_due_soon(organisation, foi_officer)
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
    organisation, foi_officer, foi_lead, settings
):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _late_and_due_soon(organisation, foi_officer)
    keys = ("broker_url", "result_backend", "task_always_eager")
    previous = {k: app.conf[k] for k in keys}
    app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    _forget_connections(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            result = tasks.send_deadline_reminders.delay(datetime.date.today().isoformat())
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
    assert entry["schedule"].hour == {7}


def _answered_with_review(organisation, officer, *, title, review_requested_ago, decided=False):
    """A request answered 30 working days ago whose requester asked for an internal review
    ``review_requested_ago`` working days ago (20 working days to decide it)."""
    from foiregister.requests import services
    from foiregister.requests.models import RequestEvent

    today = selectors.local_today()
    cal = selectors.working_day_calendar()
    request = log_request(
        organisation=organisation,
        by=officer,
        assignee=officer,
        title=title,
        received_on=calendar.subtract_working_days(today, 45, calendar=cal),
    )
    services.record_timeline_event(
        request=request,
        kind=RequestEvent.Kind.RESPONSE_SENT,
        occurred_on=calendar.subtract_working_days(today, 30, calendar=cal),
        by=officer,
    )
    requested_on = calendar.subtract_working_days(today, review_requested_ago, calendar=cal)
    services.record_timeline_event(
        request=request,
        kind=RequestEvent.Kind.REVIEW_REQUESTED,
        occurred_on=requested_on,
        by=officer,
    )
    if decided:
        services.record_timeline_event(
            request=request,
            kind=RequestEvent.Kind.REVIEW_DECIDED,
            occurred_on=calendar.subtract_working_days(today, 1, calendar=cal),
            by=officer,
            decision=RequestEvent.ReviewDecision.UPHELD,
        )
    request.refresh_from_db()
    return request


@pytest.mark.django_db
def test_reminder_lists_internal_reviews_due_soon_or_late_until_decided(
    organisation, foi_officer, foi_lead
):
    """Asked 17 working days ago: due in 3 working days. Asked 23 ago: 3 working days late.
    Asked 23 ago but decided yesterday: nothing to chase. Asked 2 ago: not due for 18."""
    today = selectors.local_today()
    cal = selectors.working_day_calendar()
    soon = _answered_with_review(
        organisation, foi_officer, title="Review soon", review_requested_ago=17
    )
    late = _answered_with_review(
        organisation, foi_officer, title="Review late", review_requested_ago=23
    )
    _answered_with_review(
        organisation, foi_officer, title="Review done", review_requested_ago=23, decided=True
    )
    _answered_with_review(organisation, foi_officer, title="Review new", review_requested_ago=2)
    assert soon.review_due_on == calendar.add_working_days(today, 3, calendar=cal)

    assert tasks.send_deadline_reminders() == 2
    body = next(m.body for m in mail.outbox if m.to == [foi_lead.email])
    assert (
        f"{soon.reference} Review soon: internal review due {soon.review_due_on:%a %d %b %Y} "
        "(3 working days left)" in body
    )
    assert f"{late.reference} Review late: internal review due" in body
    assert "(3 working days late)" in body
    assert "Review done" not in body and "Review new" not in body
