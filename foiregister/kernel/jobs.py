"""Shared by the import jobs of the request and contract registers: a job row that a watcher
can read while the job's own transaction is still open, and the one shape of a bad row's
error (file, line, column, value, reason) that both importers report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections


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
