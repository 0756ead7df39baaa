"""A completed run stays as a letter cited it, by every route; a dead worker's run fails.

The database refuses changes to a completed run and its results (migration 0003), so the
Python guards in the models are not the only defence: the base manager, ``bulk_create``,
``QuerySet.update`` on runs and raw SQL are refused too. A run whose worker stops sending
heartbeats is marked failed by ``services.fail_stale_runs`` (Celery beat).
"""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from foiregister.kernel.models import AuditEvent
from metrics import io, selectors, services, tasks
from metrics.models import ImmutableError, RatesRatio, Result, Run
from tests.factories import TEST_DATA
from tests.factories import metrics as f

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def refused_by_the_database(action):
    """Run ``action`` in a savepoint and check the database itself refused it."""
    with pytest.raises(IntegrityError, match="completed"), transaction.atomic():
        action()


# -- the database guard -------------------------------------------------------------------


def test_database_refuses_updating_a_completed_runs_results_past_the_queryset_guard():
    run = f.completed_run()
    refused_by_the_database(
        lambda: Result._base_manager.filter(run=run).update(rate=1.0)  # no Python guard here
    )
    refused_by_the_database(
        lambda: RatesRatio._base_manager.filter(run=run).update(rate_ratio=1.0)
    )
    assert not Result.objects.filter(run=run, rate=1.0).exists()


def test_database_refuses_raw_sql_on_a_completed_runs_results():
    run = f.completed_run()

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [run.pk])

    refused_by_the_database(lambda: raw("UPDATE metrics_result SET rate = 0 WHERE run_id = %s"))
    refused_by_the_database(lambda: raw("DELETE FROM metrics_result WHERE run_id = %s"))
    refused_by_the_database(lambda: raw("DELETE FROM metrics_ratesratio WHERE run_id = %s"))
    assert Result.objects.filter(run=run).count() == 6


def test_database_refuses_adding_rows_to_a_completed_run_by_bulk_create():
    """``bulk_create`` never calls ``save()``, so only the database can stop it."""
    run = f.completed_run()
    refused_by_the_database(
        lambda: Result.objects.bulk_create(
            [Result(run=run, measure="CT", area="QXX Nowhere", observed=1.0)]
        )
    )


def test_database_refuses_moving_a_result_into_a_completed_run():
    done = f.completed_run()
    pending = services.create_run(population=done.population, activity=done.activity, by=TEST_DATA)
    Run.objects.filter(pk=pending.pk).update(status=Run.Status.RUNNING)
    row = Result.objects.create(run=pending, measure="CT", area="QXX Nowhere", observed=1.0)
    refused_by_the_database(lambda: Result._base_manager.filter(pk=row.pk).update(run=done))


@pytest.mark.parametrize(
    "change",
    [
        {"multiplier": 100_000.0},
        {"status": Run.Status.FAILED},
        {"by": ""},
        {"code_version": "edited"},
        {"measures": ["CT"]},
        {"finished_at": None},
        {"progress": 50},
    ],
    ids=lambda c: next(iter(c)),
)
def test_database_refuses_a_queryset_update_of_a_completed_run(change):
    """``Run.objects.update`` has no Python guard at all: the trigger is the guard."""
    run = f.completed_run()
    refused_by_the_database(lambda: Run.objects.filter(pk=run.pk).update(**change))
    run.refresh_from_db()
    assert run.status == Run.Status.COMPLETED and run.multiplier == 10_000.0


def test_database_refuses_deleting_a_completed_run_with_raw_sql():
    run = f.completed_run()

    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM metrics_run WHERE id = %s", [run.pk])

    refused_by_the_database(delete)
    assert Run.objects.filter(pk=run.pk).exists()


def test_removing_the_user_who_started_a_completed_run_keeps_the_run(commissioner):
    """SET_NULL on ``created_by`` is the one change the guard lets through."""
    run = f.completed_run(by=commissioner)
    get_user_model().objects.filter(pk=commissioner.pk).delete()
    run.refresh_from_db()
    assert run.created_by is None and run.status == Run.Status.COMPLETED


def test_a_run_still_running_can_be_failed_and_its_partial_rows_removed():
    """The guard is for completed runs only; the service's own failure path still works."""
    run = services.create_run(
        population=f.population_dataset(), activity=f.activity_dataset(), by=TEST_DATA
    )
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING)
    Result.objects.create(run=run, measure="CT", area="QXX Nowhere", observed=1.0)
    Result.objects.filter(run=run).delete()
    Run.objects.filter(pk=run.pk).update(status=Run.Status.FAILED)
    assert not Result.objects.filter(run=run).exists()


# -- the admin routes ---------------------------------------------------------------------


def _admin_routes(run):
    result = Result.objects.filter(run=run).first()
    ratio = RatesRatio.objects.filter(run=run).first()
    return [
        ("post", reverse("admin:metrics_run_change", args=[run.pk]), {"multiplier": "1"}),
        ("get", reverse("admin:metrics_run_delete", args=[run.pk]), None),
        ("post", reverse("admin:metrics_run_delete", args=[run.pk]), {"post": "yes"}),
        ("post", reverse("admin:metrics_result_change", args=[result.pk]), {"rate": "1"}),
        ("post", reverse("admin:metrics_result_delete", args=[result.pk]), {"post": "yes"}),
        ("post", reverse("admin:metrics_ratesratio_change", args=[ratio.pk]), {"level": "X"}),
        ("post", reverse("admin:metrics_ratesratio_delete", args=[ratio.pk]), {"post": "yes"}),
        ("post", reverse("admin:metrics_result_add"), {"run": run.pk, "area": "X"}),
    ]


@pytest.mark.parametrize("route", range(8))
def test_admin_refuses_every_change_and_delete_of_a_completed_run(commissioner_client, route):
    run = f.completed_run()
    method, url, data = _admin_routes(run)[route]
    response = getattr(commissioner_client, method)(url, data or {})
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == Run.Status.COMPLETED and run.multiplier == 10_000.0
    assert Result.objects.filter(run=run).count() == 6


@pytest.mark.parametrize("model", ["run", "result", "ratesratio"])
def test_admin_offers_no_bulk_delete_action(commissioner_client, model):
    run = f.completed_run()
    pks = {
        "run": [run.pk],
        "result": list(Result.objects.filter(run=run).values_list("pk", flat=True)),
        "ratesratio": list(RatesRatio.objects.filter(run=run).values_list("pk", flat=True)),
    }[model]
    url = reverse(f"admin:metrics_{model}_changelist")
    response = commissioner_client.post(
        url, {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    )
    assert response.status_code in (200, 302)  # "no action selected", never a deletion
    assert Run.objects.filter(pk=run.pk).exists()
    assert Result.objects.filter(run=run).count() == 6
    assert RatesRatio.objects.filter(run=run).count() == 2 * 12


def test_rerunning_a_completed_run_leaves_it_as_it_was(commissioner):
    run = f.completed_run()
    before = selectors.run_results(run=run)
    new = services.rerun(run=run, by=commissioner)
    services.compute_run(new.pk)
    assert new.pk != run.pk and selectors.run_results(run=run) == before
    with pytest.raises(ImmutableError):
        run.delete()


# -- stale runs ---------------------------------------------------------------------------


def _running(*, silent_for: timedelta, stage="Storing results", progress=60):
    """A run a worker claimed and then went quiet on, with one partial result row."""
    run = services.create_run(
        population=f.population_dataset(), activity=f.activity_dataset(), by=TEST_DATA
    )
    beat = timezone.now() - silent_for
    Run.objects.filter(pk=run.pk).update(
        status=Run.Status.RUNNING,
        started_at=beat - timedelta(seconds=5),
        heartbeat_at=beat,
        stage=stage,
        progress=progress,
    )
    Result.objects.create(run=run, measure="CT", area="QNC partial", observed=3.0)
    run.refresh_from_db()
    return run


def test_a_run_silent_for_longer_than_the_limit_is_marked_failed_with_a_reason():
    run = _running(silent_for=timedelta(minutes=31))
    assert selectors.run_is_stale(run)
    assert services.fail_stale_runs() == [run.pk]
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and run.finished_at is not None
    assert "worker computing this run stopped" in run.error
    assert "'Storing results' (60%)" in run.error
    assert not Result.objects.filter(run=run).exists()  # partial rows are not results
    event = AuditEvent.objects.get(action="metrics.run.stale", object_id=str(run.pk))
    assert event.actor == "system: celery beat: fail stale metrics runs"
    assert selectors.run_results(run=run) == []


def test_a_run_that_beat_recently_is_left_running():
    run = _running(silent_for=timedelta(minutes=29))
    assert not selectors.run_is_stale(run)
    assert services.fail_stale_runs() == []
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING


def test_the_stale_limit_comes_from_the_settings(settings):
    run = _running(silent_for=timedelta(minutes=6))
    settings.METRICS_RUN_STALE_AFTER_MINUTES = 5
    assert selectors.run_is_stale(run)
    assert services.fail_stale_runs() == [run.pk]


def test_completed_and_failed_runs_are_never_stale():
    done = f.completed_run()
    failed = services.create_run(population=done.population, activity=done.activity, by=TEST_DATA)
    Run.objects.filter(pk=failed.pk).update(status=Run.Status.FAILED, error="bad file")
    later = timezone.now() + timedelta(days=30)
    assert services.fail_stale_runs(now=later) == []
    for run in (done, failed):
        run.refresh_from_db()
        assert not selectors.run_is_stale(run, now=later)
    assert done.status == Run.Status.COMPLETED and failed.error == "bad file"


def test_a_run_waiting_a_day_for_a_worker_lost_its_task_and_is_failed():
    """A queue restart loses the task: without this the run waits for ever."""
    population, activity = f.population_dataset(), f.activity_dataset()
    lost = services.create_run(population=population, activity=activity, by=TEST_DATA)
    queued = services.create_run(population=population, activity=activity, by=TEST_DATA)
    Run.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=25))
    Run.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(hours=23))
    assert services.fail_stale_runs() == [lost.pk]
    lost.refresh_from_db()
    queued.refresh_from_db()
    assert lost.status == Run.Status.FAILED and "never started" in lost.error
    assert queued.status == Run.Status.PENDING
    # The task turning up late finds nothing to do.
    assert services.compute_run(lost.pk).status == Run.Status.FAILED
    assert not Result.objects.filter(run=lost).exists()


def test_the_sweep_runs_in_celery_beat():
    run = _running(silent_for=timedelta(hours=2))
    schedule = django_settings.CELERY_BEAT_SCHEDULE["metrics-fail-stale-runs"]
    assert schedule["task"] == "metrics.tasks.fail_stale_runs"
    assert tasks.fail_stale_runs.delay().get() == [run.pk]


def test_each_stage_of_a_run_writes_a_heartbeat(monkeypatch):
    run = services.create_run(
        population=f.population_dataset(), activity=f.activity_dataset(), by=TEST_DATA
    )
    beats = []
    real = services._progress

    def spy(run, percent, stage, **fields):
        real(run, percent, stage, **fields)
        beats.append(Run.objects.values_list("heartbeat_at", flat=True).get(pk=run.pk))

    monkeypatch.setattr(services, "_progress", spy)
    services.compute_run(run.pk)
    assert len(beats) >= 4 and beats == sorted(beats) and None not in beats


def test_a_slow_worker_whose_run_was_failed_stops_and_keeps_no_results(monkeypatch):
    """The sweep failed the run while the worker was reading; its next heartbeat finds out."""
    run = services.create_run(
        population=f.population_dataset(), activity=f.activity_dataset(), by=TEST_DATA
    )
    real = io.read_counts

    def read_then_swept(*args, **kwargs):
        counts = real(*args, **kwargs)
        services.fail_stale_runs(now=timezone.now() + timedelta(hours=1))
        return counts

    monkeypatch.setattr(io, "read_counts", read_then_swept)
    finished = services.compute_run(run.pk)
    assert finished.status == Run.Status.FAILED
    assert "worker computing this run stopped" in finished.error
    assert not Result.objects.filter(run=run).exists()
    assert not AuditEvent.objects.filter(
        action="metrics.run.complete", object_id=str(run.pk)
    ).exists()


def test_the_run_page_says_when_a_run_has_gone_quiet(commissioner_client):
    run = _running(silent_for=timedelta(minutes=45))
    page = commissioner_client.get(reverse("admin:metrics_run_change", args=[run.pk]))
    assert "it has probably stopped" in page.content.decode()


# -- the datasets a completed run cites ---------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"period": "2023/24"}, {"source": "edited"}, {"sha256": "0" * 64}, {"name": "renamed"}],
    ids=lambda c: next(iter(c)),
)
def test_database_refuses_changing_a_dataset_a_completed_run_cites(change):
    """A letter quotes the run's datasets (run_summary): their provenance must stay."""
    run = f.completed_run()
    for dataset in (run.population, run.activity):
        refused_by_the_database(lambda d=dataset: type(d).objects.filter(pk=d.pk).update(**change))
    assert selectors.run_summary(run)["activity"]["period"] == "2024/25"


def test_a_dataset_no_completed_run_uses_can_still_be_corrected():
    dataset = f.population_dataset()
    type(dataset).objects.filter(pk=dataset.pk).update(notes="Checked against the MPI")
    dataset.refresh_from_db()
    assert dataset.notes == "Checked against the MPI"


def test_removing_the_user_who_uploaded_a_cited_dataset_keeps_it(commissioner):
    run = f.completed_run(by=commissioner)
    get_user_model().objects.filter(pk=commissioner.pk).delete()
    run.population.refresh_from_db()
    assert run.population.uploaded_by is None


@pytest.mark.parametrize("name, value", [("stage", "Edited"), ("progress", 5), ("error", "x")])
def test_saving_any_change_to_a_completed_run_says_which_field(name, value):
    run = f.completed_run()
    setattr(run, name, value)
    with pytest.raises(ImmutableError, match=f"its {name} cannot change"):
        run.save()
