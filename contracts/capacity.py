"""PURE: CDC capacity, utilisation and shortfall (stdlib only).

Capacity is what the equipment could do in its operational hours: machines x hours per
week x examinations per machine-hour, scaled to the month by its days / 7 (a month is not
four weeks). Utilisation is actual activity over that capacity. Shortfall is how far actual
activity fell below the planned (target) activity, never negative: the FOI question "has
your CDC delivered to target capacity ... what is the average shortfall?" asks about plan.
Decimals throughout so figures frozen into a letter are exact.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Equipment:
    count: int
    hours_per_week: Decimal
    examinations_per_hour: Decimal


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date
    capacity: Decimal
    planned: int | None
    actual: int | None


def days_in_month(month: datetime.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def monthly_capacity(equipment: Iterable[Equipment], month: datetime.date) -> Decimal:
    """Examinations the equipment could deliver in ``month``."""
    weekly = sum(
        (Decimal(e.count) * Decimal(e.hours_per_week) * Decimal(e.examinations_per_hour))
        for e in equipment
    )
    return Decimal(weekly) * Decimal(days_in_month(month)) / Decimal(7)


def utilisation(actual: int | Decimal, capacity: Decimal) -> Decimal | None:
    """Actual over capacity, as a fraction (0.9 is 90%); None when there is no capacity."""
    if not capacity:
        return None
    return Decimal(actual) / Decimal(capacity)


def shortfall(planned: int | None, actual: int | None) -> int | None:
    """Examinations short of plan in a month; 0 when the plan was met."""
    if planned is None or actual is None:
        return None
    return max(planned - actual, 0)


def summarise(months: list[MonthFigures]) -> dict[str, Decimal | int | None]:
    """Capacity over every month of the period, whether or not activity was reported for it
    (equipment and hours say what the CDC could do; a month without an activity return did
    not have zero capacity). Activity, utilisation, average monthly shortfall and the months
    below plan are over the months with an actual figure only, and utilisation divides by
    the capacity of those same months (``capacity_reported``), so a missing return neither
    lowers nor raises it. ``actual`` is None when no month was reported."""
    counted = [m for m in months if m.actual is not None]
    capacity = sum((m.capacity for m in months), Decimal(0))
    capacity_reported = sum((m.capacity for m in counted), Decimal(0))
    actual = sum(m.actual for m in counted) if counted else None
    with_plan = [m for m in counted if m.planned is not None]
    planned = sum(m.planned for m in with_plan) if with_plan else None
    shortfalls = [shortfall(m.planned, m.actual) for m in with_plan]
    return {
        "months": len(months),
        "months_reported": len(counted),
        "capacity": round_half_up(capacity, 0),
        "capacity_reported": round_half_up(capacity_reported, 0),
        "planned": planned,
        "actual": actual,
        "utilisation": utilisation(actual, capacity_reported) if counted else None,
        "average_shortfall": (
            round_half_up(Decimal(sum(shortfalls)) / len(shortfalls), 1) if shortfalls else None
        ),
        "months_below_plan": sum(1 for s in shortfalls if s),
    }


def round_half_up(value: Decimal, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
