"""The public quarterly FOI statistics (s.45 Code of Practice): per organisation and
calendar quarter, as HTML and CSV. Only counts computed by ``requests.statistics`` are
shown: no request, reference, title or requester, and unpublished requests appear only as
part of a count."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from foiregister.kernel import csv_export
from foiregister.kernel.models import Organisation
from foiregister.requests import reports, statistics

QUARTERS_LISTED = 8


def _quarter(request) -> reports.Quarter:
    """``?quarter=2025-Q2``; by default the last complete quarter. A quarter not yet begun
    is not found."""
    current = reports.Quarter.containing(timezone.localdate())
    text = request.GET.get("quarter")
    if not text:
        return current.previous()
    try:
        quarter = reports.Quarter.parse(text)
    except ValueError:
        raise Http404("not a quarter") from None
    if quarter.start > current.start:
        raise Http404("that quarter has not begun")
    return quarter


def _long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


# The definitions are written for the CSV, whose columns they name (``from``, ``as_of``,
# ``in_time``); the page names the dates and its own rows instead.
PAGE_WORDING = (
    (
        "100 x in_time / (in_time + late + open_overdue)",
        "In time as a percentage of in time, late, and open and overdue",
    ),
    (
        "half away from zero; null when the divisor is 0",
        "rounded half up; not applicable when there are none of these",
    ),
    ("null when none", "not applicable when there are none"),
)


OUTCOME_LABELS = {key: outcome.label for outcome, key in statistics.OUTCOME_KEYS.items()}
REVIEW_LABELS = {
    "requested": "Requested",
    "decided": "Decided",
    "decided_in_time": "Decided in time",
    "upheld": "Upheld",
    "overturned": "Overturned",
    "partly": "Partly upheld",
}


def _labelled(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    """The figures' keys (the CSV's column names) as the page words them."""
    return [(labels.get(key, key.replace("_", " ").capitalize()), n) for key, n in counts.items()]


def page_definitions(figures: dict) -> dict[str, str]:
    """``statistics.DEFINITIONS`` in words for the page: the period's dates and the date
    the figures were read at, not the CSV's column names."""
    dates = {key: _long_date(figures[key]) for key in ("from", "to", "as_of")}
    out = {}
    for name, text in statistics.DEFINITIONS.items():
        for old, new in PAGE_WORDING:
            text = text.replace(old, new)
        text = text.replace("`from` to `to`", f"{dates['from']} to {dates['to']}")
        out[name] = text.replace("as_of", dates["as_of"])
    return out


def _figures(organisation: Organisation, quarter: reports.Quarter) -> dict:
    return reports.quarter_statistics(
        organisation=organisation, quarter=quarter, as_of=timezone.localdate()
    )


@require_safe
def statistics_index(request):
    organisations = Organisation.objects.order_by("name").only("name", "ods_code")
    return render(request, "disclosure/statistics_index.html", {"organisations": organisations})


@require_safe
def organisation_statistics(request, ods_code: str):
    organisation = get_object_or_404(Organisation, ods_code=ods_code)
    quarter = _quarter(request)
    figures = _figures(organisation, quarter)
    current = reports.Quarter.containing(timezone.localdate())
    quarters = [current]
    while len(quarters) < QUARTERS_LISTED:
        quarters.append(quarters[-1].previous())
    return render(
        request,
        "disclosure/statistics.html",
        {
            "organisation": organisation,
            "quarter": quarter,
            "quarters": quarters,
            "figures": figures,
            "definitions": page_definitions(figures),
            "dates": {key: _long_date(figures[key]) for key in ("from", "to", "as_of")},
            "outcomes": _labelled(figures["outcomes"], OUTCOME_LABELS),
            "internal_reviews": _labelled(figures["internal_reviews"], REVIEW_LABELS),
        },
    )


@require_safe
def organisation_statistics_csv(request, ods_code: str):
    organisation = get_object_or_404(Organisation, ods_code=ods_code)
    quarter = _quarter(request)
    figures = _figures(organisation, quarter)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="foi-statistics-{organisation.ods_code}-{quarter}.csv"'
    )
    writer = csv_export.dict_writer(response, ["figure", "value", "definition"])
    writer.writeheader()
    for name, value in statistics.flatten(figures):
        writer.writerow(
            {
                "figure": name,
                "value": "" if value is None else value,
                "definition": statistics.DEFINITIONS.get(name.split(".")[0], ""),
            }
        )
    return response


@require_safe
def psr_annual_summary(request):
    """The Provider Selection Regime annual summary: public contracts awarded in the
    financial year by PSR route, with counts and the values that may be published."""
    from contracts import reports as contract_reports

    latest = contract_reports.financial_year_of(timezone.localdate())
    # An annual summary is of a year that has ended: the one before the year in progress.
    start = int(latest[:4])
    last_complete = f"{start - 1}/{start % 100:02d}"
    year = request.GET.get("year") or last_complete
    try:
        contract_reports.financial_year_bounds(year)
    except ValueError:
        raise Http404("not a financial year") from None
    organisation = None
    if request.GET.get("organisation"):
        organisation = get_object_or_404(Organisation, ods_code=request.GET["organisation"])
    summary = contract_reports.psr_annual_summary(year=year, organisation=organisation)
    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(start, start - 5, -1)]
    return render(
        request,
        "registers/psr_summary.html",
        {
            "summary": summary,
            "years": years,
            "organisation": organisation,
            "organisations": Organisation.objects.order_by("name").only("name", "ods_code"),
        },
    )
