"""PostgreSQL restarts in the middle of an import: nothing is half-written, and the import run
again gives the same result as one clean run. The import is the real command
(``manage.py import_requests --commit``) in a process of its own, against a PostgreSQL cluster
of the test's own (``own_postgres``), restarted while the import's transaction is open."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults
ROWS = 1500
ODS = "FLT01"

# Everything the import writes, without ids (the sequences move on in a rolled-back
# transaction) or timestamps of the run: one line per row, in a fixed order.
CONTENT = """
select count(*), md5(coalesce(string_agg(line, E'\\n' order by line), '')) from (
  select concat_ws('|', 'request', o.ods_code, r.reference, r.regime, r.received_at,
                   r.title, r.requester_kind, r.channel, r.status, r.outcome, r.imported,
                   r.clock_started_on, r.statutory_due_on, r.extended_due_on, r.due_on,
                   r.responded_on, r.review_window_closes_on, r.review_due_on) as line
    from foiregister_request r join foiregister_organisation o on o.id = r.organisation_id
  union all
  select concat_ws('|', 'event', r.reference, e.kind, e.occurred_on, e.target_on,
                   e.decision, e.details, e.recorded_by_id)
    from foiregister_requestevent e join foiregister_request r on r.id = e.request_id
  union all
  select concat_ws('|', 'question', r.reference, q.number, q.text, q.answer_kind)
    from foiregister_question q join foiregister_request r on r.id = q.request_id
  union all
  select concat_ws('|', 'exemption', r.reference, q.number, x.section)
    from foiregister_question_exemptions qx
    join foiregister_question q on q.id = qx.question_id
    join foiregister_request r on r.id = q.request_id
    join foiregister_exemption x on x.id = qx.exemption_id
  union all
  select concat_ws('|', 'audit', a.action, a.actor, a.object_type, a.object_repr,
                   a.organisation_id, a.changes::text)
    from foiregister_auditevent a
) as everything
"""


def _log(path: Path) -> Path:
    """An old FOI log of ROWS answered requests, a third of them partly withheld."""
    lines = ["reference,regime,received,title,requester_kind,channel,responded,outcome,exemptions"]
    outcomes = ("granted_in_full", "partially_withheld", "not_held")
    for i in range(ROWS):
        received = datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 300)
        responded = received + datetime.timedelta(days=14)
        outcome = outcomes[i % 3]
        exemptions = "s.40(2)" if outcome == "partially_withheld" else ""
        lines.append(
            f"OLD/{i:05d},FOI,{received},Spending on line {i},journalist,email,"
            f"{responded},{outcome},{exemptions}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TEST_DATABASE_NAME": "",
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }


def _manage(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _ok(*args: str, env: dict[str, str]) -> str:
    code, out, err = _finish(_manage(*args, env=env))
    assert code == 0, err
    return out


def test_an_import_cut_off_by_a_restart_writes_nothing_and_its_rerun_matches_a_clean_run(
    own_postgres, tmp_path
):
    own_postgres.sql("create database faulted")
    faulted = _env(own_postgres.url("faulted"), tmp_path)
    _ok("shell", "-c", "from django.core.management import call_command; "
        "from foiregister.kernel.models import Organisation; call_command('migrate', verbosity=0); "
        f"Organisation.objects.create(name='Fault Test Trust', ods_code='{ODS}', kind='trust')",
        env=faulted)  # fmt: skip
    own_postgres.sql("create database clean template faulted")
    clean = _env(own_postgres.url("clean"), tmp_path)
    log = _log(tmp_path / "log.csv")
    command = ("import_requests", str(log), "--organisation", ODS, "--commit")
    before = own_postgres.sql(CONTENT, dbname="faulted")

    # Restart once the import's transaction has written (holds a transaction id), and
    # while it is still open.
    first = _manage(*command, env=faulted)
    deadline = time.monotonic() + 60
    writing = "select count(*) from pg_stat_activity where datname = 'faulted' and backend_xid is not null"
    while own_postgres.sql(writing)[0][0] == 0:
        assert first.poll() is None, (
            "the import ended before it wrote anything: " + first.stderr.read()
        )
        assert time.monotonic() < deadline, "the import wrote nothing in 60 s"
        time.sleep(0.01)
    time.sleep(0.1)
    assert own_postgres.sql(writing)[0][0] == 1, "the import committed before the restart"
    own_postgres.restart()
    code, out, err = _finish(first)

    assert code != 0, out
    assert "the database connection was lost while importing log.csv" in err, err
    assert "nothing of it was half-written: run it again" in err
    assert "Traceback" not in err
    assert own_postgres.sql(CONTENT, dbname="faulted") == before  # nothing, not even audit
    assert before[0][0] == 0

    # The rerun, and a clean run into a copy of the database as it was before.
    rerun, single = _manage(*command, env=faulted), _manage(*command, env=clean)
    for process in (rerun, single):
        code, out, err = _finish(process)
        assert code == 0, err
        assert out.strip() == f"{ROWS} rows: {ROWS} created, 0 updated, 0 unchanged"
    after_rerun = own_postgres.sql(CONTENT, dbname="faulted")
    assert after_rerun == own_postgres.sql(CONTENT, dbname="clean")
    counts = own_postgres.sql(
        "select (select count(*) from foiregister_request),"
        " (select count(*) from foiregister_request where imported),"
        " (select count(*) from foiregister_auditevent where action = 'request.imported')",
        dbname="faulted",
    )
    assert counts == [(ROWS, ROWS, ROWS)]

    # And once more: nothing changes, nothing is audited.
    out = _ok(*command, env=faulted)
    assert out.strip() == f"{ROWS} rows: 0 created, 0 updated, {ROWS} unchanged"
    assert own_postgres.sql(CONTENT, dbname="faulted") == after_rerun
