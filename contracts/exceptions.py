"""Domain errors for the registers: they say what is wrong and where."""

from __future__ import annotations


class ContractsError(Exception):
    """Base class: ``field`` names the field at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "__all__": [self.message]}


class ValidationFailed(ContractsError):
    """Bad input for a field."""


class NothingToPublish(ContractsError):
    """An export asked for when there is nothing public to put in it."""
