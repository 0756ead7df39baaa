"""The read-only API for the contract and CDC registers, OCDS and imaging metrics."""

import datetime
from decimal import Decimal

import pytest

from contracts import services
from contracts.models import Contract
from tests.factories import TEST_DATA
from tests.factories import contracts as factories
from tests.factories import metrics as metrics_factories
from tests.factories.foiregister import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(organisation, other_organisation, commissioner):
    factories.contract(
        organisation=organisation,
        by=commissioner,
        title="Mobile MRI scanning",
        value=Decimal("250000.00"),
        is_public=True,
    )
    factories.contract(
        organisation=organisation,
        by=commissioner,
        title="Insourced endoscopy lists",
        kind=Contract.Kind.INSOURCING,
        categories=["endoscopy"],
        value=Decimal("987654.32"),
        is_public=True,
        value_is_public=False,
    )
    factories.contract(
        organisation=other_organisation,
        by=commissioner,
        title="Outsourced CT reporting",
        kind=Contract.Kind.OUTSOURCED_REPORTING,
        categories=["ct", "reporting"],
        is_public=True,
    )
    factories.contract(organisation=organisation, by=commissioner, title="Quillfeather lease")


def test_contracts_lists_public_contracts_only(register, client):
    data = client.get("/api/v1/contracts/").json()
    assert data["count"] == 3
    assert "Quillfeather" not in str(data)


def test_contracts_never_show_a_withheld_value(register, client):
    response = client.get("/api/v1/contracts/")
    rows = {r["title"]: r for r in response.json()["results"]}
    assert "987654" not in response.content.decode()
    assert rows["Insourced endoscopy lists"]["value"] is None
    assert rows["Insourced endoscopy lists"]["value_withheld"] is True
    assert rows["Mobile MRI scanning"]["value"] == "250000.00"


def test_contract_fields_are_the_named_public_fields(register, client):
    row = client.get("/api/v1/contracts/").json()["results"][0]
    assert not {"owner", "id", "pk", "value_is_public", "is_public", "cdc"} & set(row)


@pytest.mark.parametrize(
    "params, titles",
    [
        ({"kind": "insourcing"}, ["Insourced endoscopy lists"]),
        ({"category": "reporting"}, ["Outsourced CT reporting"]),
        ({"organisation": "QNC"}, ["Insourced endoscopy lists", "Mobile MRI scanning"]),
        ({"organisation": "ZZZ"}, []),
        ({"status": "terminated"}, []),
    ],
    ids=["kind", "category", "organisation", "unknown-organisation", "status"],
)
def test_contract_filters(register, client, params, titles):
    data = client.get("/api/v1/contracts/", params).json()
    assert sorted(r["title"] for r in data["results"]) == titles


def test_contracts_answer_304_to_their_etag(register, client):
    first = client.get("/api/v1/contracts/")
    again = client.get("/api/v1/contracts/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_contracts_have_no_detail_route(register, client):
    """A primary key would tell how many contracts are not public."""
    contract = Contract.objects.get(title="Quillfeather lease")
    assert client.get(f"/api/v1/contracts/{contract.pk}/").status_code == 404


@pytest.fixture
def cdcs(organisation, commissioner):
    trust = OrganisationFactory(kind="trust", name="Fictional Hospitals NHS Trust")
    public = factories.cdc(
        host_trust=trust, icb=organisation, by=commissioner, name="Riverside CDC", is_public=True
    )
    services.set_cdc_modality(
        cdc=public,
        modality="ct",
        equipment_count=1,
        hours_per_week=Decimal("70"),
        examinations_per_hour=Decimal("1"),
        by=commissioner,
    )
    services.record_cdc_activity(
        cdc=public, modality="ct", month=datetime.date(2025, 9, 1), actual=240, by=commissioner
    )
    factories.cdc(host_trust=trust, icb=organisation, by=commissioner, name="Quillfeather CDC")


def test_cdcs_list_public_centres_with_utilisation(cdcs, client):
    """70 hours x 1 examination an hour x 30 days / 7 = 300 in September, the one month
    reported; 240 done is 0.8 of that. Capacity is over every month of the year Oct 2024 -
    Sep 2025, reported or not (issue 15): 70 x 365 / 7 = 3,650."""
    data = client.get("/api/v1/cdcs/").json()
    assert data["count"] == 1
    cdc = data["results"][0]
    assert cdc["name"] == "Riverside CDC"
    assert cdc["host_trust"] == "Fictional Hospitals NHS Trust"
    assert cdc["modalities"][0]["capacity"] == "3650"
    assert cdc["modalities"][0]["utilisation"] == "0.8000"
    assert "Quillfeather" not in str(data)


def test_cdcs_filter_by_icb(cdcs, client):
    assert client.get("/api/v1/cdcs/", {"icb": "QNC"}).json()["count"] == 1
    assert client.get("/api/v1/cdcs/", {"icb": "ZZZ"}).json()["count"] == 0


def test_ocds_endpoint_is_the_public_package(register, client):
    response = client.get("/api/v1/ocds/")
    body = response.content.decode()
    assert response.json()["version"] == "1.1"
    assert "Mobile MRI scanning" in body
    assert "Quillfeather" not in body and "987654" not in body
    again = client.get("/api/v1/ocds/", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_runs_list_completed_runs_with_results(client, db):
    run = metrics_factories.completed_run()
    runs = client.get("/api/v1/runs/").json()
    assert [r["id"] for r in runs["results"]] == [run.pk]
    assert "created_by" not in runs["results"][0]
    results = client.get(f"/api/v1/runs/{run.pk}/results/").json()
    assert results["count"] == len(metrics_factories.AREAS) * len(metrics_factories.MODALITIES)
    one = client.get(f"/api/v1/runs/{run.pk}/results/", {"measure": "CT"}).json()
    assert {r["measure"] for r in one["results"]} == {"CT"}


def test_unfinished_run_is_not_found(client, db):
    from metrics import services as metrics_services

    run = metrics_services.create_run(
        population=metrics_factories.population_dataset(),
        activity=metrics_factories.activity_dataset(),
        by=TEST_DATA,
    )
    assert client.get(f"/api/v1/runs/{run.pk}/").status_code == 404
    assert client.get(f"/api/v1/runs/{run.pk}/results/").status_code == 404


def test_schema_lists_the_register_and_metrics_endpoints(client, db):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/contracts/",
        "/api/v1/cdcs/",
        "/api/v1/ocds/",
        "/api/v1/runs/",
        "/api/v1/runs/{id}/results/",
    ):
        assert path in paths


def test_run_results_suppress_small_numbers(client, db):
    """QNC has 3 MRI examinations: the API withholds the count and everything it could be
    worked back from, and the next smallest area too, so it cannot be found by
    subtraction from the national total."""
    from metrics import services as metrics_services

    activity = "\n".join(
        [
            metrics_factories.HEADER_ACT,
            '"QNC Staffordshire and Stoke-on-Trent",F,0-4,1,MRI,3',
            '"QUA Black Country",F,0-4,1,MRI,40',
            '"QHL Birmingham and Solihull",F,0-4,1,MRI,55',
        ]
    ).encode()
    run = metrics_services.create_run(
        population=metrics_factories.population_dataset(),
        activity=metrics_factories.activity_dataset(content=activity),
        by=TEST_DATA,
    )
    run = metrics_services.compute_run(run.pk)
    rows = client.get(f"/api/v1/runs/{run.pk}/results/", {"measure": "MRI"}).json()["results"]
    by_area = {r["area"].split()[0]: r for r in rows}
    for code in ("QNC", "QUA"):
        assert by_area[code]["suppressed"] is True
        assert by_area[code]["observed"] is None and by_area[code]["rate"] is None
        assert by_area[code]["ratio"] is None and by_area[code]["rate_upper95"] is None
    assert by_area["QHL"]["suppressed"] is False and by_area["QHL"]["observed"] == 55
