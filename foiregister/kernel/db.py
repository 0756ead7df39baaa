"""Migration helpers shared by the apps whose records the database itself must guard.

Issued letters and completed metrics runs are kept unchanged by triggers, which PostgreSQL
and SQLite (the embedded demo) write differently; each migration gives both dialects and
this runs the one for the connection in use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import migrations


def _execute_for_vendor(statements_by_vendor: Mapping[str, Sequence[str]]):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql, params=None)  # no %-interpolation of RAISE

    return apply


def run_sql_by_vendor(
    *,
    forward: Mapping[str, Sequence[str]],
    backward: Mapping[str, Sequence[str]],
) -> migrations.RunPython:
    """A migration operation running ``forward[vendor]`` (``backward[vendor]`` when
    unapplied), e.g. ``{"postgresql": [...], "sqlite": [...]}``; other vendors run nothing."""
    return migrations.RunPython(
        _execute_for_vendor(forward), _execute_for_vendor(backward), elidable=False
    )
