"""The reference pattern an organisation gives its requests, e.g. ``FOI/{mm}{yy}/{seq}``.

It is typed by a lead and filled with ``str.format``, which would otherwise follow
attributes and indexes (``{seq.__class__.__init__.__globals__}``), accept any width
(``{seq:999999999d}`` allocates a gigabyte) and make references longer than their column
(issue 12, item 13). Only the documented placeholders are accepted: ``{yyyy} {yy} {mm}``
bare, and ``{seq}`` bare or zero-padded up to ``MAX_SEQUENCE_WIDTH`` (``{seq:05d}``);
``{{`` and ``}}`` are literal braces. ``{seq}`` is required (without it every request of a
month would get the same reference), and the longest reference the pattern can make must
fit the request's reference column. Pure: the standard library only.
"""

from __future__ import annotations

import datetime
import re
import string

# Request.reference's max_length (a test keeps the two equal; the kernel cannot import it).
REFERENCE_MAX_LENGTH = 60
MAX_SEQUENCE_WIDTH = 10
# The longest each placeholder can print: a sequence is a PositiveIntegerField (up to
# 2147483647, ten digits), so ``{seq}`` prints at most ten characters, or its width.
_FIELD_LENGTH = {"yyyy": 4, "yy": 2, "mm": 2, "seq": 10}
_SEQUENCE_SPEC = re.compile(r"0?([1-9][0-9]?)d")
DOCUMENTED = "{yyyy} {yy} {mm} {seq} (or {seq:05d}, zero-padded to at most 10 digits)"


class ReferencePatternError(ValueError):
    """A reference pattern outside the rule; the message names the offending placeholder."""


def _placeholder(field: str, spec: str, conversion: str | None) -> str:
    return (
        "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )


def check_reference_pattern(pattern: str, *, max_length: int = REFERENCE_MAX_LENGTH) -> None:
    """Raise ``ReferencePatternError`` unless ``pattern`` uses only the documented
    placeholders and its longest reference fits ``max_length`` characters."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ReferencePatternError(
            f"reference pattern {pattern!r} has an unmatched brace ({exc}); write a literal "
            "brace as {{ or }}"
        ) from exc
    longest = 0
    has_sequence = False
    for literal, field, spec, conversion in parsed:
        longest += len(literal)
        if field is None:
            continue
        shown = _placeholder(field, spec or "", conversion)
        if field not in _FIELD_LENGTH or conversion is not None:
            raise ReferencePatternError(
                f"placeholder {shown} is not allowed in a reference pattern; use {DOCUMENTED}"
            )
        length = _FIELD_LENGTH[field]
        if spec:
            match = _SEQUENCE_SPEC.fullmatch(spec) if field == "seq" else None
            width = int(match.group(1)) if match else 0
            if not match or width > MAX_SEQUENCE_WIDTH:
                raise ReferencePatternError(
                    f"placeholder {shown} has a format that is not allowed; only {{seq}} takes "
                    f"one, a zero-pad width up to {MAX_SEQUENCE_WIDTH} such as {{seq:05d}}"
                )
            length = max(length, width)
        has_sequence = has_sequence or field == "seq"
        longest += length
    if not has_sequence:
        raise ReferencePatternError(
            f"reference pattern {pattern!r} has no {{seq}} placeholder: every request needs "
            "its own number"
        )
    if longest > max_length:
        raise ReferencePatternError(
            f"reference pattern {pattern!r} can make references of {longest} characters; "
            f"a reference holds at most {max_length}"
        )


def fill_reference_pattern(
    pattern: str,
    *,
    received: datetime.date,
    sequence: int,
    max_length: int = REFERENCE_MAX_LENGTH,
) -> str:
    """The reference for request number ``sequence`` received on ``received``; checked
    first, so a pattern stored before the rule is refused rather than filled."""
    check_reference_pattern(pattern, max_length=max_length)
    return pattern.format(
        yyyy=f"{received:%Y}", yy=f"{received:%y}", mm=f"{received:%m}", seq=sequence
    )
