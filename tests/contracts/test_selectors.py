"""Selectors the letters module calls: plain data answering the round-robin questions."""

import dataclasses
import datetime
from decimal import Decimal

from contracts import selectors, services
from contracts.models import Contract, PlannedProcurement
from tests.factories import contracts as f

D = datetime.date
ZERO = Contract.PaymentBasis.ACTIVITY_AT_TARIFF


def test_independent_sector_contracts_live_on_the_day_by_category(organisation):
    f.contract(
        organisation=organisation,
        reference="MRI",
        categories=["mri"],
        payment_basis=ZERO,
        value=Decimal(0),
        end_date=D(2027, 1, 31),
    )
    f.contract(
        organisation=organisation, reference="NOUS", categories=["nous"], end_date=D(2026, 3, 31)
    )
    f.contract(
        organisation=organisation, reference="ENDED", categories=["mri"], end_date=D(2025, 3, 31)
    )
    f.contract(organisation=organisation, reference="INS", kind="insourcing", categories=["mri"])

    result = selectors.independent_sector_contracts(
        organisation=organisation, categories=["mri", "ct"], active_on=D(2025, 11, 14)
    )

    assert [c.reference for c in result] == ["MRI"]
    assert result[0].payment_basis_label == "Zero value, paid on activity at national tariff"
    assert result[0].end_date == D(2027, 1, 31)
    assert dataclasses.is_dataclass(result[0])


def test_independent_sector_contracts_stay_within_the_organisation(
    organisation, other_organisation
):
    f.contract(organisation=other_organisation, reference="THEIRS")

    assert (
        selectors.independent_sector_contracts(organisation=organisation, active_on=D(2025, 6, 1))
        == []
    )


def test_live_insourcing_contracts_include_end_dates_to_be_agreed(organisation):
    f.contract(
        organisation=organisation,
        reference="DAC",
        kind="insourcing",
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="PSR Direct Award C under review",
        categories=["neurophysiology"],
    )
    f.contract(
        organisation=organisation,
        reference="OPS",
        kind="insourcing",
        end_date=D(2026, 3, 31),
        categories=["neurology"],
    )
    f.contract(
        organisation=organisation, reference="OLD", kind="insourcing", end_date=D(2025, 3, 31)
    )

    result = selectors.live_insourcing_contracts(organisation=organisation, on=D(2025, 7, 22))

    by_ref = {c.reference: c for c in result}
    assert set(by_ref) == {"DAC", "OPS"}
    assert by_ref["DAC"].end_date is None
    assert by_ref["DAC"].end_date_reason == "PSR Direct Award C under review"


def test_spend_total_sums_one_kind_in_one_financial_year(organisation):
    common = dict(organisation=organisation, source="ledger", by=None)
    services.record_spend(
        financial_year="2024/25",
        kind="insourcing",
        amount=Decimal("3000000.00"),
        reference="a",
        **common,
    )
    services.record_spend(
        financial_year="2024/25",
        kind="insourcing",
        amount=Decimal("91519.00"),
        reference="b",
        **common,
    )
    services.record_spend(
        financial_year="2024/25",
        kind="independent_sector",
        amount=Decimal("5.00"),
        reference="c",
        **common,
    )
    services.record_spend(
        financial_year="2023/24",
        kind="insourcing",
        amount=Decimal("7.00"),
        reference="d",
        **common,
    )
    services.record_spend(
        financial_year="2024/25",
        kind="insourcing",
        basis="forecast",
        amount=Decimal("9.00"),
        reference="e",
        **common,
    )

    total = selectors.spend_total(
        organisation=organisation, financial_year="2024/25", kind="insourcing"
    )

    assert total == Decimal("3091519.00")


def test_insourcing_providers_by_specialty_come_from_the_years_spend(organisation):
    for supplier, category in (
        ("Health Now", "cardiology"),
        ("Express Diagnostics", "cardiology"),
        ("MediServices", "neurology"),
    ):
        services.record_spend(
            organisation=organisation,
            financial_year="2024/25",
            kind="insourcing",
            amount=None,
            category=category,
            supplier=f.supplier(name=supplier),
            source="FOI",
            by=None,
        )

    result = selectors.insourcing_providers_by_specialty(
        organisation=organisation, financial_year="2024/25"
    )

    assert result == {
        "Cardiology": ["Express Diagnostics", "Health Now"],
        "Neurology": ["MediServices"],
    }


def test_planned_procurements_answer_no_plans_with_an_empty_list(organisation):
    services.create_planned_procurement(
        organisation=organisation,
        title="Old",
        kind="insourcing",
        categories=["mri"],
        status=PlannedProcurement.Status.ABANDONED,
        by=None,
    )

    assert selectors.planned_procurements(organisation=organisation, categories=["mri"]) == []


def test_planned_procurements_filter_by_category(organisation):
    services.create_planned_procurement(
        organisation=organisation,
        title="Re-tender NOUS",
        kind="independent_sector",
        categories=["nous"],
        procurement_route="psr_competitive",
        expected_start=D(2026, 1, 1),
        by=None,
    )
    services.create_planned_procurement(
        organisation=organisation,
        title="CT",
        categories=["ct"],
        kind="independent_sector",
        by=None,
    )

    [plan] = selectors.planned_procurements(organisation=organisation, categories=["nous", "mri"])

    assert plan.title == "Re-tender NOUS"
    assert plan.procurement_route == "PSR 2023 Competitive Process"


def test_cdcs_hosted_by_include_the_icb_area(organisation, other_organisation):
    f.cdc(host_trust=other_organisation, icb=organisation, name="In the ICB area CDC")

    hosted = selectors.cdcs_hosted_by(
        organisation=organisation, start=D(2025, 1, 1), end=D(2025, 3, 31)
    )
    only_hosted = selectors.cdcs_hosted_by(
        organisation=organisation, start=D(2025, 1, 1), end=D(2025, 3, 31), include_icb_area=False
    )

    assert [c.name for c in hosted] == ["In the ICB area CDC"]
    assert only_hosted == []
