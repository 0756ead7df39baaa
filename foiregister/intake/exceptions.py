"""The intake's errors: each says what is wrong and which field."""

from __future__ import annotations

from foiregister.kernel.exceptions import FoiRegisterError


class IntakeError(FoiRegisterError):
    """A message that cannot be dealt with as asked."""


class ReceiptNotSent(Exception):
    """The receipt for a request sent through the public form could not be sent. Its
    message names only the intake message and the failure's type: the mail library's own
    error can quote the requester's address (``SMTPRecipientsRefused``), and this one is
    written to the worker's log and the task's result."""
