"""The public contract and CDC registers and the OCDS download: only what commissioners
marked public, and never a value they withheld."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest

from contracts import ocds, services
from contracts.models import Contract
from tests.factories import contracts as factories
from tests.factories.foiregister import OrganisationFactory

pytestmark = pytest.mark.django_db

WITHHELD_VALUE = Decimal("987654.32")


@pytest.fixture
def register(organisation, other_organisation, commissioner):
    public = factories.contract(
        organisation=organisation,
        by=commissioner,
        title="Mobile MRI scanning",
        categories=["mri"],
        value=Decimal("250000.00"),
        is_public=True,
    )
    withheld = factories.contract(
        organisation=organisation,
        by=commissioner,
        title="Insourced endoscopy lists",
        kind=Contract.Kind.INSOURCING,
        categories=["endoscopy"],
        value=WITHHELD_VALUE,
        is_public=True,
        value_is_public=False,
    )
    other = factories.contract(
        organisation=other_organisation,
        by=commissioner,
        title="Outsourced CT reporting",
        kind=Contract.Kind.OUTSOURCED_REPORTING,
        categories=["ct", "reporting"],
        status=Contract.Status.PENDING,
        is_public=True,
    )
    private = factories.contract(
        organisation=organisation,
        by=commissioner,
        title="Confidential Quillfeather lease",
        value=Decimal("123123.45"),
    )
    return {"public": public, "withheld": withheld, "other": other, "private": private}


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_contract_register_lists_public_contracts_only(register, client):
    body = client.get("/registers/contracts/").content.decode()
    assert "Mobile MRI scanning" in body
    assert "Outsourced CT reporting" in body
    assert "Quillfeather" not in body
    assert "123,123.45" not in body and "123123.45" not in body
    assert "3 contracts" in body


def test_contract_values_are_printed_in_pounds_on_the_page_and_plain_in_the_csv(register, client):
    """People read '£250,000'; the CSV keeps the machine-readable '250000.00'."""
    page = client.get("/registers/contracts/").content.decode()
    rows = _csv(client.get("/registers/contracts.csv"))
    assert "£250,000" in page and "250,000.00" not in page
    assert {r["title"]: r["value"] for r in rows}["Mobile MRI scanning"] == "250000.00"


def test_withheld_value_is_not_on_the_page_in_the_csv_or_in_ocds(register, client):
    page = client.get("/registers/contracts/").content.decode()
    rows = _csv(client.get("/registers/contracts.csv"))
    package = client.get("/registers/ocds.json").content.decode()
    for text in (page, json.dumps(rows), package):
        assert "987654" not in text and "987,654" not in text
    assert "Withheld" in page
    assert {r["title"]: r["value"] for r in rows}["Insourced endoscopy lists"] == ""
    assert {r["title"]: r["value"] for r in rows}["Mobile MRI scanning"] == "250000.00"


@pytest.mark.parametrize(
    "params, titles",
    [
        ({"kind": "insourcing"}, ["Insourced endoscopy lists"]),
        ({"category": "reporting"}, ["Outsourced CT reporting"]),
        ({"category": "mri"}, ["Mobile MRI scanning"]),
        ({"status": "pending"}, ["Outsourced CT reporting"]),
        ({"organisation": "QNC"}, ["Insourced endoscopy lists", "Mobile MRI scanning"]),
    ],
    ids=["kind", "category-second", "category", "status", "organisation"],
)
def test_filters_give_the_same_rows_on_the_page_and_in_the_csv(register, client, params, titles):
    rows = _csv(client.get("/registers/contracts.csv", params))
    assert sorted(r["title"] for r in rows) == titles
    body = client.get("/registers/contracts/", params).content.decode()
    for title in titles:
        assert title in body
    assert f"{len(titles)} contract" in body


def test_csv_download_link_keeps_the_filters(register, client):
    body = client.get("/registers/contracts/", {"kind": "insourcing"}).content.decode()
    assert "/registers/contracts.csv?kind=insourcing" in body


def test_ocds_package_has_only_public_contracts_and_is_valid(register, client):
    response = client.get("/registers/ocds.json")
    package = response.json()
    assert response["Content-Type"] == "application/json"
    assert ocds.validation_errors(package) == []
    titles = {r.get("tender", {}).get("title") for r in package["releases"]} - {None}
    assert "Confidential Quillfeather lease" not in titles
    assert "Mobile MRI scanning" in json.dumps(package)


def test_ocds_download_answers_304_to_its_etag(register, client):
    first = client.get("/registers/ocds.json")
    again = client.get("/registers/ocds.json", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


@pytest.fixture
def cdcs(organisation, commissioner):
    trust = OrganisationFactory(kind="trust", name="Fictional Hospitals NHS Trust")
    public = factories.cdc(
        host_trust=trust,
        icb=organisation,
        by=commissioner,
        name="Riverside CDC",
        postcode="ST1 1AA",
        role="hub",
        delivery_model="mixed",
        opening_date=datetime.date(2023, 6, 1),
        is_public=True,
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
        cdc=public,
        modality="ct",
        month=datetime.date(2025, 9, 1),
        planned=280,
        actual=240,
        by=commissioner,
    )
    private = factories.cdc(
        host_trust=trust, icb=organisation, by=commissioner, name="Quillfeather Lane CDC"
    )
    return {"public": public, "private": private}


def test_cdc_register_shows_public_centres_with_utilisation(cdcs, client):
    """One CT scanner, 70 hours a week, 1 examination an hour, over September's 30 days is
    70 x 30 / 7 = 300 examinations; 240 done is 80.0%."""
    body = client.get("/registers/cdcs/").content.decode()
    assert "Riverside CDC" in body and "ST1 1AA" in body
    assert "Fictional Hospitals NHS Trust" in body and "Mixed" in body and "Hub" in body
    assert "80.0%" in body
    assert "Quillfeather" not in body


def test_cdc_csv_has_one_row_per_modality_with_figures(cdcs, client):
    rows = _csv(client.get("/registers/cdcs.csv"))
    assert [(r["name"], r["modality"]) for r in rows] == [("Riverside CDC", "CT")]
    # Capacity over every month of the year Oct 2024 - Sep 2025 (issue 15), not only the
    # month reported: 70 examinations a week x 365 days / 7 = 3,650.
    assert rows[0]["capacity"] == "3650"
    assert rows[0]["actual"] == "240"
    assert rows[0]["utilisation_percent"] == "80.0"
    assert rows[0]["period_end"] == "2025-09-30"


def test_registers_are_in_the_sitemap_and_the_navigation(client, db):
    sitemap = client.get("/sitemap-log.xml").content.decode()
    assert "/registers/contracts/" in sitemap and "/registers/cdcs/" in sitemap
    body = client.get("/").content.decode()
    assert 'href="/registers/contracts/"' in body and 'href="/registers/cdcs/"' in body


@pytest.mark.parametrize(
    ("status", "end", "label"),
    [
        (Contract.Status.ACTIVE, datetime.date(2026, 3, 31), "Active (end date passed)"),
        (Contract.Status.PENDING, datetime.date(2026, 3, 31), "Pending (end date passed)"),
        (Contract.Status.ACTIVE, datetime.date(2026, 4, 1), "Active"),
        (Contract.Status.ACTIVE, None, "Active"),
    ],
)
def test_a_live_contract_past_its_end_date_is_not_called_simply_active(
    organisation, commissioner, status, end, label
):
    from foiregister.disclosure import registers

    contract = factories.contract(organisation=organisation, by=commissioner, status=status)
    contract.current_end_date = end
    row = registers.public_contract(contract, today=datetime.date(2026, 4, 1))
    assert row.status_label == label
