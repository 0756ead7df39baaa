"""Database triggers that keep a completed run and its results as they were.

A letter cites a run by number, so once a run has completed nothing may change it or its
result rows. The models and querysets already refuse (``ImmutableError``); these triggers
make the database refuse too, so the base manager, ``QuerySet._update``, a data migration
or raw SQL cannot get round the rule. The one change allowed to a completed run is
``created_by`` becoming null, which Django's ``SET_NULL`` does when a user is removed.

PostgreSQL raises ``restrict_violation`` (SQLSTATE 23001), SQLite ``RAISE(ABORT)``; both
reach Django as ``IntegrityError``. TRUNCATE is not guarded, so test database flushes work.
"""

from django.db import migrations

from foiregister.kernel.db import run_sql_by_vendor

RESULT_TABLES = ("metrics_result", "metrics_ratesratio")

# Every column of metrics_run but created_by_id (SQLite has no row comparison helper).
RUN_COLUMNS = (
    "population_id", "activity_id", '"by"', "multiplier", "code_version", "status",
    "progress", "stage", "error", "measures", "area_count", "created_at", "started_at",
    "heartbeat_at", "finished_at", "duration_seconds",
)  # fmt: skip

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION metrics_refuse_completed_run_change() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'completed' THEN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'metrics run % has completed and is cited; it cannot be deleted',
                    OLD.id USING ERRCODE = 'restrict_violation';
            END IF;
            IF (to_jsonb(NEW) - 'created_by_id') IS DISTINCT FROM (to_jsonb(OLD) - 'created_by_id')
               OR (NEW.created_by_id IS NOT NULL
                   AND NEW.created_by_id IS DISTINCT FROM OLD.created_by_id) THEN
                RAISE EXCEPTION 'metrics run % has completed and is cited; it cannot change',
                    OLD.id USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER metrics_run_completed_guard
    BEFORE UPDATE OR DELETE ON metrics_run
    FOR EACH ROW EXECUTE FUNCTION metrics_refuse_completed_run_change();
    """,
    """
    CREATE OR REPLACE FUNCTION metrics_refuse_completed_result_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
            SELECT 1 FROM metrics_run WHERE id = OLD.run_id AND status = 'completed'
        ) THEN
            RAISE EXCEPTION 'results of completed metrics run % cannot be changed or deleted',
                OLD.run_id USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
            SELECT 1 FROM metrics_run WHERE id = NEW.run_id AND status = 'completed'
        ) THEN
            RAISE EXCEPTION 'results cannot be added to completed metrics run %',
                NEW.run_id USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {table}_completed_guard
        BEFORE INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION metrics_refuse_completed_result_change();
        """
        for table in RESULT_TABLES
    ),
]

POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_completed_guard ON {table};" for table in RESULT_TABLES),
    "DROP FUNCTION IF EXISTS metrics_refuse_completed_result_change();",
    "DROP TRIGGER IF EXISTS metrics_run_completed_guard ON metrics_run;",
    "DROP FUNCTION IF EXISTS metrics_refuse_completed_run_change();",
]

_changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in RUN_COLUMNS)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER metrics_run_completed_no_update BEFORE UPDATE ON metrics_run
    WHEN OLD.status = 'completed' AND ({_changed}
        OR (NEW.created_by_id IS NOT NULL AND NEW.created_by_id IS NOT OLD.created_by_id))
    BEGIN SELECT RAISE(ABORT, 'metrics run has completed and is cited; it cannot change'); END;
    """,
    """
    CREATE TRIGGER metrics_run_completed_no_delete BEFORE DELETE ON metrics_run
    WHEN OLD.status = 'completed'
    BEGIN SELECT RAISE(ABORT, 'metrics run has completed and is cited; it cannot be deleted');
    END;
    """,
]
for _table in RESULT_TABLES:
    _old = "(SELECT status FROM metrics_run WHERE id = OLD.run_id) = 'completed'"
    _new = "(SELECT status FROM metrics_run WHERE id = NEW.run_id) = 'completed'"
    _stop = "BEGIN SELECT RAISE(ABORT, 'results of a completed metrics run cannot change'); END;"
    SQLITE_FORWARD += [
        f"CREATE TRIGGER {_table}_completed_no_insert BEFORE INSERT ON {_table} "
        f"WHEN {_new} {_stop}",
        f"CREATE TRIGGER {_table}_completed_no_update BEFORE UPDATE ON {_table} "
        f"WHEN {_old} OR {_new} {_stop}",
        f"CREATE TRIGGER {_table}_completed_no_delete BEFORE DELETE ON {_table} "
        f"WHEN {_old} {_stop}",
    ]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS metrics_run_completed_no_update;",
    "DROP TRIGGER IF EXISTS metrics_run_completed_no_delete;",
] + [
    f"DROP TRIGGER IF EXISTS {table}_completed_no_{verb};"
    for table in RESULT_TABLES
    for verb in ("insert", "update", "delete")
]


class Migration(migrations.Migration):
    dependencies = [("metrics", "0002_run_heartbeat")]

    operations = [
        run_sql_by_vendor(
            forward={"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            backward={"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
