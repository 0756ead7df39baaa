"""Reads for letters, the API and the admin: completed runs and their results as plain dicts.

Only completed runs have results (a running or failed run returns none), and a completed
run never changes, so a letter that cites ``run`` and an area reads the same figures for
ever. Rates are per ``multiplier`` people (10,000 unless the run says otherwise).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone

from . import core
from .models import DSR_FIELDS, RESULT_ESTIMATES, Dataset, RatesRatio, Result, Run

RESULT_FIELDS: tuple[str, ...] = (
    "measure",
    "area",
    "observed",
    "expected",
    "ratio",
    "ratio_lower95",
    "ratio_upper95",
    "ratio_lower998",
    "ratio_upper998",
    "national_rate",
    "rate",
    "rate_lower95",
    "rate_upper95",
    "rate_lower998",
    "rate_upper998",
    "ci_method",
)

RATES_RATIO_FIELDS: tuple[str, ...] = (
    "measure",
    "factor",
    "level",
    "base_level",
    "observed",
    "expected",
    "national_rate",
    "std_rate",
    "rate_ratio",
    "chisq_rates",
    "p_rates",
    "sig_rates",
    "chisq_counts",
    "p_counts",
    "sig_counts",
)


def _run_id(run: Run | int) -> int:
    return run.pk if isinstance(run, Run) else int(run)


def compared_with_national(lower: float | None, upper: float | None) -> str:
    """'higher', 'lower' or 'similar': whether the ratio's limits exclude 1 (England)."""
    if lower is None or upper is None:
        return "not known"
    if lower > 1.0:
        return "higher"
    if upper < 1.0:
        return "lower"
    return "similar"


def _result_dict(row: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in RESULT_FIELDS}
    out["run"] = run["pk"]
    out["multiplier"] = run["multiplier"]
    out["compared_with_national_95"] = compared_with_national(
        row["ratio_lower95"], row["ratio_upper95"]
    )
    out["compared_with_national_998"] = compared_with_national(
        row["ratio_lower998"], row["ratio_upper998"]
    )
    return out


def completed_runs():
    return Run.objects.filter(status=Run.Status.COMPLETED).select_related("population", "activity")


def _completed(run: Run | int) -> dict[str, Any] | None:
    return completed_runs().filter(pk=_run_id(run)).values("pk", "multiplier").first()


def run_results(*, run: Run | int, measure: str | None = None) -> list[dict[str, Any]]:
    """Every area's indirectly standardised ratio and rate (with 95% and 99.8% limits) for
    a completed run, optionally for one measure; ordered by measure then area."""
    info = _completed(run)
    if info is None:
        return []
    qs = Result.objects.filter(run_id=info["pk"])
    if measure is not None:
        qs = qs.filter(measure=measure)
    return [_result_dict(r, info) for r in qs.order_by("measure", "area").values(*RESULT_FIELDS)]


def result_for(*, run: Run | int, area: str, measure: str) -> dict[str, Any] | None:
    """One area's result for one measure of a completed run, or None.

    ``area`` is the area as in the files (e.g. "QNC Staffordshire and Stoke-on-Trent") or
    its leading code ("QNC") when that picks out one area.
    """
    info = _completed(run)
    if info is None:
        return None
    qs = Result.objects.filter(run_id=info["pk"], measure=measure)
    row = qs.filter(area=area).values(*RESULT_FIELDS).first()
    if row is None:
        found = list(qs.filter(area__startswith=f"{area} ").values(*RESULT_FIELDS)[:2])
        row = found[0] if len(found) == 1 else None
    return _result_dict(row, info) if row else None


def directly_standardised(*, run: Run | int, measure: str | None = None) -> dict[str, dict]:
    """Directly standardised rates (ESP 2013) by area for commissioners: not published."""
    qs = Result.objects.filter(run=_run_id(run), run__status=Run.Status.COMPLETED)
    if measure is not None:
        qs = qs.filter(measure=measure)
    return {r["area"]: r for r in qs.values("area", *DSR_FIELDS)}


def rates_ratios(*, run: Run | int, measure: str | None = None) -> list[dict[str, Any]]:
    """Rates ratios by sex, IMD quintile and broad age band for a completed run."""
    info = _completed(run)
    if info is None:
        return []
    qs = RatesRatio.objects.filter(run_id=info["pk"])
    if measure is not None:
        qs = qs.filter(measure=measure)
    return [
        {**r, "run": info["pk"], "multiplier": info["multiplier"]}
        for r in qs.order_by("measure", "position").values(*RATES_RATIO_FIELDS)
    ]


def latest_runs() -> list[Run]:
    """The newest completed run for each pair of datasets and parameters, newest first:
    what a letter or the API should cite by default."""
    seen: set[tuple] = set()
    latest = []
    for run in completed_runs().order_by("-finished_at", "-pk"):
        key = (run.population_id, run.activity_id, run.by, run.multiplier)
        if key not in seen:
            seen.add(key)
            latest.append(run)
    return latest


def run_summary(run: Run) -> dict[str, Any]:
    """What a letter says about where its figures came from."""

    def dataset(d: Dataset) -> dict[str, Any]:
        return {
            "name": d.name,
            "source": d.source,
            "period": d.period,
            "sha256": d.sha256,
            "rows": d.row_count,
        }

    return {
        "run": run.pk,
        "status": run.status,
        "population": dataset(run.population),
        "activity": dataset(run.activity),
        "by": run.by,
        "multiplier": run.multiplier,
        "code_version": run.code_version,
        "measures": list(run.measures),
        "areas": run.area_count,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_seconds": run.duration_seconds,
    }


def datasets(kind: str | None = None):
    qs = Dataset.objects.all()
    return qs.filter(kind=kind) if kind else qs


DEFAULT_STALE_AFTER = timedelta(minutes=30)
"""How long a running run may go without a heartbeat before it is presumed dead. Every
stage writes one, and the longest (reading a practice-level extract) takes well under a
minute, so 30 minutes means the worker is gone, not slow."""


def stale_after() -> timedelta:
    """``METRICS_RUN_STALE_AFTER_MINUTES`` from the settings, else 30 minutes."""
    minutes = getattr(settings, "METRICS_RUN_STALE_AFTER_MINUTES", None)
    return DEFAULT_STALE_AFTER if minutes is None else timedelta(minutes=float(minutes))


DEFAULT_PENDING_STALE_AFTER = timedelta(days=1)
"""A run waiting this long for a worker lost its task; a busy queue clears well within."""


def pending_stale_after() -> timedelta:
    """``METRICS_RUN_PENDING_STALE_AFTER_HOURS`` from the settings, else a day."""
    hours = getattr(settings, "METRICS_RUN_PENDING_STALE_AFTER_HOURS", None)
    return DEFAULT_PENDING_STALE_AFTER if hours is None else timedelta(hours=float(hours))


def last_heartbeat(run: Run) -> datetime | None:
    """When the worker last showed it was alive (its claim counts as the first beat)."""
    return run.heartbeat_at or run.started_at


def run_is_stale(run: Run, *, now: datetime | None = None) -> bool:
    """A running run whose worker has been silent for longer than ``stale_after()``: it
    will be marked failed by ``services.fail_stale_runs`` at the next sweep."""
    if run.status != Run.Status.RUNNING:
        return False
    last = last_heartbeat(run) or run.created_at
    return last < (now or timezone.now()) - stale_after()


# -- Disclosure control for anything published -------------------------------------------
#
# Every figure that leaves the admin (the public API, response letters and through them
# the disclosure log) goes through ``disclosure_control`` below, by way of the
# ``published_*`` selectors. The method is NHS England's (formerly NHS Digital's) for its
# secondary care statistics since September 2018, see docs/metrics.md: counts of 1 to 7
# are suppressed and every other count is rounded to the nearest 5. The rounding is what
# protects a suppressed count across separate publications (a by-modality run and an
# all-activity run over the same data, a letter and the API): each published count is
# at most 2 from the truth whatever else is published, so a difference of published
# figures is always uncertain by at least the width of the small numbers it might hide.

SMALL_NUMBER_MAX = 7
"""Observed counts from 1 to 7 are not published: NHS England's (formerly NHS Digital's)
disclosure control for hospital activity statistics, as in the HES Analysis Guide. Zero
is published, since it discloses nothing about a patient."""

ROUNDING_BASE = 5
"""Every other published count is rounded to the nearest 5 (NHS Digital, *Disclosure
control methodology for HES and ECDS*, September 2018; also applied to DID counts in the
Data Quality Maturity Index). Zero stays zero."""

RESULT_DISCLOSIVE: tuple[str, ...] = ("observed", *RESULT_ESTIMATES)
"""Everything from which the count can be worked back (ratio x expected = observed).
``expected`` and ``national_rate`` come from the population and all areas together."""

RATES_RATIO_DISCLOSIVE: tuple[str, ...] = (
    "observed",
    "std_rate",
    "rate_ratio",
    "chisq_rates",
    "p_rates",
    "chisq_counts",
    "p_counts",
)

RATES_RATIO_COMPARISONS: tuple[str, ...] = (
    "rate_ratio",
    "chisq_rates",
    "p_rates",
    "chisq_counts",
    "p_counts",
)
"""A level compared with its base: each gives the base's rate or count away when the
level's own figures are published, so none is published when the base is suppressed."""


def _is_small(observed: float | None) -> bool:
    return observed is not None and 0 < observed <= SMALL_NUMBER_MAX


def round_count(observed: float) -> float:
    """The nearest multiple of ``ROUNDING_BASE``: 8 and 12 become 10, 13 becomes 15.

    A whole count is never exactly half-way between two multiples of 5, so the rule for
    halves (up) only matters for a non-whole input.
    """
    return float(ROUNDING_BASE * math.floor(observed / ROUNDING_BASE + 0.5))


def suppress_small_numbers(
    rows: list[dict[str, Any]], *, group: tuple[str, ...], fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Copies of ``rows`` with small counts suppressed (fields None, ``suppressed`` True).

    Primary suppression: observed 1 to ``SMALL_NUMBER_MAX``. Secondary suppression: the
    rows of a ``group`` (one measure's areas, or one factor's levels) add up to a total
    that can be worked out from what is published (national rate x population), so where a
    group has exactly one suppressed row the next smallest non-zero count is suppressed
    too, and the hidden count cannot be found by subtraction within the run. (Across
    runs and publications the rounding in ``disclosure_control`` protects it.)
    """
    out = [{**r, "suppressed": _is_small(r["observed"])} for r in rows]
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in out:
        groups.setdefault(tuple(r[g] for g in group), []).append(r)
    for members in groups.values():
        if sum(r["suppressed"] for r in members) == 1:
            others = [r for r in members if not r["suppressed"] and (r["observed"] or 0) > 0]
            if others:
                min(others, key=lambda r: (r["observed"], str(r.get("area", ""))))[
                    "suppressed"
                ] = True
    for r in out:
        if r["suppressed"]:
            for name in fields:
                r[name] = None
            if "ci_method" in r:
                r["ci_method"] = ""
            for name in ("compared_with_national_95", "compared_with_national_998"):
                if name in r:
                    r[name] = "suppressed"
            for name in ("sig_rates", "sig_counts"):
                if name in r:
                    r[name] = ""
    return out


def _finite(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _rounded_results(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Published results: counts rounded, and the ratio, rate, limits, method and the
    comparison with England worked again from the rounded count (``core``'s arithmetic),
    so none of them gives a finer count away (ratio x expected = observed)."""
    shown = [r for r in rows if not r["suppressed"]]
    if not shown:
        return rows
    nan = float("nan")
    observed = np.array([round_count(r["observed"]) for r in shown])
    expected = np.array([nan if r["expected"] is None else r["expected"] for r in shown])
    national = np.array([nan if r["national_rate"] is None else r["national_rate"] for r in shown])
    isr = core.standardised_from_totals(observed, expected=expected, reference_rate=national)
    methods = isr.ci_method.tolist()
    for i, r in enumerate(shown):
        r["observed"] = float(observed[i])
        for name in RESULT_ESTIMATES:
            r[name] = _finite(getattr(isr, name)[i])
        r["ci_method"] = methods[i]
        r["compared_with_national_95"] = compared_with_national(
            r["ratio_lower95"], r["ratio_upper95"]
        )
        r["compared_with_national_998"] = compared_with_national(
            r["ratio_lower998"], r["ratio_upper998"]
        )
    return rows


def _rounded_rates_ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Published rates ratios: counts rounded and the standardised rates, ratios and both
    tests worked again from the rounded counts; a level is compared with its base only
    when the base itself is published."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["measure"], r["factor"]), []).append(r)
    for members in groups.values():
        for r in members:
            if r["suppressed"]:
                continue
            r["observed"] = round_count(r["observed"])
            std = None
            if r["expected"] and r["national_rate"] is not None:
                std = _finite(r["observed"] / r["expected"] * r["national_rate"])
            r["std_rate"] = std
        base = next((r for r in members if r["level"] == r["base_level"]), None)
        comparable = base is not None and not base["suppressed"] and bool(base["std_rate"])
        for r in members:
            if r["suppressed"]:
                continue
            for name in RATES_RATIO_COMPARISONS:
                r[name] = None
            r["sig_rates"] = r["sig_counts"] = ""
            if not comparable or r["std_rate"] is None:
                continue
            r["rate_ratio"] = _finite(r["std_rate"] / base["std_rate"])
            if r is base:
                continue
            chisq_r, p_r = core.rates_ratio_significance(r["std_rate"], base_rate=base["std_rate"])
            chisq_c, p_c = core.pearson_chisq_two_groups(
                r["observed"],
                base["observed"],
                exposure_a=r["expected"],
                exposure_b=base["expected"],
            )
            r["chisq_rates"], r["p_rates"] = _finite(chisq_r), _finite(p_r)
            r["chisq_counts"], r["p_counts"] = _finite(chisq_c), _finite(p_c)
            r["sig_rates"] = str(core.significance_stars(p_r)) if r["p_rates"] is not None else ""
            r["sig_counts"] = (
                str(core.significance_stars(p_c)) if r["p_counts"] is not None else ""
            )
    return rows


def disclosure_control(rows: list[dict[str, Any]], *, kind: str) -> list[dict[str, Any]]:
    """The one gate for published metrics figures (``kind`` "results" or "rates_ratios").

    Copies of ``rows`` with small numbers suppressed (``suppress_small_numbers``: 1 to 7,
    and a second cell where one alone would follow from the group's total), every other
    count rounded to the nearest 5, and everything derived from a count worked again from
    the rounded count. Zero stays zero; ``expected`` and England's rate are shown as they
    are, since they come from the population and the national totals.
    """
    if kind == "results":
        hidden = suppress_small_numbers(rows, group=("measure",), fields=RESULT_DISCLOSIVE)
        return _rounded_results(hidden)
    if kind == "rates_ratios":
        hidden = suppress_small_numbers(
            rows, group=("measure", "factor"), fields=RATES_RATIO_DISCLOSIVE
        )
        return _rounded_rates_ratios(hidden)
    raise ValueError(f"no disclosure control for {kind!r}")


def published_run_results(*, run: Run | int, measure: str | None = None) -> list[dict[str, Any]]:
    """``run_results`` as the public may see them (``disclosure_control``).

    The public API and anything published (disclosure log, response letters) should call
    this, not ``run_results``; the admin shows commissioners the unsuppressed figures.
    Secondary suppression works within each measure, so one measure's rows can be
    controlled on their own: the result is the same as for the whole run.
    """
    return disclosure_control(run_results(run=run, measure=measure), kind="results")


def published_result_for(*, run: Run | int, area: str, measure: str) -> dict[str, Any] | None:
    """``result_for`` under disclosure control, for a letter that will be published."""
    found = result_for(run=run, area=area, measure=measure)
    if found is None:
        return None
    for row in published_run_results(run=run, measure=measure):
        if row["area"] == found["area"]:
            return row
    return None  # pragma: no cover - result_for found it in the same run


def published_rates_ratios(*, run: Run | int, measure: str | None = None) -> list[dict[str, Any]]:
    """``rates_ratios`` under disclosure control, per measure and factor."""
    return disclosure_control(rates_ratios(run=run, measure=measure), kind="rates_ratios")
