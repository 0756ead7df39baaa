"""Celery wrappers around the letter services: they take ids, not objects."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from foiregister.kernel import audit

from . import services
from .models import BatchIssue, Letter


@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=60, retry_kwargs={"max_retries": 5}
)
def email_letter(self, letter_id: int) -> bool:
    """Email an issued letter to its requester; a mail server that is down is retried with
    backoff, and a letter already emailed is not sent again."""
    return services.email_letter(
        letter=Letter.objects.get(pk=letter_id), by=audit.system("celery: email letter")
    )


def queue_email(letter: Letter) -> None:
    """Queue the email once the letter's transaction has committed."""
    transaction.on_commit(lambda: email_letter.delay(letter.pk))


@shared_task
def run_batch_issue(batch_id: int) -> dict[str, int]:
    """Issue a batch; each letter commits on its own and its email is queued after it."""
    batch = services.run_batch_issue(
        batch=BatchIssue.objects.get(pk=batch_id), on_issued=queue_email
    )
    return {"done": batch.done, "failed": batch.failed, "total": batch.total}
