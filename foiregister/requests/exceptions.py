"""The request register's errors: each says what is wrong and which field."""

from __future__ import annotations

from foiregister.kernel.exceptions import FoiRegisterError


class TimelineError(FoiRegisterError):
    """An event that cannot happen at that point of a request's life."""


class TransitionError(FoiRegisterError):
    """A status change the workflow does not allow."""


class ValidationFailed(FoiRegisterError):
    """Bad input for a field."""
