"""CSV formula injection (issue 12, item 9): a supplier name or title typed as a formula must
reach a spreadsheet as text. OWASP's "CSV Injection" guidance: a cell beginning with ``=``,
``+``, ``-``, ``@``, tab or carriage return is prefixed with a single quote."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from foiregister.kernel.csv_export import safe_cell
from tests.factories import contracts as factories
from tests.factories.foiregister import OrganisationFactory

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "@SUM(1)", "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("=1", "'=1"),
        ("-", "'-"),
        # Numbers are data, not formulas: a spreadsheet reads them as constants.
        (-5, -5),
        (Decimal("-1234.50"), Decimal("-1234.50")),
        (-0.25, -0.25),
        ("-12.5", "-12.5"),
        ("-3e-05", "-3e-05"),
        ("Mobile MRI", "Mobile MRI"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
    ids=repr,
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _assert_no_formula(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(TRIGGERS) or _is_number(cell), cell


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.fixture
def planted_contracts(db, organisation, commissioner):
    planted = []
    for i, formula in enumerate(FORMULAS):
        planted.append(
            factories.contract(
                organisation=organisation,
                by=commissioner,
                reference=f"INJ-{i}",
                title=formula,
                supplier_obj=factories.supplier(name=f"{formula} Ltd {i}", by=commissioner),
                is_public=True,
            )
        )
    return planted


@pytest.mark.django_db
def test_public_contract_register_csv_neutralises_formulas(planted_contracts, client):
    rows = _rows(client.get("/registers/contracts.csv"))

    header, body = rows[0], rows[1:]
    titles = {r[header.index("title")] for r in body}
    suppliers = {r[header.index("supplier")] for r in body}
    assert {"'" + c.title for c in planted_contracts} == titles
    assert {"'" + c.supplier.name for c in planted_contracts} <= suppliers
    _assert_no_formula(rows)


@pytest.mark.django_db
def test_public_cdc_register_csv_neutralises_formulas(organisation, commissioner, client):
    trust = OrganisationFactory(kind="trust", name="=cmd|' /C calc'!A0")
    factories.cdc(
        host_trust=trust,
        icb=organisation,
        by=commissioner,
        name="@SUM(1) CDC",
        postcode="+1+1",
        opening_date=datetime.date(2023, 6, 1),
        is_public=True,
    )

    rows = _rows(client.get("/registers/cdcs.csv"))

    assert len(rows) == 2
    assert "'@SUM(1) CDC" in rows[1]
    assert "'=cmd|' /C calc'!A0" in rows[1]
    _assert_no_formula(rows)


@pytest.mark.django_db
def test_admin_contract_export_neutralises_formulas(planted_contracts, commissioner_client):
    response = commissioner_client.post(
        reverse("admin:contracts_contract_changelist"),
        {"action": "_export_csv", "_selected_action": [c.pk for c in planted_contracts]},
    )

    rows = _rows(response)
    header = rows[0]
    assert {r[header.index("title")] for r in rows[1:]} == {
        "'" + c.title for c in planted_contracts
    }
    _assert_no_formula(rows)


@pytest.mark.django_db
def test_admin_cdc_capacity_export_neutralises_formulas(
    organisation, commissioner, commissioner_client
):
    from contracts import services

    trust = OrganisationFactory(kind="trust")
    organisation_cdc = factories.cdc(
        host_trust=trust, icb=organisation, by=commissioner, name="=HYPERLINK(1) CDC"
    )
    trust.members.add(commissioner)
    services.set_cdc_modality(
        cdc=organisation_cdc,
        modality="ct",
        equipment_count=1,
        hours_per_week=Decimal("70"),
        examinations_per_hour=Decimal("1"),
        by=commissioner,
    )
    services.record_cdc_activity(
        cdc=organisation_cdc,
        modality="ct",
        month=datetime.date(2025, 9, 1),
        planned=280,
        actual=240,
        by=commissioner,
    )

    response = commissioner_client.post(
        reverse("admin:contracts_communitydiagnosticcentre_changelist"),
        {"action": "export_capacity_csv", "_selected_action": [organisation_cdc.pk]},
    )

    rows = _rows(response)
    assert len(rows) >= 2, response.content[:500]
    assert any("'=HYPERLINK(1) CDC" in r for r in rows[1:])
    _assert_no_formula(rows)


def test_metrics_cli_output_neutralises_formulas(tmp_path):
    from metrics import io as metrics_io

    out = tmp_path / "out.csv"
    metrics_io.write_rows(out, ["area", "count"], [["=1+1", "-3"], ["@x", "2"]])

    rows = list(csv.reader(out.open()))
    assert rows[1:] == [["'=1+1", "-3"], ["'@x", "2"]]
