"""Reads for letters, the API and the admin: completed runs and their results as plain dicts.

Only completed runs have results (a running or failed run returns none), and a completed
run never changes, so a letter that cites ``run`` and an area reads the same figures for
ever. Rates are per ``multiplier`` people (10,000 unless the run says otherwise).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import RESULT_ESTIMATES, Dataset, RatesRatio, Result, Run

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

SMALL_NUMBER_MAX = 7
"""Observed counts from 1 to 7 are not published: NHS England's (formerly NHS Digital's)
disclosure control for hospital activity statistics, as in the HES Analysis Guide. Zero
is published, since it discloses nothing about a patient."""

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


def _is_small(observed: float | None) -> bool:
    return observed is not None and 0 < observed <= SMALL_NUMBER_MAX


def suppress_small_numbers(
    rows: list[dict[str, Any]], *, group: tuple[str, ...], fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Copies of ``rows`` with small counts suppressed (fields None, ``suppressed`` True).

    Primary suppression: observed 1 to ``SMALL_NUMBER_MAX``. Secondary suppression: the
    rows of a ``group`` (one measure's areas, or one factor's levels) add up to a total
    that can be worked out from what is published (national rate x population), so where a
    group has exactly one suppressed row the next smallest non-zero count is suppressed
    too, and the hidden count cannot be found by subtraction.
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


def published_run_results(*, run: Run | int, measure: str | None = None) -> list[dict[str, Any]]:
    """``run_results`` as the public may see them: small numbers suppressed.

    The public API and anything published (disclosure log, response letters) should call
    this, not ``run_results``; the admin shows commissioners the unsuppressed figures.
    Secondary suppression works within each measure, so one measure's rows can be
    suppressed on their own: the result is the same as for the whole run.
    """
    return suppress_small_numbers(
        run_results(run=run, measure=measure), group=("measure",), fields=RESULT_DISCLOSIVE
    )


def published_result_for(*, run: Run | int, area: str, measure: str) -> dict[str, Any] | None:
    """``result_for`` with small numbers suppressed, for a letter that will be published."""
    found = result_for(run=run, area=area, measure=measure)
    if found is None:
        return None
    for row in published_run_results(run=run, measure=measure):
        if row["area"] == found["area"]:
            return row
    return None  # pragma: no cover - result_for found it in the same run


def published_rates_ratios(*, run: Run | int, measure: str | None = None) -> list[dict[str, Any]]:
    """``rates_ratios`` with small numbers suppressed, per measure and factor."""
    return suppress_small_numbers(
        rates_ratios(run=run, measure=measure),
        group=("measure", "factor"),
        fields=RATES_RATIO_DISCLOSIVE,
    )
