"""Writes for the imaging metrics: dataset uploads, runs and their results. Every upload and
every run is audited (``foiregister.audit``, the one FOI module this app may use).

Files are checked by ``metrics.io`` exactly as the command line checks them, so a refused
upload says which file, line and field is wrong. A run reads its two datasets from storage
(checking each still has the SHA-256 recorded at upload), computes with ``metrics.core``
and writes its results once; ``metrics.tasks.compute_run`` runs it in Celery.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from foiregister.kernel.audit import AuditAction, record_event, system, user_or_none

from . import core, io
from .models import DSR_FIELDS, RESULT_ESTIMATES, Dataset, RatesRatio, Result, Run
from .selectors import pending_stale_after, stale_after

# Work nobody clicked, named in the audit log: the worker finishing a run whose creator has
# since been removed, and the beat job that fails runs whose worker died.
WORKER = system("metrics worker: compute run")
STALE_RUN_SWEEP = system("celery beat: fail stale metrics runs")

log = logging.getLogger(__name__)

BATCH = 2000


class MetricsError(Exception):
    """A request the metrics app refuses; ``message`` is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatasetInvalid(MetricsError):
    """An uploaded file failed its checks; the message names file, line and field."""


class RunAbandoned(Exception):
    """The run stopped being this worker's: it was marked failed as stale meanwhile."""


# -- code version -------------------------------------------------------------------------


@functools.cache
def code_version() -> str:
    """``git describe`` of the checkout plus a hash of the method's code (core and io).

    The hash identifies the method even where there is no git checkout (a built image).
    """
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("core.py", "io.py"):
        digest.update((here / name).read_bytes())
    method = f"metrics {digest.hexdigest()[:12]}"
    try:
        described = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = ""
    return f"{described}; {method}" if described else method


# -- datasets -----------------------------------------------------------------------------


@dataclass
class CheckedFile:
    """What the checks found in an uploaded file."""

    filename: str
    sha256: str
    size_bytes: int
    row_count: int
    area_count: int
    measure_column: str = ""
    measures: list[str] = field(default_factory=list)


def _safe_name(name: str) -> str:
    base = Path(name or "upload.csv").name.strip() or "upload.csv"
    return "".join(c if c.isalnum() or c in "-_. " else "_" for c in base)[:200]


def _copy(source, target: Path) -> tuple[str, int]:
    """Copy a file-like object to ``target``; return its SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    if hasattr(source, "seek"):
        source.seek(0)
    chunks: Iterable[bytes] = (
        source.chunks() if hasattr(source, "chunks") else iter(lambda: source.read(1 << 20), b"")
    )
    with target.open("wb") as out:
        for chunk in chunks:
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if hasattr(source, "seek"):
        source.seek(0)
    return digest.hexdigest(), size


def _input_error(err: io.InputError, directory: str) -> str:
    """The checker's message with the temporary directory taken out of file names."""
    return str(io.physical_lines(err)).replace(str(Path(directory)) + "/", "")


def _check_path(path: Path, *, kind: str, measure_column: str | None) -> dict[str, Any]:
    if kind == Dataset.Kind.POPULATION:
        pop = io.read_population(path)
        return {"row_count": pop.rows, "area_count": len(pop.areas)}
    by = measure_column or io.counts_measure_column(path)
    counts = io.check_counts(path, by=by)
    return {
        "row_count": counts.rows,
        "area_count": len(counts.areas),
        "measure_column": by or "",
        "measures": [str(m) for m in counts.measures] if by else [],
    }


def check_upload(*, file, kind: str, measure_column: str | None = None) -> CheckedFile:
    """Check an uploaded CSV with ``metrics.io``; raise ``DatasetInvalid`` naming the
    file, line and field of the first problem."""
    if kind not in Dataset.Kind.values:
        raise MetricsError(f"unknown dataset kind {kind!r}")
    filename = _safe_name(getattr(file, "name", "") or "upload.csv")
    with tempfile.TemporaryDirectory(prefix="metrics-upload-") as tmp:
        path = Path(tmp) / filename
        sha256, size = _copy(file, path)
        try:
            found = _check_path(path, kind=kind, measure_column=measure_column or None)
        except io.InputError as err:
            raise DatasetInvalid(_input_error(err, tmp)) from None
    return CheckedFile(filename=filename, sha256=sha256, size_bytes=size, **found)


def upload_dataset(
    *,
    kind: str,
    name: str,
    source: str,
    period: str,
    file,
    by,
    measure_column: str | None = None,
    notes: str = "",
    checked: CheckedFile | None = None,
) -> Dataset:
    """Check and store an uploaded population or activity file (audited).

    ``checked`` is the result of ``check_upload`` on this same file when a form has
    already checked it; it is trusted only if the file's SHA-256 still matches.
    """
    if Dataset.objects.filter(name=name).exists():
        raise MetricsError(f"a dataset called {name!r} already exists")
    if checked is None:
        checked = check_upload(file=file, kind=kind, measure_column=measure_column)
    if not isinstance(file, File):
        file = File(file, name=checked.filename)
    with transaction.atomic():
        dataset = Dataset(
            kind=kind,
            name=name,
            source=source,
            period=period,
            original_filename=checked.filename,
            sha256=checked.sha256,
            size_bytes=checked.size_bytes,
            row_count=checked.row_count,
            area_count=checked.area_count,
            measure_column=checked.measure_column,
            measures=checked.measures,
            notes=notes,
            uploaded_by=user_or_none(by),
        )
        dataset.file.save(checked.filename, file, save=False)
        stored_sha = _stored_sha256(dataset)
        if stored_sha != checked.sha256:
            raise DatasetInvalid(f"{checked.filename}: the file changed while it was uploaded")
        dataset.save()
        record_event(
            action=AuditAction.METRICS_DATASET_UPLOAD,
            obj=dataset,
            by=by,
            changes={
                "kind": kind,
                "name": name,
                "source": source,
                "period": period,
                "file": checked.filename,
                "sha256": checked.sha256,
                "rows": checked.row_count,
                "areas": checked.area_count,
                "measure_column": checked.measure_column,
            },
        )
    return dataset


def _stored_sha256(dataset: Dataset) -> str:
    digest = hashlib.sha256()
    with dataset.file.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- runs ---------------------------------------------------------------------------------


def check_run_parameters(
    *, population: Dataset, activity: Dataset, measure_column: str | None, multiplier: float
) -> str:
    """The measure column a run will use; ``MetricsError`` if the parameters cannot work."""
    if population.kind != Dataset.Kind.POPULATION:
        raise MetricsError(f"{population} is not a population dataset")
    if activity.kind != Dataset.Kind.ACTIVITY:
        raise MetricsError(f"{activity} is not an activity dataset")
    column = activity.measure_column if measure_column is None else measure_column
    if column != activity.measure_column:
        have = (
            f"measure column {activity.measure_column!r}"
            if activity.measure_column
            else "no measure column"
        )
        raise MetricsError(f"{activity} has {have}, not {column or 'none'!r}")
    if not (math.isfinite(multiplier) and multiplier >= 1):
        raise MetricsError("the multiplier must be a number of people, 1 or more")
    return column


def create_run(
    *,
    population: Dataset,
    activity: Dataset,
    measure_column: str | None = None,
    multiplier: float = 10_000.0,
    by,
) -> Run:
    """A pending run on two datasets (audited). Compute it with ``tasks.compute_run``
    (after the transaction commits) or ``compute_run`` directly."""
    column = check_run_parameters(
        population=population,
        activity=activity,
        measure_column=measure_column,
        multiplier=multiplier,
    )
    run = Run.objects.create(
        population=population,
        activity=activity,
        by=column,
        multiplier=float(multiplier),
        code_version=code_version(),
        created_by=user_or_none(by),
    )
    record_event(
        action=AuditAction.METRICS_RUN_CREATE,
        obj=run,
        by=by,
        changes={
            "population": f"{population.name} (sha256 {population.sha256})",
            "activity": f"{activity.name} (sha256 {activity.sha256})",
            "by": column,
            "multiplier": run.multiplier,
            "code_version": run.code_version,
        },
    )
    return run


def rerun(*, run: Run, by) -> Run:
    """A new pending run with the same datasets and parameters (results are never
    recomputed in place)."""
    return create_run(
        population=run.population,
        activity=run.activity,
        measure_column=run.by,
        multiplier=run.multiplier,
        by=by,
    )


def _progress(run: Run, percent: int, stage: str, **fields: Any) -> None:
    """Write progress and a heartbeat at once (outside any results transaction) so the
    admin sees it; stop if the run is no longer running (marked failed as stale)."""
    run.progress, run.stage = percent, stage
    for k, v in fields.items():
        setattr(run, k, v)
    now = timezone.now()
    run.heartbeat_at = now
    updated = Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING).update(
        progress=percent, stage=stage, heartbeat_at=now, **fields
    )
    if not updated:
        raise RunAbandoned(run.pk)


def _materialise(dataset: Dataset, directory: str) -> Path:
    """Copy a stored dataset to a local file, checking it is still the uploaded file."""
    path = Path(directory) / dataset.kind / dataset.original_filename
    path.parent.mkdir(parents=True, exist_ok=True)
    with dataset.file.open("rb") as f:
        sha256, _ = _copy(f, path)
    if sha256 != dataset.sha256:
        raise MetricsError(
            f"{dataset.original_filename}: stored file does not match its SHA-256 "
            f"({dataset.sha256[:12]}...): it was changed after upload"
        )
    return path


def _num(x: float) -> float | None:
    return None if x != x or x in (math.inf, -math.inf) else float(x)


def _dsr(counts, pop, *, multiplier: float) -> dict[str, list]:
    """Directly standardised rates by measure and area, as ``python -m metrics dsr``."""
    n_m, n_a = counts.values.shape[:2]
    by_age = (core.N_SEXES, core.N_AGE_BANDS, core.N_IMD)
    c = counts.values.reshape(n_m, n_a, *by_age).sum(axis=(2, 4))
    p = pop.values.reshape(n_a, *by_age).sum(axis=(1, 3))
    res = core.directly_standardised(c, population=p[None], multiplier=multiplier)
    names = ("value", "lower95", "upper95", "lower998", "upper998")
    return {field: getattr(res, n).tolist() for field, n in zip(DSR_FIELDS, names, strict=True)}


def _result_rows(
    run: Run, measures: list[str], areas: list[str], isr, dsr: dict[str, list] | None = None
) -> list[Result]:
    names = ("expected", *RESULT_ESTIMATES)
    cols = {n: getattr(isr, n).tolist() for n in names} | (dsr or {})
    names = tuple(cols)
    observed = isr.observed.tolist()
    national = isr.reference_rate.tolist()
    method = isr.ci_method.tolist()
    rows = []
    for m, measure in enumerate(measures):
        for a, area in enumerate(areas):
            rows.append(
                Result(
                    run=run,
                    measure=measure,
                    area=area,
                    observed=float(observed[m][a]),
                    national_rate=_num(national[m]),
                    ci_method=method[m][a],
                    **{n: _num(cols[n][m][a]) for n in names},
                )
            )
    return rows


def _rates_ratio_rows(run: Run, measures: list[str], results: dict) -> list[RatesRatio]:
    rows = []
    for m, measure in enumerate(measures):
        position = 0
        for factor in core.RATES_RATIO_FACTORS:
            r = results[factor]
            sig_r = core.significance_stars(r.p_rates[m]).tolist()
            sig_c = core.significance_stars(r.p_counts[m]).tolist()
            for j, level in enumerate(r.levels):
                base = j == 0
                rows.append(
                    RatesRatio(
                        run=run,
                        measure=measure,
                        factor=factor,
                        level=str(level),
                        base_level=str(r.base_level),
                        position=position,
                        observed=float(r.observed[m, j]),
                        expected=_num(r.expected[m, j]),
                        national_rate=_num(r.national_rate[m]),
                        std_rate=_num(r.std_rate[m, j]),
                        rate_ratio=_num(r.rate_ratio[m, j]),
                        chisq_rates=None if base else _num(r.chisq_rates[m, j]),
                        p_rates=None if base else _num(r.p_rates[m, j]),
                        sig_rates="" if base else sig_r[j],
                        chisq_counts=None if base else _num(r.chisq_counts[m, j]),
                        p_counts=None if base else _num(r.p_counts[m, j]),
                        sig_counts="" if base else sig_c[j],
                    )
                )
                position += 1
    return rows


def compute_run(run_id: int) -> Run:
    """Compute a pending run and store its results; a no-op for a run already claimed.

    Progress (percent and stage) is written as it goes. A bad file (a population that
    does not cover the activity, say) fails the run with the checker's message.
    """
    now = timezone.now()
    claimed = Run.objects.filter(pk=run_id, status=Run.Status.PENDING).update(
        status=Run.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        progress=1,
        stage="Reading the population",
        error="",
    )
    run = Run.objects.select_related("population", "activity", "created_by").get(pk=run_id)
    if not claimed:
        return run
    started = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="metrics-run-")
    try:
        pop_path = _materialise(run.population, tmp)
        pop = io.read_population(pop_path)
        _progress(run, 15, "Reading the activity")
        act_path = _materialise(run.activity, tmp)
        counts = io.read_counts(act_path, population=pop, by=run.by or None)
        _progress(run, 35, "Standardising rates")
        isr = core.indirectly_standardised(
            counts.values, population=pop.values, multiplier=run.multiplier
        )
        _progress(run, 50, "Rates ratios")
        ratios = core.rates_ratios(
            counts.values.sum(axis=1), population=pop.values.sum(axis=0), multiplier=run.multiplier
        )
        measures = [str(m) for m in counts.measures]
        areas = [str(a) for a in pop.areas]
        dsr = _dsr(counts, pop, multiplier=run.multiplier)
        _progress(run, 60, "Storing results", measures=measures, area_count=len(areas))
        results = _result_rows(run, measures, areas, isr, dsr)
        for i in range(0, len(results), BATCH):
            Result.objects.bulk_create(results[i : i + BATCH])
            done = min(i + BATCH, len(results))  # not past 100%: a small run has one batch
            _progress(run, 60 + int(35 * done / max(len(results), 1)), "Storing results")
        RatesRatio.objects.bulk_create(_rates_ratio_rows(run, measures, ratios), batch_size=BATCH)
    except RunAbandoned:
        log.warning("metrics run %s was marked failed while this worker computed it", run.pk)
        return _discard_abandoned(run)
    except (io.InputError, MetricsError) as err:
        message = _input_error(err, tmp) if isinstance(err, io.InputError) else err.message
        return _fail(run, message, started)
    except Exception as err:  # recorded on the run for the commissioner to see
        log.exception("metrics run %s failed", run.pk)
        return _fail(run, f"{type(err).__name__}: {err}", started)
    finally:
        _rmtree(tmp)
    with transaction.atomic():
        current = Run.objects.select_for_update().get(pk=run.pk)
        if current.status != Run.Status.RUNNING:  # failed as stale after the last heartbeat
            log.warning("metrics run %s was marked failed while this worker computed it", run.pk)
            return _discard_abandoned(run)
        run.status = Run.Status.COMPLETED
        run.progress, run.stage = 100, "Completed"
        run.finished_at = timezone.now()
        run.duration_seconds = time.perf_counter() - started
        run.save(
            update_fields=[
                "status",
                "progress",
                "stage",
                "finished_at",
                "duration_seconds",
                "measures",
                "area_count",
            ]
        )
        record_event(
            action=AuditAction.METRICS_RUN_COMPLETE,
            obj=run,
            by=run.created_by or WORKER,
            changes={
                "results": len(results),
                "measures": len(measures),
                "areas": len(areas),
                "seconds": round(run.duration_seconds, 3),
            },
        )
    return run


def _discard_abandoned(run: Run) -> Run:
    """Remove rows this worker wrote for a run that was failed under it; keep it failed."""
    with transaction.atomic():
        Result.objects.filter(run=run, run__status=Run.Status.FAILED).delete()
        RatesRatio.objects.filter(run=run, run__status=Run.Status.FAILED).delete()
    run.refresh_from_db()
    return run


def _fail(run: Run, message: str, started: float) -> Run:
    with transaction.atomic():
        current = Run.objects.select_for_update().get(pk=run.pk)
        if current.status != Run.Status.RUNNING:  # already failed as stale: keep that
            return _discard_abandoned(run)
        # Partial rows of a run that never completed are not results: remove them.
        Result.objects.filter(run=run).delete()
        RatesRatio.objects.filter(run=run).delete()
        run.status = Run.Status.FAILED
        run.error = message
        run.stage = "Failed"
        run.finished_at = timezone.now()
        run.duration_seconds = time.perf_counter() - started
        run.save(update_fields=["status", "error", "stage", "finished_at", "duration_seconds"])
        record_event(
            action=AuditAction.METRICS_RUN_FAIL,
            obj=run,
            by=run.created_by or WORKER,
            changes={"error": message},
        )
    return run


def fail_stale_runs(
    *, now: datetime | None = None, older_than: timedelta | None = None
) -> list[int]:
    """Mark failed every running run whose worker has been silent for ``older_than``
    (default ``stale_after()``); return their ids. Audited; partial rows are removed.

    A worker killed mid-run (out of memory, a deploy, a lost machine) leaves its run
    "Running" with no one to finish it; this is the rule that says when it is dead.
    Celery beat calls it through ``tasks.fail_stale_runs``. If the worker was only slow,
    its next heartbeat finds the run failed and it stops and discards what it wrote.

    A run still waiting to start after ``pending_stale_after()`` (a day) lost its task
    (the queue was restarted, say): it is failed too, so it can be started again. A worker
    that picks the task up later finds it no longer pending and does nothing.
    """
    now = now or timezone.now()
    cutoff = now - (older_than if older_than is not None else stale_after())
    failed = []
    lost = Run.objects.filter(
        status=Run.Status.PENDING, created_at__lt=now - pending_stale_after()
    )
    for run in lost:
        with transaction.atomic():
            claimed = Run.objects.filter(pk=run.pk, status=Run.Status.PENDING).update(
                status=Run.Status.FAILED,
                stage="Failed (never started)",
                error="This run never started: its task was lost (the queue may have been "
                "restarted). Start a new run with the same datasets.",
                finished_at=now,
            )
            if claimed:
                record_event(
                    action=AuditAction.METRICS_RUN_STALE,
                    obj=run,
                    by=STALE_RUN_SWEEP,
                    changes={"created_at": run.created_at.isoformat(), "stage": "pending"},
                )
                failed.append(run.pk)
    candidates = Run.objects.filter(status=Run.Status.RUNNING).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            run = (
                Run.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Run.Status.RUNNING)
                .first()
            )
            last = run and (run.heartbeat_at or run.started_at or run.created_at)
            if run is None or last >= cutoff:
                continue
            Result.objects.filter(run=run).delete()
            RatesRatio.objects.filter(run=run).delete()
            silent, stage = now - last, run.stage
            run.status = Run.Status.FAILED
            run.error = (
                f"The worker computing this run stopped: no progress for "
                f"{int(silent.total_seconds() // 60)} minutes after "
                f"{run.stage or 'starting'!r} ({run.progress}%). No results were kept; "
                f"start a new run with the same datasets."
            )
            run.stage = "Failed (worker stopped)"
            run.finished_at = now
            run.duration_seconds = (
                (last - run.started_at).total_seconds() if run.started_at else None
            )
            run.save(update_fields=["status", "error", "stage", "finished_at", "duration_seconds"])
            record_event(
                action=AuditAction.METRICS_RUN_STALE,
                obj=run,
                by=STALE_RUN_SWEEP,
                changes={
                    "last_heartbeat": last.isoformat(),
                    "stage": stage,
                    "progress": run.progress,
                },
            )
            failed.append(run.pk)
    return failed


def _rmtree(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)


__all__ = [
    "CheckedFile",
    "DatasetInvalid",
    "MetricsError",
    "check_upload",
    "code_version",
    "compute_run",
    "create_run",
    "fail_stale_runs",
    "rerun",
    "upload_dataset",
]
