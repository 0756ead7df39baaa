"""Domain errors that say what is wrong and where (which field), for forms and the API."""

from __future__ import annotations


class FoiRegisterError(Exception):
    """Base class: ``field`` names the field at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "__all__": [self.message]}


class TimelineError(FoiRegisterError):
    """An event that cannot happen at that point of a request's life."""


class TransitionError(FoiRegisterError):
    """A status change the workflow does not allow."""


class ValidationFailed(FoiRegisterError):
    """Bad input for a field."""
