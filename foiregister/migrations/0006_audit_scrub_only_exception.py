"""The append-only audit log's one exception: erasing a requester's values from it.

Records management (issue 12, item 15) erases a requester's details once the retention
period ends, and no audit row may keep them (``foiregister.letters.retention``). The
triggers of ``0004_audit_log_append_only`` now allow exactly that rewrite and nothing else:
an UPDATE that sets ``scrubbed_on`` (never earlier than a previous scrub) and changes only
``object_repr``, ``note`` and ``changes``. Who did what, to which object, when and for which
organisation stay as written; DELETE stays refused.
"""

from django.db import migrations

from foiregister.kernel.db import run_sql_by_vendor

TABLE = "foiregister_auditevent"
SCRUBBED = "ARRAY['object_repr', 'note', 'changes', 'scrubbed_on']"

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION foiregister_refuse_audit_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND NEW.scrubbed_on IS NOT NULL
           AND (OLD.scrubbed_on IS NULL OR OLD.scrubbed_on <= NEW.scrubbed_on)
           AND (to_jsonb(NEW) - {SCRUBBED}) = (to_jsonb(OLD) - {SCRUBBED}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit event % cannot be %: the audit log is append-only',
            OLD.id, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
            USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
]
POSTGRES_BACKWARD = [
    """
    CREATE OR REPLACE FUNCTION foiregister_refuse_audit_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit event % cannot be %: the audit log is append-only',
            OLD.id, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
            USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
]

UNCHANGED = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id",
        "at",
        "actor_id",
        "actor",
        "action",
        "object_type",
        "object_id",
        "organisation_id",
    )
)
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS foiregister_auditevent_no_update;",
    f"""
    CREATE TRIGGER foiregister_auditevent_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT (
        NEW.scrubbed_on IS NOT NULL
        AND (OLD.scrubbed_on IS NULL OR OLD.scrubbed_on <= NEW.scrubbed_on)
        AND {UNCHANGED}
    )
    BEGIN SELECT RAISE(ABORT, 'an audit event cannot be changed: the log is append-only'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS foiregister_auditevent_no_update;",
    f"""
    CREATE TRIGGER foiregister_auditevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'an audit event cannot be changed: the log is append-only'); END;
    """,
]


class Migration(migrations.Migration):
    dependencies = [("foiregister", "0005_requester_retention")]

    operations = [
        run_sql_by_vendor(
            forward={"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            backward={"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
