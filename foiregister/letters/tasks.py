"""Celery wrappers around the letter services: they take ids, not objects."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import transaction

from foiregister.kernel import audit
from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Request

from . import retention, services
from .models import BatchIssue, Letter


@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=60, retry_kwargs={"max_retries": 5}
)
def email_letter(self, letter_id: int) -> bool:
    """Email an issued letter to its requester; a mail server that is down is retried with
    backoff, and a letter already emailed is not sent again. Each failure is recorded
    for the officer (``services.record_email_failure``) before the retry."""
    letter = Letter.objects.get(pk=letter_id)
    by = audit.system("celery: email letter")
    try:
        return services.email_letter(letter=letter, by=by)
    except OSError as exc:  # smtplib.SMTPException is an OSError
        # Named by type only: a refusal's text quotes the requester's address, which the
        # audit log would keep past erasure and Celery's retry line would print.
        failure = type(exc).__name__
        services.record_email_failure(
            letter=letter, by=by, reason=f"the mail server refused it ({failure})"
        )
        raise LetterNotEmailed(f"letter {letter_id} not emailed ({failure})") from None


class LetterNotEmailed(OSError):
    """What the retry carries instead of the mail library's error, whose text can quote the
    requester's address."""


def queue_email(letter: Letter) -> None:
    """Queue the email once the letter's transaction has committed."""
    transaction.on_commit(lambda: email_letter.delay(letter.pk))


@shared_task
def run_batch_issue(batch_id: int) -> dict[str, int]:
    """Run a batch: draft each request's letter not yet drafted and issue each approved
    letter not yet issued; each letter commits on its own and its email is queued after
    it. Queued when a batch starts, when a lead approves its letters, and by Run again."""
    batch = services.run_batch_issue(
        batch=BatchIssue.objects.get(pk=batch_id), on_issued=queue_email
    )
    return {"done": batch.done, "failed": batch.failed, "total": batch.total}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def erase_due_requesters(today: str | None = None) -> int:
    """Daily: erase the requesters whose retention period has ended, as the system (the
    NHS Records Management Code sets when, not a person); each erasure is audited."""
    day = datetime.date.fromisoformat(today) if today else register_selectors.local_today()
    erased, _refused = retention.erase_due_requesters(
        today=day, by=audit.system("celery beat: erase due requesters")
    )
    return len(erased)


@shared_task
def erase_requesters(request_ids: list[int], today: str, by_id: int) -> int:
    """A lead's bulk erasure from the admin, worked outside the request."""
    from django.contrib.auth import get_user_model

    by = get_user_model().objects.get(pk=by_id)
    erased, _refused = retention.erase_due_requesters(
        today=datetime.date.fromisoformat(today),
        by=by,
        requests=Request.objects.filter(pk__in=request_ids),
    )
    return len(erased)
