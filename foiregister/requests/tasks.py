"""Celery wrappers: thin, take ids or dates, call a service."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.contrib.auth import get_user_model

from . import imports, selectors, services


# Named as before the restructure: beat schedules and queued messages refer to tasks by name.
@shared_task(
    name="foiregister.tasks.send_deadline_reminders",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_deadline_reminders(today: str | None = None) -> int:
    """Daily: due within 5 working days and overdue, to assignees and FOI leads."""
    day = datetime.date.fromisoformat(today) if today else selectors.local_today()
    return services.send_deadline_reminders(today=day)


@shared_task(name="foiregister.tasks.run_deadline_recomputation")
def run_deadline_recomputation(recomputation_id: int) -> int:
    """After the holiday table changes: every open request's dates, recomputed, with
    progress saved for the admin."""
    return services.run_deadline_recomputation(recomputation_id=recomputation_id).changed


@shared_task(
    name="foiregister.tasks.chase_contributions",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def chase_contributions(today: str | None = None) -> int:
    """Weekdays: remind department contacts of questions due within two working days."""
    day = datetime.date.fromisoformat(today) if today else selectors.local_today()
    return services.chase_contributions(today=day)


@shared_task
def preview_import_job(job_id: int) -> str:
    """Check an uploaded FOI log too large to check in the web request; progress is written
    to the ImportJob row as it goes."""
    return imports.run_preview(job_id).status


@shared_task
def run_import_job(job_id: int, user_id: int | None = None) -> str:
    """Commit a checked FOI log in one transaction, audited as the user who asked for it;
    progress is written to the ImportJob row."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return imports.run_job(job_id, by=by).status
