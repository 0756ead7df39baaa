"""Migration helpers for the PostgreSQL-only parts of the disclosure log."""

from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """Add a full-text (GIN) index on PostgreSQL and only record it elsewhere: the embedded
    demo database (SQLite) has no GIN indexes and searches with a plain substring match."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RemoveIndexOnPostgres(migrations.RemoveIndex):
    """Drop an index that ``AddIndexOnPostgres`` created; elsewhere there is none to drop."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
