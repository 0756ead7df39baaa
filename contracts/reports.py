"""Commissioners' summaries of the contract register: the Provider Selection Regime annual
summary (published) and the expiry outlook (staff). Counts and sums in the database."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from . import publicity
from .models import Category, Contract
from .selectors import live_q

PSR_ROUTES = tuple(route for route in Contract.ProcurementRoute if route.value.startswith("psr_"))


def financial_year_bounds(year: str) -> tuple[datetime.date, datetime.date]:
    """``2024/25`` -> 1 April 2024 to 31 March 2025; ValueError for anything else."""
    first, _, second = year.partition("/")
    start = int(first)
    if len(first) != 4 or second != f"{(start + 1) % 100:02d}":
        raise ValueError(f"{year!r} is not a financial year such as 2024/25")
    return datetime.date(start, 4, 1), datetime.date(start + 1, 3, 31)


def financial_year_of(day: datetime.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def psr_annual_summary(*, year: str, organisation=None) -> dict[str, Any]:
    """Public contracts awarded under the PSR in the financial year, by route: how many, the
    sum of the values that may be published, and how many values are withheld (s.43). The
    register records no award date, so a contract's start date is taken as its award."""
    start, end = financial_year_bounds(year)
    qs = publicity.public_contracts().filter(
        procurement_route__in=[r.value for r in PSR_ROUTES],
        start_date__gte=start,
        start_date__lte=end,
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    found = {
        row["procurement_route"]: row
        for row in qs.order_by()
        .values("procurement_route")
        .annotate(
            contracts=Count("pk"),
            value=Sum("current_value", filter=Q(value_is_public=True)),
            withheld=Count("pk", filter=Q(value_is_public=False)),
        )
    }
    routes = [
        {
            "route": route.value,
            "label": route.label,
            "contracts": found.get(route.value, {}).get("contracts", 0),
            "value": found.get(route.value, {}).get("value") or Decimal("0.00"),
            "values_withheld": found.get(route.value, {}).get("withheld", 0),
        }
        for route in PSR_ROUTES
    ]
    return {
        "year": year,
        "routes": routes,
        "contracts": sum(r["contracts"] for r in routes),
        "value": sum((r["value"] for r in routes), Decimal("0.00")),
        "values_withheld": sum(r["values_withheld"] for r in routes),
    }


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def expiry_outlook(
    *, contracts: QuerySet[Contract], today: datetime.date, quarters: int = 8
) -> list[dict[str, Any]]:
    """Live contracts ending in each calendar quarter from this one for ``quarters``
    quarters (two years), by kind and modality, with their current value. Grouped in the
    database by end date, kind and categories; a contract buying two modalities counts
    under each."""
    first = _quarter_start(today)
    starts = [first]
    while len(starts) < quarters + 1:
        last = starts[-1]
        starts.append(datetime.date(last.year + (last.month == 10), (last.month + 2) % 12 + 1, 1))
    rows = (
        contracts.filter(
            live_q(today),  # a contract terminating later is live until then
            current_end_date__gte=today,
            current_end_date__lt=starts[-1],
        )
        .order_by()
        .values("current_end_date", "kind", "categories")
        .annotate(n=Count("pk"), value=Sum("current_value"))
    )
    table: dict[tuple, dict[str, Any]] = defaultdict(lambda: {"contracts": 0, "value": Decimal(0)})
    labels = dict(Category.choices)
    kinds = dict(Contract.Kind.choices)
    for row in rows:
        quarter = _quarter_start(row["current_end_date"])
        for category in row["categories"] or [""]:
            cell = table[
                (
                    quarter,
                    kinds.get(row["kind"], row["kind"]),
                    labels.get(category, "Not recorded"),
                )
            ]
            cell["contracts"] += row["n"]
            cell["value"] += row["value"] or Decimal(0)
    return [
        {
            "quarter": f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}",
            "kind": kind,
            "modality": modality,
            **cell,
        }
        for (quarter, kind, modality), cell in sorted(table.items())
    ]
