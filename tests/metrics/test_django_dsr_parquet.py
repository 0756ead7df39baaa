"""Runs in the product: directly standardised rates stored beside the ISR, and Parquet
datasets uploaded and computed like CSV ones (issue 18)."""

import io as stdio
from itertools import product

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import services
from metrics.models import Dataset, Result
from tests.factories import TEST_DATA

pytestmark = pytest.mark.django_db

BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
STRATA = list(product("FM", BANDS, "12345"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def table(value_name, value):
    rows = [(a, s, g, q, value(a, s, g, q)) for a in ("A", "B") for s, g, q in STRATA]
    cols = list(zip(*rows, strict=True))
    return pa.table(
        {"area": cols[0], "sex": cols[1], "age_band": cols[2], "imd": cols[3], value_name: cols[4]}
    )


def csv_bytes(t):
    out = stdio.StringIO()
    out.write(",".join(t.column_names) + "\n")
    for row in zip(*(t.column(c).to_pylist() for c in t.column_names), strict=True):
        out.write(",".join(str(v) for v in row) + "\n")
    return out.getvalue().encode()


def parquet_bytes(t):
    sink = pa.BufferOutputStream()
    pq.write_table(t, sink)
    return sink.getvalue().to_pybytes()


def upload(kind, name, content, filename):
    return services.upload_dataset(kind=kind, name=name, source="test", period="2024/25",
                                   file=ContentFile(content, name=filename), by=TEST_DATA)  # fmt: skip


def run_with(pop_content, pop_name, act_content, act_name, tag):
    pop = upload(Dataset.Kind.POPULATION, f"pop {tag}", pop_content, pop_name)
    act = upload(Dataset.Kind.ACTIVITY, f"act {tag}", act_content, act_name)
    run = services.create_run(population=pop, activity=act, by=TEST_DATA)
    return services.compute_run(run.pk)


def test_a_run_stores_directly_standardised_rates():
    """5 examinations per 1,000 people in every stratum of area A: every age band's rate
    is 0.005, so any standard gives 50 per 10,000. Area B has 1 examination in all: under
    10, so no direct rate (PHE's rule)."""
    pop = table("population", lambda a, s, g, q: 1000)
    counts = table(
        "count", lambda a, s, g, q: 5 if a == "A" else int((s, g, q) == ("F", "0-4", "1"))
    )
    run = run_with(csv_bytes(pop), "p.csv", csv_bytes(counts), "c.csv", "dsr")
    assert run.status == "completed", run.error
    a = Result.objects.get(run=run, area="A")
    assert a.observed == 950
    assert a.dsr == pytest.approx(50.0, rel=1e-12)
    assert a.dsr_lower95 < 50 < a.dsr_upper95 and a.dsr_lower998 < a.dsr_lower95
    b = Result.objects.get(run=run, area="B")
    assert b.observed == 1 and b.dsr is None and b.dsr_upper95 is None


def test_parquet_datasets_give_the_same_results_as_csv():
    pop = table("population", lambda a, s, g, q: 1000 + 7 * len(g) + int(q))
    counts = table("count", lambda a, s, g, q: (3 if a == "A" else 4) + int(q))
    by_csv = run_with(csv_bytes(pop), "p.csv", csv_bytes(counts), "c.csv", "csv")
    by_pq = run_with(parquet_bytes(pop), "p.parquet", parquet_bytes(counts), "c.parquet", "pq")
    fields = ("area", "observed", "expected", "ratio", "rate_upper998", "dsr", "dsr_lower95")
    assert by_pq.status == by_csv.status == "completed"
    assert list(Result.objects.filter(run=by_pq).order_by("area").values_list(*fields)) == list(
        Result.objects.filter(run=by_csv).order_by("area").values_list(*fields)
    )


def test_admin_upload_of_a_bad_parquet_file_names_the_row(commissioner_client):
    pop = table("population", lambda a, s, g, q: 1000)
    values = pop.column("population").to_pylist()
    values[6] = -1
    bad = pop.set_column(4, "population", pa.array(values))
    response = commissioner_client.post(
        reverse("admin:metrics_dataset_add"),
        {"kind": "population", "name": "MPI", "source": "MPI", "period": "October 2024",
         "file": SimpleUploadedFile("mpi.parquet", parquet_bytes(bad))},
    )  # fmt: skip
    assert response.status_code == 200
    assert "mpi.parquet row 7, column population: &#x27;-1&#x27; is negative" in (
        response.content.decode()
    )
    assert not Dataset.objects.exists()
