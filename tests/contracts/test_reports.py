"""The PSR annual summary (public) and the expiry outlook (commissioners), issue 16.
Expected counts and sums are added up by hand from the contracts made here."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import reports
from contracts.models import Contract
from tests.factories.contracts import contract

R = Contract.ProcurementRoute


@pytest.fixture
def awarded(organisation, other_organisation):
    """2024/25 is 1 Apr 2024 to 31 Mar 2025."""
    contract(
        organisation=organisation,
        procurement_route=R.PSR_DIRECT_AWARD_C,
        start_date=datetime.date(2024, 4, 1),
        value=Decimal("100000.00"),
        is_public=True,
    )
    contract(
        organisation=organisation,
        procurement_route=R.PSR_DIRECT_AWARD_C,
        start_date=datetime.date(2025, 3, 31),
        value=Decimal("250000.00"),
        is_public=True,
    )
    # Value withheld under s.43(2): counted, not summed.
    contract(
        organisation=organisation,
        procurement_route=R.PSR_COMPETITIVE,
        start_date=datetime.date(2024, 9, 1),
        value=Decimal("999999.00"),
        is_public=True,
        value_is_public=False,
    )
    # Not published, another year, another regime: none counted.
    contract(
        organisation=organisation,
        procurement_route=R.PSR_MOST_SUITABLE,
        start_date=datetime.date(2024, 9, 1),
        value=Decimal("5000.00"),
    )
    contract(
        organisation=organisation,
        procurement_route=R.PSR_MOST_SUITABLE,
        start_date=datetime.date(2025, 4, 1),
        value=Decimal("5000.00"),
        is_public=True,
    )
    contract(
        organisation=organisation,
        procurement_route=R.PCR15_OPEN,
        start_date=datetime.date(2024, 9, 1),
        value=Decimal("5000.00"),
        is_public=True,
    )
    contract(
        organisation=other_organisation,
        procurement_route=R.PSR_URGENT,
        start_date=datetime.date(2024, 6, 1),
        value=Decimal("7000.00"),
        is_public=True,
    )
    return organisation


@pytest.mark.django_db
def test_the_psr_summary_counts_public_awards_by_route(awarded):
    summary = reports.psr_annual_summary(year="2024/25", organisation=awarded)

    by_route = {
        r["route"]: (r["contracts"], r["value"], r["values_withheld"]) for r in summary["routes"]
    }
    assert by_route["psr_da_c"] == (2, Decimal("350000.00"), 0)  # 100,000 + 250,000
    assert by_route["psr_competitive"] == (1, Decimal("0.00"), 1)
    assert by_route["psr_msp"] == (0, Decimal("0.00"), 0)
    assert by_route["psr_urgent"] == (0, Decimal("0.00"), 0)  # another organisation's
    assert (summary["contracts"], summary["value"], summary["values_withheld"]) == (
        3,
        Decimal("350000.00"),
        1,
    )


@pytest.mark.django_db
def test_the_public_psr_page_hides_withheld_values(awarded, public_client):
    response = public_client.get(
        reverse("registers:psr_summary"), {"year": "2024/25", "organisation": awarded.ods_code}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "999,999" not in page
    assert "350,000" in page
    assert (
        public_client.get(reverse("registers:psr_summary"), {"year": "2024/26"}).status_code == 404
    )


@pytest.mark.django_db
def test_the_expiry_outlook_groups_by_quarter_kind_and_modality(organisation):
    today = datetime.date(2025, 11, 14)
    contract(
        organisation=organisation,
        end_date=datetime.date(2025, 12, 31),
        categories=["mri", "ct"],
        value=Decimal("100.00"),
    )
    contract(
        organisation=organisation,
        end_date=datetime.date(2025, 11, 20),
        categories=["mri"],
        value=Decimal("50.00"),
    )
    contract(
        organisation=organisation,
        end_date=datetime.date(2027, 9, 30),
        kind=Contract.Kind.INSOURCING,
        categories=["endoscopy"],
        value=Decimal("7.00"),
    )
    # Beyond two years (the eighth quarter from 2025-Q4 is 2027-Q3), or already ended.
    contract(organisation=organisation, end_date=datetime.date(2027, 10, 1), value=Decimal("1"))
    contract(
        organisation=organisation,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2025, 11, 13),
        value=Decimal("1"),
    )

    rows = reports.expiry_outlook(
        contracts=Contract.objects.filter(organisation=organisation), today=today
    )

    assert [
        (r["quarter"], r["kind"], r["modality"], r["contracts"], r["value"]) for r in rows
    ] == [
        ("2025-Q4", "Independent sector", "CT", 1, Decimal("100.00")),
        ("2025-Q4", "Independent sector", "MRI", 2, Decimal("150.00")),
        ("2027-Q3", "Insourcing", "Endoscopy", 1, Decimal("7.00")),
    ]


@pytest.mark.django_db
def test_a_commissioner_sees_the_outlook_page(organisation, commissioner_client):
    contract(organisation=organisation, end_date=datetime.date(2099, 1, 1))

    response = commissioner_client.get(reverse("admin:contracts_contract_outlook"))

    assert response.status_code == 200
    assert "Contracts ending in the next two years" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "year"),
    [
        ("2026-11-29 12:00", "2025/26"),
        ("2027-03-31 12:00", "2025/26"),
        ("2027-04-01 12:00", "2026/27"),
    ],
)
def test_the_psr_page_opens_on_the_last_year_that_has_ended(public_client, today, year):
    import time_machine

    with time_machine.travel(today, tick=False):
        page = public_client.get(reverse("registers:psr_summary")).content.decode()
    assert f"Contracts awarded in {year} by route" in page
    assert 'role="region"' in page  # the table scrolls in its own box on a phone
