"""Money and figures as the register prints them, in letters, public pages, exports and the
admin alike, and the same whichever database gave the value.

PostgreSQL returns a ``DecimalField`` and a ``Sum`` over it as ``Decimal('3091519.00')``;
SQLite returns the column the same way but a sum as ``Decimal('3091519')`` (Django quantizes
only plain columns there), and raw or computed values as ``int`` or ``float``. Every function
here reads its value through ``str()`` into a ``Decimal``, never through float arithmetic, so
all of these print alike, and rounds half up (as money is rounded in accounts, not to even).

For people (letters, pages, admin): ``money`` (``£3,091,519``; ``£1,250.50`` only when there
are pence), ``count`` (``12,345``) and ``percent`` of a fraction (``85.3%``). For machines
(CSV): ``plain_money`` (always pence, ``3091519.00``), ``plain_count`` (``1234``) and
``plain_percent`` (``80.3``), with no currency sign or separators. A missing value (``None``) prints as ``empty``, ``""`` unless
the caller names it ("Not recorded", "Withheld" and "-" mean different things, so the caller
chooses). Anything else that is not a finite number raises ``ValueError``: a letter must never
print a figure it could not read.

Only the standard library: this sits below every app.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
WHOLE = Decimal("1")

Number = Decimal | int | float | str


def as_decimal(value: Number) -> Decimal:
    """``value`` as a finite ``Decimal``, read from its text so ``0.1`` is 0.1, not the float
    nearest it."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number


def _rounded(value: Number, exponent: Decimal) -> Decimal:
    """Rounded half up; a value that rounds to zero is zero, never ``-0``."""
    number = as_decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)
    return number if number else abs(number)


def pence(value: Number) -> Decimal:
    """The stored form of money, a ``Decimal`` to the penny: what ``DecimalField(decimal_places
    =2)`` holds. Selectors apply it to sums, which SQLite returns without their pence."""
    return _rounded(value, PENNY)


def money(value: Number | None, *, empty: str = "") -> str:
    """``£3,091,519``, ``£1,250.50``, ``-£1,250.50``: whole pounds without pence, pence when
    there are any, the sign before the pound sign."""
    if value is None:
        return empty
    amount = pence(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


def count(value: Number | None, *, empty: str = "") -> str:
    """``12,345``: rounded half up to a whole number, with thousands separators."""
    if value is None:
        return empty
    return f"{_rounded(value, WHOLE):,.0f}"


def _percentage(fraction: Number, places: int) -> Decimal:
    return _rounded(as_decimal(fraction) * 100, Decimal(1).scaleb(-int(places)))


def percent(fraction: Number | None, *, places: int = 0, empty: str = "") -> str:
    """A fraction as a percentage with exactly ``places`` decimal places: 0.8532 with one
    place is ``85.3%``, 0.85 is ``85.0%`` (a column of figures keeps one precision)."""
    if fraction is None:
        return empty
    return f"{_percentage(fraction, places):,.{int(places)}f}%"


def plain_money(value: Number | None) -> str:
    """Money for CSV: always to the penny, no currency sign or separators (``3091519.00``),
    so a spreadsheet or ``Decimal()`` reads back what the register holds."""
    if value is None:
        return ""
    return f"{pence(value):f}"


def plain_count(value: Number | None) -> str:
    """A count for CSV: a whole number without separators (``1234``)."""
    if value is None:
        return ""
    return f"{_rounded(value, WHOLE):f}"


def plain_percent(fraction: Number | None, *, places: int = 0) -> str:
    """A fraction as a percentage for CSV: rounded as ``percent`` rounds it, without the sign
    or separators (0.8025 with one place is ``80.3``)."""
    if fraction is None:
        return ""
    return f"{_percentage(fraction, places):f}"
