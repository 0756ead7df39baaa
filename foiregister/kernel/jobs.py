"""Shared by the import jobs of the request and contract registers: a job row that a watcher
can read while the job's own transaction is still open, how a preview and a commit are
written on the job, and the one shape of a bad row's error (file, line, column, value,
reason) that both importers report.

A job model has ``Status`` (uploaded, previewed, queued, running, succeeded, failed),
``rows_total``, ``rows_done``, ``errors`` (``RowError.as_dict()``s), ``summary`` and
``finished_at``; a result has ``rows``, ``errors`` and ``summary()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone


def save_progress(model, job_id: int, done: int, total: int) -> None:
    """Write ``rows_done``/``rows_total`` of ``model`` row ``job_id`` on a second connection
    in autocommit, so the job's page shows progress while the import's transaction is still
    open. SQLite (the demo run) allows one writer, so there progress appears only at the
    end."""
    if connection.vendor == "sqlite":
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {model._meta.db_table} SET rows_done = %s, rows_total = %s WHERE id = %s",
                [done, total, job_id],
            )
    finally:
        side.close()


def record_preview(job, result, *, rows_done: int) -> None:
    """The job is checked: every bad row, or the counts a commit would make, land on it."""
    job.status = job.Status.PREVIEWED
    job.rows_total = result.rows
    job.rows_done = rows_done
    job.errors = [e.as_dict() for e in result.errors]
    job.summary = result.summary()
    job.save(update_fields=["status", "rows_total", "rows_done", "errors", "summary"])


def record_success(model, job_id: int, result) -> None:
    """The job's commit succeeded: every row written."""
    model.objects.filter(pk=job_id).update(
        status=model.Status.SUCCEEDED,
        errors=[],
        summary=result.summary(),
        rows_done=result.rows,
        finished_at=timezone.now(),
    )


def record_failure(model, job_id: int, errors: list[RowError], *, summary=None) -> None:
    """The job's commit failed and wrote nothing; why, and the summary when it got that far."""
    fields = {"summary": summary} if summary is not None else {}
    model.objects.filter(pk=job_id).update(
        status=model.Status.FAILED,
        errors=[e.as_dict() for e in errors],
        rows_done=0,
        finished_at=timezone.now(),
        **fields,
    )


def max_upload_bytes(setting: str, default_mb: float) -> int:
    """The largest file an import takes, from the setting ``setting`` (in MB)."""
    from django.conf import settings

    return int(float(getattr(settings, setting, default_mb)) * 1024 * 1024)


def too_large(size: int, filename: str, *, setting: str, default_mb: float) -> str | None:
    """The error to show when ``size`` bytes is over the limit, naming the file and the
    setting; None when it fits."""
    limit = max_upload_bytes(setting, default_mb)
    if size <= limit:
        return None
    return (
        f"{filename} is {size / 1024 / 1024:.1f} MB; the largest file that can be imported "
        f"is {limit / 1024 / 1024:.0f} MB ({setting}). Split it, or import it from the "
        "command line with a higher limit."
    )


@dataclass(frozen=True)
class RowError:
    filename: str
    line: int
    column: str
    value: Any
    reason: str

    def __str__(self) -> str:
        where = f"{self.filename} line {self.line}"
        if self.column:
            return f"{where}, column {self.column}: {self.value!r} {self.reason}"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "line": self.line,
            "column": self.column,
            "value": "" if self.value is None else str(self.value),
            "reason": self.reason,
            "message": str(self),
        }
