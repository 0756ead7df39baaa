"""CSV cells that a spreadsheet reads as text, never as a formula (issue 12, item 9).

A register row typed by one body (a supplier name, a title) is downloaded by anyone and
opened in Excel or LibreOffice, which runs a cell beginning with ``=``, ``+``, ``-`` or
``@`` (and, after trimming, a tab or carriage return) as a formula: ``=HYPERLINK(...)``
exfiltrates, DDE runs commands. OWASP's "CSV Injection" guidance: prefix such a cell with a
single quote, which spreadsheets show as text. Every CSV the product writes (public
registers, admin exports, the metrics CLI) goes through ``safe_cell``, ``writer`` or
``dict_writer``.

Numbers stay numbers. A value of a numeric type (int, float, Decimal) is our own figure,
never a formula, so a negative contract value or rate difference is written as is; so is a
text cell that is exactly a number (``-12.5``, ``-3e-05``, ``-inf``), which a spreadsheet
reads as a constant, not a formula. ``-2+3`` is not exactly a number and is neutralised.

Pure (standard library only), so the metrics CLI can use it without Django.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from typing import IO, Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)", re.IGNORECASE)


def safe_cell(value: Any) -> Any:
    """``value`` ready for a CSV cell: None as empty, numbers as they are, text that a
    spreadsheet would run as a formula prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _SafeWriter:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def writerow(self, row: Any) -> Any:
        if isinstance(row, dict):
            return self._inner.writerow({k: safe_cell(v) for k, v in row.items()})
        return self._inner.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)

    def writeheader(self) -> Any:
        return self._inner.writeheader()


def writer(f: IO[str], **kwargs: Any) -> _SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""
    return _SafeWriter(csv.writer(f, **kwargs))


def dict_writer(f: IO[str], fieldnames: Any, **kwargs: Any) -> _SafeWriter:
    """``csv.DictWriter`` whose every cell goes through ``safe_cell``."""
    return _SafeWriter(csv.DictWriter(f, fieldnames=fieldnames, **kwargs))
