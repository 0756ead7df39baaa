"""Migration helpers shared by the apps: what PostgreSQL and SQLite (the embedded demo) do
differently.

Issued letters and completed metrics runs are kept unchanged by triggers, which the two
write differently; each migration gives both dialects and this runs the one for the
connection in use. Full-text (GIN) indexes exist on PostgreSQL only.
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


class _OnPostgresOnly:
    """Run the operation on PostgreSQL and only record it elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgres(_OnPostgresOnly, migrations.AddIndex):
    """Add a full-text (GIN) index on PostgreSQL and only record it elsewhere: the embedded
    demo database (SQLite) has no GIN indexes and searches with a plain substring match."""


class RemoveIndexOnPostgres(_OnPostgresOnly, migrations.RemoveIndex):
    """Drop an index that ``AddIndexOnPostgres`` created; elsewhere there is none to drop."""
