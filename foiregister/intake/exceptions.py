"""The intake's errors: each says what is wrong and which field."""

from __future__ import annotations

from foiregister.kernel.exceptions import FoiRegisterError


class IntakeError(FoiRegisterError):
    """A message that cannot be dealt with as asked."""
