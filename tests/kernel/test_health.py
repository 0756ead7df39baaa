"""The health endpoint: liveness for anyone, details for staff and this machine; the
heartbeats the worker and beat record; ``manage.py health``."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from foiregister.kernel.health import record_heartbeat
from foiregister.kernel.models import Heartbeat

REMOTE = "203.0.113.9"


@pytest.fixture
def with_broker(settings):
    """As in production: a broker (kombu's in-memory transport) and no eager tasks."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    settings.HEALTH_STALE_AFTER_SECONDS = 120


@pytest.mark.django_db
def test_anyone_gets_liveness_only(public_client):
    answer = public_client.get("/health/", REMOTE_ADDR=REMOTE)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]


@pytest.mark.django_db
def test_a_forwarded_loopback_address_is_not_believed(public_client):
    """With no trusted proxy, X-Forwarded-For is the client's own claim."""
    answer = public_client.get("/health/", REMOTE_ADDR=REMOTE, HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert answer.json() == {"status": "ok"}


@pytest.mark.django_db
def test_this_machine_gets_the_details(public_client, with_broker):
    now = timezone.now()
    Heartbeat.objects.create(name="worker", at=now - datetime.timedelta(seconds=30))
    Heartbeat.objects.create(name="beat", at=now - datetime.timedelta(seconds=10))
    answer = public_client.get("/health/", REMOTE_ADDR="127.0.0.1")
    body = answer.json()
    assert answer.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker", "beat"}
    assert body["checks"]["worker"]["ok"] is True
    assert 29 <= body["checks"]["worker"]["age_seconds"] < 60
    assert body["checks"]["beat"]["ok"] is True


@pytest.mark.django_db
def test_staff_get_the_details_from_anywhere(foi_officer_client, with_broker):
    body = foi_officer_client.get("/health/", REMOTE_ADDR=REMOTE).json()
    assert "checks" in body


@pytest.mark.django_db
def test_staff_without_their_second_factor_get_liveness_only(foi_officer, with_broker):
    from django.test import Client

    client = Client()
    client.password_only_login(foi_officer)
    assert client.get("/health/", REMOTE_ADDR=REMOTE).json() == {"status": "ok"}


@pytest.mark.django_db
def test_a_stale_or_missing_heartbeat_is_degraded(public_client, with_broker):
    Heartbeat.objects.create(name="worker", at=timezone.now() - datetime.timedelta(seconds=121))
    body = public_client.get("/health/", REMOTE_ADDR="127.0.0.1").json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"] == {
        "ok": False,
        "detail": "stale",
        "age_seconds": pytest.approx(121, abs=5),
    }
    assert body["checks"]["beat"] == {"ok": False, "detail": "never seen"}
    assert body["checks"]["database"] == {"ok": True}


@pytest.mark.django_db
def test_an_unreachable_broker_is_reported(public_client, with_broker, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    body = public_client.get("/health/", REMOTE_ADDR="127.0.0.1").json()
    assert body["checks"]["broker"]["ok"] is False
    assert body["status"] == "degraded"


@pytest.mark.django_db
def test_record_heartbeat_overwrites_one_row_per_process_kind():
    record_heartbeat("worker", detail="worker@a")
    record_heartbeat("worker", detail="worker@b")
    assert list(Heartbeat.objects.values_list("name", "detail")) == [("worker", "worker@b")]


@pytest.mark.django_db
def test_the_health_command_exits_non_zero_for_an_unhealthy_part(with_broker, capsys):
    record_heartbeat("beat")
    call_command("health", "beat")
    assert json.loads(capsys.readouterr().out)["checks"]["beat"]["ok"] is True
    with pytest.raises(CommandError, match="unhealthy: worker"):
        call_command("health", "worker")
