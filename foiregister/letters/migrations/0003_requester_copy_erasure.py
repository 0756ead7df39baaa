"""The requester's copy of an issued letter may be erased at the end of the retention period.

The one exception to the issued-letter guard (0002): a document row of the ``requester``
variant, not yet erased, may be updated to empty ``data`` with ``erased_on`` set, every
other column unchanged (file name, size and SHA-256 still say what was sent). Nothing else:
the anonymised copy, a second rewrite, an un-erasure, a replacement of the bytes or a delete
are refused as before. Only ``foiregister.letters.retention`` makes that update
(``LetterDocumentQuerySet.erase_requester_copies``), and it audits it.

Also the FOI lead's screen of requests due for erasure (a proxy of the request).
"""

from django.db import migrations, models

from foiregister.kernel.db import run_sql_by_vendor

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION letters_refuse_document_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
            AND OLD.variant = 'requester'
            AND OLD.erased_on IS NULL
            AND NEW.erased_on IS NOT NULL
            AND octet_length(NEW.data) = 0
            AND (to_jsonb(NEW) - 'data' - 'erased_on')
                = (to_jsonb(OLD) - 'data' - 'erased_on')
        THEN
            RETURN NEW;  -- the retention erasure of the requester's copy
        END IF;
        RAISE EXCEPTION 'document % is part of an issued letter and cannot change',
            OLD.id USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
]
POSTGRES_BACKWARD = [
    """
    CREATE OR REPLACE FUNCTION letters_refuse_document_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'document % is part of an issued letter and cannot change',
            OLD.id USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
]

# Every column but data and erased_on must stay as it was.
UNCHANGED = ("id", "letter_id", "variant", "filename", "content_type", "sha256", "size", "created_at")  # fmt: skip
_erasure = " AND ".join(
    [
        "OLD.variant = 'requester'",
        "OLD.erased_on IS NULL",
        "NEW.erased_on IS NOT NULL",
        "length(NEW.data) = 0",
        *(f"NEW.{c} IS OLD.{c}" for c in UNCHANGED),
    ]
)
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS letters_letterdocument_no_update;",
    f"""
    CREATE TRIGGER letters_letterdocument_no_update BEFORE UPDATE ON letters_letterdocument
    WHEN NOT ({_erasure})
    BEGIN SELECT RAISE(ABORT, 'an issued letter''s document cannot change'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS letters_letterdocument_no_update;",
    """
    CREATE TRIGGER letters_letterdocument_no_update BEFORE UPDATE ON letters_letterdocument
    BEGIN SELECT RAISE(ABORT, 'an issued letter''s document cannot change'); END;
    """,
]


class Migration(migrations.Migration):
    dependencies = [
        ("foiregister", "0005_requester_retention"),
        ("letters", "0002_issued_letter_guard"),
    ]

    operations = [
        migrations.CreateModel(
            name="RequestDueForErasure",
            fields=[],
            options={
                "verbose_name": "request due for requester erasure",
                "verbose_name_plural": "requests due for requester erasure",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("foiregister.request",),
        ),
        migrations.AddField(
            model_name="letterdocument",
            name="erased_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The requester's copy only: when it was emptied at the end of the "
                "retention period. The SHA-256 and size still say what was sent.",
                null=True,
            ),
        ),
        run_sql_by_vendor(
            forward={"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            backward={"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
        ),
    ]
