"""``{% load figures %}``: the kernel's money and figures formatter as template filters, for
letters, public pages and admin templates. ``{{ value|money }}``, ``{{ value|money:"Not
recorded" }}`` (what to print for a missing value), ``{{ value|count }}``, ``{{ fraction|
percent:1 }}`` (places), ``{{ value|plain_money }}``. An empty string is a missing value,
as a template resolves a missing variable to ``""``."""

from __future__ import annotations

from django import template

from foiregister.kernel import figures

register = template.Library()


def _missing(value):
    return None if value == "" else value


@register.filter
def money(value, empty: str = "") -> str:
    return figures.money(_missing(value), empty=empty)


@register.filter
def count(value, empty: str = "") -> str:
    return figures.count(_missing(value), empty=empty)


@register.filter
def percent(fraction, places: int = 0) -> str:
    return figures.percent(_missing(fraction), places=int(places))


@register.filter
def plain_money(value) -> str:
    return figures.plain_money(_missing(value))
