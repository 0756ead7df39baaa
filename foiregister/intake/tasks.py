"""Celery wrappers: thin, take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from foiregister.kernel import audit

from . import services
from .exceptions import IntakeError
from .models import Mailbox


@shared_task(name="foiregister.intake.tasks.fetch_mailboxes")
def fetch_mailboxes() -> int:
    """Beat: queue a fetch of every enabled organisation mailbox, each its own task, so an
    unreachable mailbox (recorded on its row, shown in the admin) does not stop the others."""
    ids = list(Mailbox.objects.filter(enabled=True).values_list("pk", flat=True))
    for mailbox_id in ids:
        fetch_mailbox.delay(mailbox_id)
    return len(ids)


@shared_task(
    name="foiregister.intake.tasks.fetch_mailbox",
    autoretry_for=(IntakeError,),
    retry_backoff=True,
    max_retries=3,
)
def fetch_mailbox(mailbox_id: int) -> int:
    mailbox = Mailbox.objects.select_related("organisation").get(pk=mailbox_id)
    return services.fetch_mailbox(mailbox=mailbox, by=audit.system("celery beat: FOI mailbox"))
