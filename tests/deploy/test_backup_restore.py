"""Backup and restore (deploy/backup.sh, as docs/deployment.md tells an operator to run it):
the dump restored into a new database holds the same requests, letters (their PDFs' SHA-256
recomputed from the restored bytes) and registers, and the media files come back."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from contracts.models import CommunityDiagnosticCentre, Contract
from foiregister.letters.models import LetterDocument
from foiregister.requests.models import Request
from tests.factories import contracts as cf
from tests.factories import letters as lf

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "backup.sh"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump and pg_restore are PostgreSQL's tools; SQLite is backed up by "
        "copying its file",
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return sorted(conn.execute(sql).fetchall())


@pytest.fixture
def restore_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_holds_the_same_requests_letters_and_registers(
    organisation, foi_officer, foi_lead, restore_database, settings, tmp_path
):
    # Arrange: a request answered with an issued letter, another open, and the registers.
    answered = lf.answered_request(organisation=organisation, officer=foi_officer)
    letter = lf.issued_response(request=answered, officer=foi_officer, lead=foi_lead)
    lf.answered_request(organisation=organisation, officer=foi_officer)
    cf.contract(organisation=organisation, reference="C-BACKUP-1")
    cf.cdc(icb=organisation)
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "spend.xlsx").write_bytes(b"not really a workbook \x00\xff")
    settings.MEDIA_ROOT = media
    pdfs = {
        (d.letter_id, d.variant): hashlib.sha256(bytes(d.data)).hexdigest()
        for d in LetterDocument.objects.filter(letter=letter)
    }
    assert len(pdfs) == 2 and all(pdfs.values())
    source = _url(connection.settings_dict["NAME"])

    # Act: back up, then restore into a new database and an empty media folder.
    env = {**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": str(media)}
    subprocess.run([SCRIPT, "backup", tmp_path / "backup"], env=env, check=True)
    restored_media = tmp_path / "restored-media"
    subprocess.run(
        [SCRIPT, "restore", tmp_path / "backup", restore_database, restored_media],
        env=env,
        check=True,
    )

    # Assert: the same rows, read straight from each database.
    requests = f"SELECT reference, title, status FROM {Request._meta.db_table}"
    assert len(_rows(source, requests)) == 2
    assert _rows(restore_database, requests) == _rows(source, requests)
    documents = f"SELECT letter_id, variant, sha256, data FROM {LetterDocument._meta.db_table}"
    restored = {
        (letter_id, variant): (sha, hashlib.sha256(bytes(data)).hexdigest())
        for letter_id, variant, sha, data in _rows(restore_database, documents)
    }
    assert restored == {key: (sha, sha) for key, sha in pdfs.items()}
    for table, columns in (
        (Contract._meta.db_table, "reference, title, value, end_date"),
        (CommunityDiagnosticCentre._meta.db_table, "name"),
        ("foiregister_auditevent", "action, object_type, object_id"),
    ):
        sql = f"SELECT {columns} FROM {table}"
        assert _rows(source, sql), table
        assert _rows(restore_database, sql) == _rows(source, sql), table
    assert (restored_media / "attachments" / "spend.xlsx").read_bytes() == (
        b"not really a workbook \x00\xff"
    )


def test_a_restore_refuses_a_backup_whose_checksums_do_not_match(tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"x")
    (backup / "media.tar.gz").write_bytes(b"y")
    (backup / "SHA256SUMS").write_text(
        "0" * 64 + "  database.dump\n" + "0" * 64 + "  media.tar.gz\n"
    )
    result = subprocess.run(
        [SCRIPT, "restore", backup, _url("postgres"), tmp_path / "m"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "checksums do not match" in result.stderr
