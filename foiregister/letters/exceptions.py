"""Letter errors: what is wrong and where, for the admin's forms and messages."""

from __future__ import annotations

from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.requests.exceptions import ValidationFailed


class LetterError(FoiRegisterError):
    """A letter cannot be drafted, approved or issued as asked."""


class LetterImmutable(LetterError):
    """An issued letter was asked to change. A correction is a new letter."""


class BlockError(ValidationFailed):
    """A live block's type or parameters are not valid."""


class BlockUnavailable(LetterError):
    """The register or metrics a block reads from is not installed or has no such data."""


class RetentionError(LetterError):
    """A requester's details were asked to be erased before their retention period ended."""
