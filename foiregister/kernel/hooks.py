"""Named hooks: how a lower layer lets a higher one join in without importing it (ADR 0009).

The lower layer owns a ``Hook`` and calls it where the higher layers may act (a request's
text changed, a requester is erased, an FOI-log import commits); the higher layer registers
its function from its ``AppConfig.ready``. A call is a plain function call in the caller's
transaction, not a signal: nothing runs that the caller does not call, and an exception
undoes the caller's work with it. Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Hook(Generic[R]):
    """A point a lower layer calls; functions are called in the order first registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: dict[Hashable, Callable[..., R]] = {}

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} registered>"

    def register(self, function: Callable[..., R], *, name: str | None = None) -> None:
        """Add ``function`` once: registering it again (or another under the same ``name``)
        replaces it in its place, so an ``AppConfig.ready`` run twice adds nothing."""
        self._functions[function if name is None else name] = function

    def call(self, *args: Any, **kwargs: Any) -> list[R]:
        """Call every registered function with these arguments; their results, in order."""
        return [function(*args, **kwargs) for function in self._functions.values()]
