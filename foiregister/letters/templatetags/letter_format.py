"""Filters for letters: ISO dates and sentences as NHS letters print them. Money and
figures come from ``{% load figures %}``, the one formatter pages and the admin use too."""

from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def isodate(value, fmt: str = "long") -> str:
    """An ISO date string as '31 January 2027' ('long') or '31/01/2027' ('short')."""
    if not value:
        return ""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    if fmt == "short":
        return f"{day:%d/%m/%Y}"
    return f"{day.day} {day:%B %Y}"


@register.filter
def clause(value) -> str:
    """Text to sit inside a sentence: no trailing full stop or spaces, so a register scope
    ending 'residents.' reads '..., residents, contract value ...' and not 'residents.,'."""
    return str(value or "").strip().rstrip(".;,").rstrip()


@register.filter
def sentence(value) -> str:
    """Text as a sentence of its own: capital first letter, one closing full stop."""
    text = clause(value)
    if not text:
        return ""
    return text[0].upper() + text[1:] + "."


@register.filter
def and_list(values) -> str:
    """['A', 'B', 'C'] -> 'A, B and C', as a letter lists names."""
    items = [str(v) for v in values or [] if str(v).strip()]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@register.filter
def unmentioned(labels, text) -> list[str]:
    """The labels ``text`` does not already name (case-insensitive), so a contract titled
    'Neurology outpatients' is not printed as 'Neurology: Neurology outpatients'."""
    lowered = str(text or "").lower()
    return [label for label in labels or [] if str(label).lower() not in lowered]


@register.filter
def figure(value, places: int = 1) -> str:
    """A measured figure (an average, a rate) as a person writes it: ``100.0`` -> ``100``,
    ``1234.50`` -> ``1,234.5``; a whole number never carries a ``.0``. Rounded half up to
    ``places``; ``""`` for a missing value."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)), ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"
