"""Database triggers that keep an issued letter and its PDFs exactly as they were sent.

The models and querysets already refuse (``LetterImmutable``); these triggers make the
database refuse too, so the base manager, ``QuerySet._update``, a data migration, a shell
or raw SQL cannot alter what a requester was sent. The one change allowed to an issued
letter is ``emailed_at`` being set, a delivery fact recorded after issue. A document row
(only ever written in the issuing transaction) may be inserted, never changed or deleted.

PostgreSQL raises ``restrict_violation`` (SQLSTATE 23001), SQLite ``RAISE(ABORT)``; both
reach Django as ``IntegrityError``. TRUNCATE is not guarded, so test database flushes work.
"""

from django.db import migrations

from foiregister.kernel.db import run_sql_by_vendor

# Every column of letters_letter but emailed_at (SQLite has no row comparison helper).
LETTER_COLUMNS = (
    "id", "request_id", "kind", "status", "body", "fee_amount", "pit_estimate_on",
    "review_decision", "corrects_id", "batch_id", "created_by_id", "created_at",
    "updated_at", "approved_by_id", "approved_at", "approved_hash", "issued_by_id",
    "issued_at", "issued_on", "content", "content_hash",
)  # fmt: skip

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION letters_refuse_issued_letter_change() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'issued' THEN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'letter % was issued and cannot be deleted',
                    OLD.id USING ERRCODE = 'restrict_violation';
            END IF;
            IF (to_jsonb(NEW) - 'emailed_at') IS DISTINCT FROM (to_jsonb(OLD) - 'emailed_at')
            THEN
                RAISE EXCEPTION 'letter % was issued and cannot be changed',
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
    CREATE TRIGGER letters_letter_issued_guard
    BEFORE UPDATE OR DELETE ON letters_letter
    FOR EACH ROW EXECUTE FUNCTION letters_refuse_issued_letter_change();
    """,
    """
    CREATE OR REPLACE FUNCTION letters_refuse_document_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'document % is part of an issued letter and cannot change',
            OLD.id USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER letters_letterdocument_guard
    BEFORE UPDATE OR DELETE ON letters_letterdocument
    FOR EACH ROW EXECUTE FUNCTION letters_refuse_document_change();
    """,
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS letters_letterdocument_guard ON letters_letterdocument;",
    "DROP FUNCTION IF EXISTS letters_refuse_document_change();",
    "DROP TRIGGER IF EXISTS letters_letter_issued_guard ON letters_letter;",
    "DROP FUNCTION IF EXISTS letters_refuse_issued_letter_change();",
]

_changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in LETTER_COLUMNS)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER letters_letter_issued_no_update BEFORE UPDATE ON letters_letter
    WHEN OLD.status = 'issued' AND ({_changed})
    BEGIN SELECT RAISE(ABORT, 'an issued letter cannot be changed'); END;
    """,
    """
    CREATE TRIGGER letters_letter_issued_no_delete BEFORE DELETE ON letters_letter
    WHEN OLD.status = 'issued'
    BEGIN SELECT RAISE(ABORT, 'an issued letter cannot be deleted'); END;
    """,
    """
    CREATE TRIGGER letters_letterdocument_no_update BEFORE UPDATE ON letters_letterdocument
    BEGIN SELECT RAISE(ABORT, 'an issued letter''s document cannot change'); END;
    """,
    """
    CREATE TRIGGER letters_letterdocument_no_delete BEFORE DELETE ON letters_letterdocument
    BEGIN SELECT RAISE(ABORT, 'an issued letter''s document cannot be deleted'); END;
    """,
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "letters_letter_issued_no_update",
        "letters_letter_issued_no_delete",
        "letters_letterdocument_no_update",
        "letters_letterdocument_no_delete",
    )
]


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_letters_and_blocks")]

    operations = [
        run_sql_by_vendor(
            forward={"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            backward={"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
