"""Database triggers that make the audit log append-only (issue 12, item 16).

The admin is read-only and services only ever insert, but a row that the base manager,
``QuerySet.update``/``delete``, a data migration, a shell or raw SQL could rewrite is no
evidence. These triggers make the database refuse every UPDATE and DELETE of a row, for
every role that connects, the application's included; INSERT stays open. Unlike the issued
letter guard there is no exception: nothing about an audit row may ever change.

PostgreSQL raises ``restrict_violation`` (SQLSTATE 23001), SQLite ``RAISE(ABORT)``; both
reach Django as ``IntegrityError``. PostgreSQL's row triggers do not fire on TRUNCATE, which
only the table's owner may run, so test database flushes work; SQLite has no TRUNCATE and
its flush is a DELETE, which the test suite alone works round (``tests/conftest.py``).
"""

from django.db import migrations

from foiregister.kernel.db import run_sql_by_vendor

TABLE = "foiregister_auditevent"

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION foiregister_refuse_audit_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit event % cannot be %: the audit log is append-only',
            OLD.id, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
            USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER foiregister_auditevent_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION foiregister_refuse_audit_change();
    """,
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS foiregister_auditevent_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS foiregister_refuse_audit_change();",
]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER foiregister_auditevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'an audit event cannot be changed: the log is append-only'); END;
    """,
    f"""
    CREATE TRIGGER foiregister_auditevent_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'an audit event cannot be deleted: the log is append-only'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS foiregister_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS foiregister_auditevent_no_delete;",
]


class Migration(migrations.Migration):
    dependencies = [("foiregister", "0003_deadline_recomputation")]

    operations = [
        run_sql_by_vendor(
            forward={"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            backward={"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
