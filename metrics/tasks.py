"""Celery wrappers around ``metrics.services``: they take ids, not objects."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def compute_run(run_id: int) -> str:
    """Compute a pending run; progress is written to the Run row as it goes."""
    return services.compute_run(int(run_id)).status


@shared_task
def fail_stale_runs() -> list[int]:
    """Mark failed the running runs whose worker has stopped (Celery beat, every 10 minutes)."""
    return services.fail_stale_runs()
