"""Celery wrappers for the disclosure app: they take ids, not objects."""

from __future__ import annotations

import logging

from celery import shared_task

from foiregister.intake import services as intake_services
from foiregister.intake.exceptions import ReceiptNotSent
from foiregister.intake.models import InboundMessage

from . import export, selectors
from .models import OrganisationExport

logger = logging.getLogger(__name__)

#: A receipt is tried this many times more, a minute, two, four... apart.
RECEIPT_RETRIES = 5


@shared_task
def run_organisation_export(export_id: int) -> dict[str, int]:
    """Build an organisation's export zip (foiregister.disclosure.export)."""
    job = export.run_export(export=OrganisationExport.objects.get(pk=export_id))
    return {"done": job.done, "total": job.total}


@shared_task(bind=True, name="foiregister.disclosure.tasks.send_request_receipt")
def send_request_receipt(self, message_id: int) -> bool:
    """Email the receipt for a request sent through the public form, outside the web
    request that received it. Takes the intake message's id only: the requester's name
    and address never travel as task arguments, which the broker, the result backend and
    the worker's log keep. A mail server that refuses or cannot be reached is retried
    with backoff; each failure is logged by the message's id and the failure's type, and
    after the last retry the task gives up and says so in the log (the request itself
    is kept whatever happens). Any other error is logged the same way and not retried.
    Returns whether the receipt was sent."""
    message = InboundMessage.objects.select_related("organisation").filter(pk=message_id).first()
    if message is None:  # erased or never committed: nobody to write to
        return False
    try:
        return intake_services.acknowledge_web_request(
            message=message, reply_by=selectors.reply_due_by(message.received_at)
        )
    except ReceiptNotSent as exc:
        if self.request.retries >= RECEIPT_RETRIES:
            logger.error("%s; gave up after %d retries", exc, self.request.retries)
            return False
        logger.warning("%s; retry %d of %d", exc, self.request.retries + 1, RECEIPT_RETRIES)
        if self.request.is_eager:
            # Celery in the web process (``make run``, the tests): a retry would raise into
            # the requester's page (task_eager_propagates), so try again at once.
            again = self.apply((message_id,), retries=self.request.retries + 1, throw=False)
            return again.result is True
        raise self.retry(
            exc=exc, countdown=60 * 2**self.request.retries, max_retries=RECEIPT_RETRIES
        ) from None
    except Exception as exc:  # noqa: BLE001 - logged by type only: its text may quote the address
        logger.error(
            "receipt for intake message %s not sent (%s); not retried",
            message_id,
            type(exc).__name__,
        )
        return False
