"""Datasets, runs, results and their selectors: the Django layer of the imaging metrics."""

import hashlib

import numpy as np
import pytest
from django.core.files.base import ContentFile

from foiregister.kernel.models import AuditEvent
from metrics import core, selectors, services, tasks
from metrics.models import Dataset, ImmutableError, RatesRatio, Result, Run
from tests.factories import TEST_DATA
from tests.factories import metrics as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_valid_population_upload_stores_file_hash_rows_and_audits(commissioner):
    content = f.population_csv()
    ds = f.population_dataset(by=commissioner)
    assert ds.kind == Dataset.Kind.POPULATION
    assert ds.sha256 == hashlib.sha256(content).hexdigest()
    assert ds.size_bytes == len(content)
    assert ds.row_count == len(f.AREAS) * core.N_STRATA
    assert ds.area_count == len(f.AREAS)
    with ds.file.open("rb") as fh:
        assert fh.read() == content
    event = AuditEvent.objects.get(action="metrics.dataset.upload", object_id=str(ds.pk))
    assert event.actor == commissioner.username
    assert event.changes["sha256"] == ds.sha256


def test_valid_activity_upload_finds_its_measure_column():
    ds = f.activity_dataset()
    assert ds.measure_column == "modality"
    assert ds.measures == ["CT", "MRI"]
    assert ds.row_count == len(f.MODALITIES) * len(f.AREAS) * core.N_STRATA


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        (
            "population",
            b"area,sex,age_band,imd,population\nQNC,F,0-4,1,10\nQNC,F,95-99,1,10\n",
            "bad.csv line 3, field age_band: '95-99' is not a known age band",
        ),
        (
            "population",
            b"area,sex,age_band,imd,population\nQNC,X,0-4,1,10\n",
            "bad.csv line 2, field sex: 'X' is not a known sex (F or M)",
        ),
        (
            "activity",
            b"area,sex,age_band,imd,modality,count\nQNC,F,0-4,1,CT,3\nQNC,F,0-4,2,CT,2.5\n",
            "bad.csv line 3, field count: '2.5' is not a whole number; a count must be",
        ),
        (
            "activity",
            b"area,sex,age_band,imd,count\nQNC,F,0-4,1,3\nQNC,F,0-4,1,4\n",
            "bad.csv line 3, field area,sex,age_band,imd: duplicate stratum, first given on line 2",
        ),
        (
            "population",
            b"area,sex,age_band,population\nQNC,F,0-4,10\n",
            "bad.csv line 1, field imd: missing column",
        ),
    ],
)
def test_invalid_upload_is_refused_naming_file_line_and_field(kind, content, message):
    with pytest.raises(services.DatasetInvalid) as exc:
        services.upload_dataset(
            kind=kind,
            name="Bad",
            source="test",
            period="2024/25",
            file=ContentFile(content, name="bad.csv"),
            by=TEST_DATA,
        )
    assert exc.value.message.startswith(message)
    assert "/tmp" not in exc.value.message
    assert not Dataset.objects.exists()


def test_run_computes_through_the_celery_task_and_matches_the_core(commissioner):
    run = services.create_run(
        population=f.population_dataset(), activity=f.activity_dataset(), by=commissioner
    )
    assert run.status == Run.Status.PENDING and run.code_version
    assert tasks.compute_run.delay(run.pk).get() == Run.Status.COMPLETED
    run.refresh_from_db()
    assert run.progress == 100 and run.started_at and run.finished_at
    assert run.duration_seconds >= 0 and run.measures == ["CT", "MRI"] and run.area_count == 3

    # The same arrays through the core directly.
    pop_arr, counts = f.arrays()
    order = np.argsort(np.array(f.AREAS))
    isr = core.indirectly_standardised(counts[:, order], population=pop_arr[order])
    areas = np.array(f.AREAS)[order]
    rows = selectors.run_results(run=run)
    assert len(rows) == 2 * 3 == Result.objects.filter(run=run).count()
    for row in rows:
        m, a = f.MODALITIES.index(row["measure"]), list(areas).index(row["area"])
        for name in (
            "observed",
            "expected",
            "ratio",
            "ratio_lower95",
            "ratio_upper95",
            "ratio_lower998",
            "ratio_upper998",
            "rate",
            "rate_lower95",
            "rate_upper95",
            "rate_lower998",
            "rate_upper998",
        ):
            assert row[name] == pytest.approx(float(getattr(isr, name)[m, a]), rel=1e-12), name
        assert row["national_rate"] == pytest.approx(float(isr.reference_rate[m]), rel=1e-12)
        assert row["ci_method"] == isr.ci_method[m, a]

    rr = core.rates_ratios(counts.sum(axis=1), population=pop_arr.sum(axis=0))
    stored = selectors.rates_ratios(run=run, measure="MRI")
    assert len(stored) == 2 + 5 + 5
    for row in stored:
        r = rr[row["factor"]]
        j = r.levels.index(row["level"])
        assert row["rate_ratio"] == pytest.approx(float(r.rate_ratio[1, j]), rel=1e-12)
        assert row["std_rate"] == pytest.approx(float(r.std_rate[1, j]), rel=1e-12)
        if j:
            assert row["sig_rates"] == core.significance_stars(r.p_rates[1, j]).item()
        else:
            assert row["p_rates"] is None and row["sig_rates"] == ""
    actions = set(
        AuditEvent.objects.filter(object_id=str(run.pk)).values_list("action", flat=True)
    )
    assert {"metrics.run.create", "metrics.run.complete"} <= actions


def test_a_completed_runs_results_are_immutable():
    run = f.completed_run()
    result = Result.objects.filter(run=run).first()
    result.rate = 1.0
    with pytest.raises(ImmutableError):
        result.save()
    with pytest.raises(ImmutableError):
        result.delete()
    with pytest.raises(ImmutableError):
        Result.objects.filter(run=run).update(rate=2.0)
    with pytest.raises(ImmutableError):
        RatesRatio.objects.filter(run=run).delete()
    with pytest.raises(ImmutableError):
        Result.objects.create(run=run, measure="CT", area="ZZZ", observed=1.0)
    run.multiplier = 100_000.0
    with pytest.raises(ImmutableError):
        run.save()
    run.refresh_from_db()
    with pytest.raises(ImmutableError):
        run.delete()
    run.refresh_from_db()
    assert run.status == Run.Status.COMPLETED and run.multiplier == 10_000.0
    assert Result.objects.get(pk=result.pk).rate != 1.0
    # Computing it again changes nothing.
    before = selectors.run_results(run=run)
    services.compute_run(run.pk)
    assert selectors.run_results(run=run) == before


def test_a_run_whose_activity_does_not_fit_its_population_fails_with_the_line():
    population = f.population_dataset()
    activity = f.activity_dataset(content=f.activity_csv(areas=f.AREAS + ("QXX Nowhere",)))
    run = services.create_run(population=population, activity=activity, by=TEST_DATA)
    tasks.compute_run.delay(run.pk)
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert run.error.startswith("activity/did.csv line ")
    assert "field area: count" in run.error and "'QXX Nowhere'" in run.error
    assert "metrics-run-" not in run.error
    assert not Result.objects.filter(run=run).exists()
    assert selectors.run_results(run=run) == []
    assert AuditEvent.objects.filter(action="metrics.run.fail", object_id=str(run.pk)).exists()


def test_a_stored_file_changed_after_upload_fails_the_run():
    population = f.population_dataset()
    with open(population.file.path, "ab") as fh:
        fh.write(b'"QNC Staffordshire and Stoke-on-Trent",F,90+,9,1\n')
    run = services.create_run(population=population, activity=f.activity_dataset(), by=TEST_DATA)
    services.compute_run(run.pk)
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and "SHA-256" in run.error


def test_run_parameters_are_checked():
    population, activity = f.population_dataset(), f.activity_dataset()
    with pytest.raises(services.MetricsError, match="not a population dataset"):
        services.create_run(population=activity, activity=activity, by=TEST_DATA)
    with pytest.raises(services.MetricsError, match="measure column 'modality'"):
        services.create_run(
            population=population, activity=activity, measure_column="region", by=TEST_DATA
        )
    with pytest.raises(services.MetricsError, match="multiplier"):
        services.create_run(population=population, activity=activity, multiplier=0, by=TEST_DATA)


def test_selectors_for_letters_and_the_api():
    run = f.completed_run()
    row = selectors.result_for(run=run, area="QNC", measure="CT")
    assert row["area"] == "QNC Staffordshire and Stoke-on-Trent" and row["run"] == run.pk
    assert row["compared_with_national_95"] in {"higher", "lower", "similar"}
    assert selectors.result_for(run=run.pk, area=row["area"], measure="CT") == row
    assert selectors.result_for(run=run, area="Q", measure="CT") is None
    assert selectors.result_for(run=run, area="QNC", measure="PET") is None
    assert [r["area"] for r in selectors.run_results(run=run, measure="MRI")] == sorted(f.AREAS)
    pending = services.rerun(run=run, by=TEST_DATA)
    assert selectors.run_results(run=pending) == []
    assert selectors.result_for(run=pending, area="QNC", measure="CT") is None
    assert selectors.latest_runs() == [run]
    services.compute_run(pending.pk)
    assert selectors.latest_runs() == [Run.objects.get(pk=pending.pk)]
    summary = selectors.run_summary(run)
    assert summary["activity"]["name"] == "DID 2024/25" and summary["code_version"]


def test_compared_with_national():
    assert selectors.compared_with_national(1.01, 1.2) == "higher"
    assert selectors.compared_with_national(0.8, 0.99) == "lower"
    assert selectors.compared_with_national(0.9, 1.1) == "similar"
    assert selectors.compared_with_national(None, 1.1) == "not known"


@pytest.mark.parametrize("shuffle", [False, True])
def test_fast_load_matches_the_full_checks(tmp_path, monkeypatch, shuffle):
    from metrics import io as mio

    pop_lines = f.population_csv().decode().splitlines()
    act_lines = f.activity_csv().decode().splitlines()
    if shuffle:
        rng = np.random.default_rng(3)
        pop_lines = pop_lines[:1] + list(rng.permutation(pop_lines[1:]))
        act_lines = act_lines[:1] + list(rng.permutation(act_lines[1:]))
    (tmp_path / "p.csv").write_text("\n".join(pop_lines) + "\n")
    (tmp_path / "o.csv").write_text("\n".join(act_lines) + "\n")
    pop_t = mio.read_population_table(tmp_path / "p.csv")
    act_t = mio.read_counts_table(tmp_path / "o.csv", by="modality")
    assert mio._fast_population(pop_t, path="p.csv") is not None
    fast_pop = mio.load_population(pop_t, path="p.csv")
    fast = mio.load_counts(act_t, path="o.csv", population=fast_pop, by="modality")
    monkeypatch.setattr(mio, "_fast_population", lambda *a, **k: None)
    monkeypatch.setattr(mio, "_fast_counts", lambda *a, **k: None)
    slow_pop = mio.load_population(pop_t, path="p.csv")
    slow = mio.load_counts(act_t, path="o.csv", population=slow_pop, by="modality")
    assert (fast_pop.areas == slow_pop.areas).all()
    assert np.array_equal(fast_pop.values, slow_pop.values)
    assert np.array_equal(fast_pop.present, slow_pop.present)
    assert (fast.measures == slow.measures).all()
    assert np.array_equal(fast.values, slow.values)


def test_fast_load_gives_up_on_a_duplicate_and_the_full_check_names_it(tmp_path):
    from metrics import io as mio

    lines = f.activity_csv().decode().splitlines()
    lines.append(lines[5])
    (tmp_path / "o.csv").write_text("\n".join(lines) + "\n")
    pop = mio.load_population(
        mio.read_population_table(_write(tmp_path / "p.csv", f.population_csv())), path="p.csv"
    )
    with pytest.raises(mio.InputError, match="duplicate stratum, first given on line 6"):
        mio.read_counts(tmp_path / "o.csv", population=pop, by="modality")


def _write(path, content):
    path.write_bytes(content)
    return path
