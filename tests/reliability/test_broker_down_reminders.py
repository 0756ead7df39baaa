"""The broker is down when the day's reminders are due: beat's seven o'clock offer fails to
reach it (beat logs that and moves on to its next hour), and the reminders go out once when
the broker is back: not twice, not never. A redis-server of the test's own, stopped and
started here, and a real Celery worker on it."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from kombu.exceptions import OperationalError

from foiregister.requests import tasks
from foiregister.requests.models import ReminderRound
from tests.foiregister.test_tasks import _forget_connections, _late_and_due_soon

pytestmark = [pytest.mark.faults, pytest.mark.celery_worker]


@pytest.mark.django_db(transaction=True)
def test_reminders_offered_while_the_broker_is_down_go_out_once_when_it_returns(
    organisation, foi_officer, foi_lead, own_redis, settings, today
):
    from config.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _late_and_due_soon(organisation, foi_officer, today)
    keys = ("broker_url", "result_backend", "task_always_eager", "broker_connection_timeout")
    previous = {k: app.conf[k] for k in keys}
    app.conf.update(
        broker_url=own_redis.url,
        # Results in this process's memory: the worker runs in a thread of it.
        result_backend="cache+memory://",
        task_always_eager=False,
        broker_connection_timeout=2,
    )
    _forget_connections(app)
    try:
        own_redis.stop()
        # 07:00: beat's offer cannot be delivered.
        with pytest.raises(OperationalError):
            tasks.send_deadline_reminders.apply_async(
                args=[today.isoformat()], retry_policy={"max_retries": 1, "interval_start": 0}
            )
        assert not ReminderRound.objects.filter(day=today).exists()
        assert mail.outbox == []

        own_redis.start()
        _forget_connections(app)
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            # 08:00 and 09:00: the first offer that gets through sends; the next is a no-op.
            first = tasks.send_deadline_reminders.delay(today.isoformat())
            assert first.get(timeout=60) == 2
            second = tasks.send_deadline_reminders.delay(today.isoformat())
            assert second.get(timeout=60) == 0
    finally:
        app.conf.update(previous)
        _forget_connections(app)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([foi_officer.email, foi_lead.email])
    assert ReminderRound.objects.get(day=today).sent == 2


def test_beat_offers_the_reminders_every_hour_of_the_working_day(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["foi-deadline-reminders"]["schedule"]
    assert schedule.hour == set(range(7, 19))
    assert schedule.day_of_week == {1, 2, 3, 4, 5}
