"""Is the install healthy? For the load balancer, compose's health checks and operators.

``/health/`` answers liveness to anyone: ``{"status": "ok"}`` while this process serves.
Staff signed in with their second factor, and requests from this machine (the address
``kernel.clientip`` settles on: loopback), also get the details: the database, the broker,
the worker's heartbeat and beat's last tick. Nothing in either answer is personal.

The worker and beat record their heartbeats through ``record_heartbeat`` (``config.celery``
wires it into both); a heartbeat older than ``HEALTH_STALE_AFTER_SECONDS`` is stale.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection

from .clientip import client_ip
from .models import Heartbeat

WORKER = "worker"
BEAT = "beat"


def record_heartbeat(name: str, *, detail: str = "") -> None:
    """Overwrite the heartbeat of ``name`` with now. Not audited: it changes no record."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now(), "detail": detail[:200]}
    )


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str = ""
    age_seconds: float | None = None

    def as_dict(self) -> dict:
        out: dict = {"ok": self.ok}
        if self.detail:
            out["detail"] = self.detail
        if self.age_seconds is not None:
            out["age_seconds"] = round(self.age_seconds, 1)
        return out


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database is not usable
        return Check(False, type(exc).__name__)
    return Check(True)


def broker_is_eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def check_broker() -> Check:
    if broker_is_eager():
        return Check(True, "eager: tasks run in the web process")
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises the transport's own errors
        return Check(False, type(exc).__name__)
    return Check(True)


def check_heartbeat(name: str, *, now: datetime.datetime | None = None) -> Check:
    if broker_is_eager():
        return Check(True, "eager: no separate process")
    try:
        beat = Heartbeat.objects.filter(name=name).first()
    except Exception as exc:
        return Check(False, type(exc).__name__)
    if beat is None:
        return Check(False, "never seen")
    age = ((now or timezone.now()) - beat.at).total_seconds()
    stale = age > settings.HEALTH_STALE_AFTER_SECONDS
    return Check(not stale, "stale" if stale else "", age)


def details() -> dict:
    checks = {
        "database": check_database(),
        "broker": check_broker(),
        WORKER: check_heartbeat(WORKER),
        BEAT: check_heartbeat(BEAT),
    }
    if all(c.ok for c in checks.values()):
        status = "ok"
    elif checks["database"].ok:
        status = "degraded"
    else:
        status = "failing"
    return {"status": status, "checks": {k: v.as_dict() for k, v in checks.items()}}


def may_see_details(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return True
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for anyone; the details (503 when the database fails) for staff and this
    machine."""
    if not may_see_details(request):
        return JsonResponse({"status": "ok"})
    body = details()
    return JsonResponse(body, status=503 if body["status"] == "failing" else 200)
