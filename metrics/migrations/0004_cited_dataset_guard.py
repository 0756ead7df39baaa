"""A dataset a completed run used keeps the name, source, period and hash a letter quotes.

``selectors.run_summary`` reads a run's datasets live, so changing a dataset's period or
source after a letter cited the run would change what the letter's provenance says.
Datasets are never edited (the admin refuses), and this trigger makes the database refuse
too once a completed run uses the dataset. The one change allowed is ``uploaded_by``
becoming null, which Django's ``SET_NULL`` does when a user is removed. Deleting is
already refused by the runs' ``PROTECT`` foreign keys.
"""

from django.db import migrations

from foiregister.kernel.db import run_sql_by_vendor

DATASET_COLUMNS = (
    "kind", "name", "source", "period", "file", "original_filename", "sha256",
    "size_bytes", "row_count", "area_count", "measure_column", "measures", "notes",
    "uploaded_at",
)  # fmt: skip

USED_BY_COMPLETED_RUN = (
    "EXISTS (SELECT 1 FROM metrics_run WHERE status = 'completed' "
    "AND (population_id = OLD.id OR activity_id = OLD.id))"
)

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION metrics_refuse_cited_dataset_change() RETURNS trigger AS $$
    BEGIN
        IF {USED_BY_COMPLETED_RUN}
           AND ((to_jsonb(NEW) - 'uploaded_by_id') IS DISTINCT FROM
                (to_jsonb(OLD) - 'uploaded_by_id')
                OR (NEW.uploaded_by_id IS NOT NULL
                    AND NEW.uploaded_by_id IS DISTINCT FROM OLD.uploaded_by_id)) THEN
            RAISE EXCEPTION 'dataset % is used by a completed metrics run; it cannot change',
                OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER metrics_dataset_cited_guard BEFORE UPDATE ON metrics_dataset
    FOR EACH ROW EXECUTE FUNCTION metrics_refuse_cited_dataset_change();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS metrics_dataset_cited_guard ON metrics_dataset;",
    "DROP FUNCTION IF EXISTS metrics_refuse_cited_dataset_change();",
]

_changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in DATASET_COLUMNS)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER metrics_dataset_cited_no_update BEFORE UPDATE ON metrics_dataset
    WHEN {USED_BY_COMPLETED_RUN} AND ({_changed}
        OR (NEW.uploaded_by_id IS NOT NULL AND NEW.uploaded_by_id IS NOT OLD.uploaded_by_id))
    BEGIN
        SELECT RAISE(ABORT, 'dataset is used by a completed metrics run; it cannot change');
    END;
    """
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS metrics_dataset_cited_no_update;"]


class Migration(migrations.Migration):
    dependencies = [("metrics", "0003_completed_run_guard")]

    operations = [
        run_sql_by_vendor(
            forward={"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            backward={"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
