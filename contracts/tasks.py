"""Celery wrappers around services: they take ids and dates as strings, not objects."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from . import imports, services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_expiry_warnings(today: str | None = None) -> int:
    """Daily (beat): warn contract owners 12, 6 and 3 months and a notice period before the
    end date, once per horizon."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return len(services.send_expiry_warnings(today=day))


@shared_task
def run_import_job(job_id: int) -> str:
    """Commit a previewed import; progress is written to the ImportJob row as it goes."""
    return imports.run_job(job_id).status


@shared_task
def preview_import_job(job_id: int) -> str:
    """Check an uploaded file too large to preview in the web request; progress is written
    to the ImportJob row as it goes."""
    return imports.run_preview(job_id).status
