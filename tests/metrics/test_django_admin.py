"""The run's admin page (progress, chart, table), uploads through the admin, the SVG charts
and the demo loader."""

import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demo import metrics as demo
from metrics import charts, selectors, services
from metrics.models import Dataset, Result, Run
from tests.factories import TEST_DATA
from tests.factories import metrics as f

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _marks(svg: str) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.fromstring(svg)  # well-formed XML or this raises
    return root, [e for e in root.iter() if "mark" in e.get("class", "").split()]


@pytest.mark.parametrize("kind", ["caterpillar", "funnel"])
def test_chart_is_well_formed_accessible_svg_with_one_mark_per_area(kind):
    run = f.completed_run()
    rows = selectors.run_results(run=run, measure="CT")
    svg = charts.CHARTS[kind](rows, measure="CT & <friends>", period="2024/25")
    root, marks = _marks(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert "CT & <friends>" in title.text and "2024/25" in title.text
    assert "3 areas" in desc.text and "99.8%" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert len(marks) == len(f.AREAS)
    assert {m.get("data-area") or "" for m in marks} <= set(f.AREAS) | {""}
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "England" in texts


def test_caterpillar_labels_every_area_and_sorts_by_rate():
    run = f.completed_run()
    rows = selectors.run_results(run=run, measure="MRI")
    root, _ = _marks(charts.caterpillar_svg(rows, measure="MRI"))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "area"]
    assert [g.get("data-area") for g in groups] == [
        r["area"] for r in sorted(rows, key=lambda r: r["rate"])
    ]
    for g in groups:
        assert g.find(f"{SVG}title").text.startswith(g.get("data-area"))
        assert g.find(f"{SVG}text").text == g.get("data-area")


def test_chart_copes_with_no_rows():
    for draw in charts.CHARTS.values():
        root, marks = _marks(draw([], measure="PET"))
        assert marks == [] and root.find(f"{SVG}title") is not None


def test_commissioner_sees_progress_chart_and_table_on_a_completed_run(commissioner_client):
    run = f.completed_run()
    url = reverse("admin:metrics_run_change", args=[run.pk])
    page = commissioner_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress max="100" value="100"' in html and "Completed" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="caterpillar-ct"' in html
    assert 'http-equiv="refresh"' not in html
    assert "QNC Staffordshire and Stoke-on-Trent" in html and "Rates ratios: CT" in html
    assert "Start a new run" in html
    funnel = commissioner_client.get(url, {"measure": "MRI", "chart": "funnel"}).content.decode()
    assert 'id="funnel-mri"' in funnel and "Results: MRI" in funnel
    odd = commissioner_client.get(url, {"measure": "nope", "chart": "pie"}).content.decode()
    assert 'id="caterpillar-ct"' in odd


def test_a_running_run_page_refreshes_and_shows_its_percent(commissioner_client):
    run = services.create_run(
        population=f.population_dataset(), activity=f.activity_dataset(), by=TEST_DATA
    )
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, progress=35, stage="Reading")
    html = commissioner_client.get(reverse("admin:metrics_run_change", args=[run.pk])).content
    html = html.decode()
    assert 'http-equiv="refresh"' in html and 'value="35"' in html and "35%" in html
    assert 'id="run-chart"' not in html


def test_commissioner_starts_a_run_from_the_admin(
    commissioner, commissioner_client, django_capture_on_commit_callbacks
):
    population, activity = f.population_dataset(), f.activity_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        response = commissioner_client.post(
            reverse("admin:metrics_run_add"),
            {
                "population": population.pk,
                "activity": activity.pk,
                "by": "",
                "multiplier": "10000",
            },
        )
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:metrics_run_change", args=[run.pk])
    assert run.status == Run.Status.COMPLETED and run.created_by == commissioner
    assert run.by == "modality" and Result.objects.filter(run=run).count() == 6
    with django_capture_on_commit_callbacks(execute=True):
        again = commissioner_client.post(reverse("admin:metrics_run_rerun", args=[run.pk]))
    assert again.status_code == 302 and Run.objects.filter(status="completed").count() == 2


def test_admin_upload_refuses_a_bad_file_with_its_line_and_field(commissioner_client):
    bad = b"area,sex,age_band,imd,population\nQNC,F,0-4,1,10\nQNC,F,0-4,6,10\n"
    response = commissioner_client.post(
        reverse("admin:metrics_dataset_add"),
        {
            "kind": "population",
            "name": "October 2024 MPI population",
            "source": "MPI",
            "period": "October 2024",
            "file": SimpleUploadedFile("mpi.csv", bad, content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    assert "mpi.csv line 3, field imd: &#x27;6&#x27; is not a known IMD quintile" in (
        response.content.decode()
    )
    assert not Dataset.objects.exists()


def test_admin_upload_stores_a_good_file(commissioner, commissioner_client):
    response = commissioner_client.post(
        reverse("admin:metrics_dataset_add"),
        {
            "kind": "activity",
            "name": "DID 2024/25",
            "source": "NHS England DID",
            "period": "2024/25",
            "file": SimpleUploadedFile("did.csv", f.activity_csv(), content_type="text/csv"),
        },
    )
    assert response.status_code == 302
    ds = Dataset.objects.get()
    assert ds.uploaded_by == commissioner and ds.measure_column == "modality"
    page = commissioner_client.get(reverse("admin:metrics_dataset_change", args=[ds.pk]))
    assert page.status_code == 200 and ds.sha256 in page.content.decode()


def test_results_are_browsable_and_read_only_in_the_admin(commissioner_client):
    run = f.completed_run()
    listing = commissioner_client.get(reverse("admin:metrics_result_changelist"), {"run": run.pk})
    assert listing.status_code == 200 and "QUA Black Country" in listing.content.decode()
    result = Result.objects.filter(run=run).first()
    change = reverse("admin:metrics_result_change", args=[result.pk])
    assert commissioner_client.post(change, {"rate": "1"}).status_code == 403
    assert (
        commissioner_client.get(reverse("admin:metrics_ratesratio_changelist")).status_code == 200
    )
    delete = reverse("admin:metrics_run_delete", args=[run.pk])
    assert commissioner_client.post(delete, {"post": "yes"}).status_code == 403


def test_the_public_cannot_see_runs(public_client):
    run = f.completed_run()
    response = public_client.get(reverse("admin:metrics_run_change", args=[run.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_demo_loads_a_synthetic_national_run_once(commissioner):
    demo.load(by=commissioner)
    demo.load(by=commissioner)
    assert Dataset.objects.count() == 2 and Run.objects.count() == 1
    for ds in Dataset.objects.all():
        assert "SYNTHETIC" in ds.name and "SYNTHETIC" in ds.source
    run = Run.objects.get()
    assert run.status == Run.Status.COMPLETED and run.area_count == 42
    assert len(run.measures) == 14
    xray = selectors.result_for(run=run, area="QNC", measure="X-ray")
    assert xray["area"] == "QNC Staffordshire and Stoke-on-Trent"
    assert xray["national_rate"] == pytest.approx(3670, rel=0.02)
    male = next(
        r for r in selectors.rates_ratios(run=run, measure="Ultrasound") if r["level"] == "M"
    )
    assert male["rate_ratio"] == pytest.approx(0.36, abs=0.02)
