"""The Celery application: configured from Django settings, tasks found per app.

The worker and beat each record a heartbeat in the database (``foiregister.kernel.health``)
that the health endpoint reads: the worker every ``HEARTBEAT_EVERY`` seconds from a bootstep
on its own timer (so a worker busy with a long job still beats), beat on each scheduler tick
(at most once per ``HEARTBEAT_EVERY``). Beat uses ``HeartbeatScheduler`` through the
``CELERY_BEAT_SCHEDULER`` setting.
"""

import os
import time

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HEARTBEAT_EVERY = 30.0

app = Celery("foiregister")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _record(name: str, detail: str = "") -> None:
    from django.db import close_old_connections

    from foiregister.kernel.health import record_heartbeat

    close_old_connections()
    try:
        record_heartbeat(name, detail=detail)
    except Exception:  # the database is down: health will show the heartbeat as stale
        app.log.get_default_logger().warning("could not record the %s heartbeat", name)


class WorkerHeartbeat(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        _record("worker", worker.hostname)
        self.tref = worker.timer.call_repeatedly(
            HEARTBEAT_EVERY, _record, ("worker", worker.hostname), priority=10
        )

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(WorkerHeartbeat)


class HeartbeatScheduler(PersistentScheduler):
    """Beat's default scheduler, recording beat's heartbeat as it ticks."""

    _last_beat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_beat >= HEARTBEAT_EVERY:
            self._last_beat = now
            _record("beat")
        interval = super().tick(*args, **kwargs)
        # Wake up in time for the next heartbeat even when nothing is due for hours.
        return min(interval, HEARTBEAT_EVERY)
