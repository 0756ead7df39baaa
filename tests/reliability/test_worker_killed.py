"""A Celery worker is killed (SIGKILL) in the middle of a batch of letters: running the
batch again completes it, with no letter issued twice and none missing. A real worker, on
a redis-server of the test's own, against the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from foiregister.letters import services
from foiregister.letters.models import BatchIssue, Letter
from tests.factories import letters as lf
from tests.factories.foiregister import log_request

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker is a second process on the test database: PostgreSQL's, as in "
        "production (SQLite's test database lives in this process's memory)",
    ),
]
TARGETS = 6


def _worker(broker_url: str, tmp_path) -> subprocess.Popen:
    s = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        "TEST_DATABASE_NAME": "",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1",
         "--without-mingle", "--without-gossip", "-l", "INFO"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "w"),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_worker_is_killed_completes_on_the_rerun_once_each(
    organisation, foi_officer, foi_lead, own_redis, tmp_path
):
    # Answered in words only: the tests' own figure block is unknown to the worker.
    source = log_request(organisation=organisation, questions=lf.QUESTIONS, by=foi_officer)
    for question in source.questions.order_by("number"):
        services.set_answer(
            question=question, by=foi_officer, answer="We hold that.", answer_kind="provided"
        )
    targets = [
        log_request(organisation=organisation, questions=lf.QUESTIONS, by=foi_officer)
        for _ in range(TARGETS)
    ]
    batch = services.start_batch_issue(
        source_request=source, requests=targets, by=foi_lead, approve_own=True
    )
    worker = _worker(own_redis.url, tmp_path)
    try:
        Celery(broker=own_redis.url).send_task(
            "foiregister.letters.tasks.run_batch_issue", args=[batch.pk]
        )
        deadline = time.monotonic() + 120
        while Letter.objects.filter(batch=batch, status="issued").count() < 2:
            assert worker.poll() is None, "the worker stopped on its own"
            assert time.monotonic() < deadline, "the worker issued nothing in 2 minutes"
            time.sleep(0.2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    issued_when_killed = Letter.objects.filter(batch=batch, status="issued").count()
    assert 2 <= issued_when_killed < TARGETS, "killed too late to test anything"

    services.run_batch_issue(batch=BatchIssue.objects.get(pk=batch.pk))

    for target in targets:
        issued = Letter.objects.filter(request=target, status="issued", kind="response")
        assert issued.count() == 1, target.reference
        assert issued.get().documents.count() == 2  # both copies: nothing half-issued
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.failed) == ("done", TARGETS, 0)
