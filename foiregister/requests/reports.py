"""What an FOI lead's dashboard, the board report and the public quarterly page show:
selectors over ``statistics`` (the figures and their definitions) and a few more counts,
each computed in the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from foiregister import calendar
from foiregister.kernel.models import Organisation

from . import selectors, statistics
from .models import Contribution, Department, Request


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, the s.45 Code's publication period (``2025-Q2``)."""

    year: int
    number: int

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2025-Q2``; ValueError for anything else."""
        year, _, number = text.upper().partition("-Q")
        quarter = cls(int(year), int(number))
        if not 1 <= quarter.number <= 4 or not 2000 <= quarter.year <= 2100:
            raise ValueError(f"{text!r} is not a quarter such as 2025-Q2")
        return quarter

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        following = self.next()
        return following.start - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        months = ("Jan to Mar", "Apr to Jun", "Jul to Sep", "Oct to Dec")[self.number - 1]
        return f"{months} {self.year}"


def quarter_statistics(
    *, organisation: Organisation, quarter: Quarter, as_of: datetime.date
) -> dict[str, Any]:
    return statistics.foi_statistics(
        organisation=organisation, date_from=quarter.start, date_to=quarter.end, as_of=as_of
    )


def recent_quarters(
    *, organisation: Organisation, as_of: datetime.date, count: int = 5
) -> list[tuple[Quarter, dict[str, Any]]]:
    """This quarter and the ``count - 1`` before it, oldest first, each read at ``as_of``."""
    quarters = [Quarter.containing(as_of)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return [
        (q, quarter_statistics(organisation=organisation, quarter=q, as_of=as_of))
        for q in reversed(quarters)
    ]


DAYS_LEFT_BANDS = (
    ("Overdue", None, -1),
    ("Due today", 0, 0),
    ("1 to 5", 1, 5),
    ("6 to 10", 6, 10),
    ("11 to 20", 11, 20),
    ("More than 20", 21, None),
    ("Clock stopped", None, None),
)


def open_by_days_left(*, organisation: Organisation, today: datetime.date) -> dict[str, int]:
    """Open FOI and EIR requests by working days left to their due date. Grouped by due
    date in the database; the calendar is applied once per distinct due date."""
    cal = selectors.working_day_calendar()
    counts = dict.fromkeys((label for label, *_ in DAYS_LEFT_BANDS), 0)
    rows = (
        selectors.open_requests()
        .filter(organisation=organisation, regime__in=(Request.Regime.FOI, Request.Regime.EIR))
        .order_by()
        .values("due_on")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        if row["due_on"] is None:
            counts["Clock stopped"] += row["n"]
            continue
        left = calendar.working_days_between(today, row["due_on"], calendar=cal)
        for label, low, high in DAYS_LEFT_BANDS[:-1]:
            if (low is None or left >= low) and (high is None or left <= high):
                counts[label] += row["n"]
                break
    return counts


def late_by_department(
    *,
    organisation: Organisation,
    date_from: datetime.date,
    date_to: datetime.date,
    as_of: datetime.date,
) -> dict[str, int]:
    """Late requests (responded late, or open and overdue at ``as_of``) received in the
    period, by each department asked to contribute; a request asked of two departments
    counts for both, and one asked of none under "No department"."""
    late = _late_requests(organisation, date_from, date_to, as_of)
    result = {
        row["name"]: row["n"]
        for row in Department.objects.filter(organisation=organisation)
        .annotate(
            n=Count(
                "contribution__request",
                filter=Q(contribution__request__in=late.values("pk")),
                distinct=True,
            )
        )
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values("name", "n")
    }
    none = late.exclude(Exists(Contribution.objects.filter(request=OuterRef("pk")))).count()
    if none:
        result["No department"] = none
    return result


def _late_requests(organisation, date_from, date_to, as_of) -> QuerySet[Request]:
    qs = statistics.with_state(
        statistics.received_between(organisation, date_from, date_to).filter(
            regime__in=(Request.Regime.FOI, Request.Regime.EIR)
        ),
        as_of=as_of,
    )
    c = statistics.conditions()
    late = qs.filter(c["late"] | (c["open"] & Q(limit_on__lt=as_of)))
    return Request.objects.filter(pk__in=late.values("pk"))
