"""The base of every domain error: it says what is wrong and where (which field), so admin
forms and the API can put the message on the field at fault."""

from __future__ import annotations


class FoiRegisterError(Exception):
    """Base class: ``field`` names the field at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "__all__": [self.message]}
