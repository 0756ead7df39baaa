"""Selectors the letters module calls: plain data answering the round-robin questions."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from contracts import selectors, services
from contracts.models import Contract, PlannedProcurement
from tests.factories import TEST_DATA
from tests.factories import contracts as f

D = datetime.date
ZERO = Contract.PaymentBasis.ACTIVITY_AT_TARIFF


def test_independent_sector_contracts_live_on_the_day_by_category(organisation):
    f.contract(
        is_public=True,
        organisation=organisation,
        reference="MRI",
        categories=["mri"],
        payment_basis=ZERO,
        value=Decimal(0),
        end_date=D(2027, 1, 31),
    )
    f.contract(
        is_public=True,
        organisation=organisation,
        reference="NOUS",
        categories=["nous"],
        end_date=D(2026, 3, 31),
    )
    f.contract(
        is_public=True,
        organisation=organisation,
        reference="ENDED",
        categories=["mri"],
        end_date=D(2025, 3, 31),
    )
    f.contract(
        is_public=True,
        organisation=organisation,
        reference="INS",
        kind="insourcing",
        categories=["mri"],
    )

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
    f.contract(is_public=True, organisation=other_organisation, reference="THEIRS")

    assert (
        selectors.independent_sector_contracts(organisation=organisation, active_on=D(2025, 6, 1))
        == []
    )


def test_live_insourcing_contracts_include_end_dates_to_be_agreed(organisation):
    f.contract(
        is_public=True,
        organisation=organisation,
        reference="DAC",
        kind="insourcing",
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="PSR Direct Award C under review",
        reasons_are_public=True,
        categories=["neurophysiology"],
    )
    f.contract(
        is_public=True,
        organisation=organisation,
        reference="OPS",
        kind="insourcing",
        end_date=D(2026, 3, 31),
        categories=["neurology"],
    )
    f.contract(
        is_public=True,
        organisation=organisation,
        reference="OLD",
        kind="insourcing",
        end_date=D(2025, 3, 31),
    )

    result = selectors.live_insourcing_contracts(organisation=organisation, on=D(2025, 7, 22))

    by_ref = {c.reference: c for c in result}
    assert set(by_ref) == {"DAC", "OPS"}
    assert by_ref["DAC"].end_date is None
    assert by_ref["DAC"].end_date_reason == "PSR Direct Award C under review"


def test_spend_total_sums_one_kind_in_one_financial_year(organisation):
    common = dict(organisation=organisation, source="ledger", by=TEST_DATA)
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
            by=TEST_DATA,
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
        by=TEST_DATA,
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
        is_public=True,
        by=TEST_DATA,
    )
    services.create_planned_procurement(
        organisation=organisation,
        title="CT",
        categories=["ct"],
        kind="independent_sector",
        is_public=True,
        by=TEST_DATA,
    )

    [plan] = selectors.planned_procurements(organisation=organisation, categories=["nous", "mri"])

    assert plan.title == "Re-tender NOUS"
    assert plan.procurement_route == "PSR 2023 Competitive Process"


def test_cdcs_hosted_by_include_the_icb_area(organisation, other_organisation):
    f.cdc(
        host_trust=other_organisation, icb=organisation, name="In the ICB area CDC", is_public=True
    )

    hosted = selectors.cdcs_hosted_by(
        organisation=organisation, start=D(2025, 1, 1), end=D(2025, 3, 31)
    )
    only_hosted = selectors.cdcs_hosted_by(
        organisation=organisation, start=D(2025, 1, 1), end=D(2025, 3, 31), include_icb_area=False
    )

    assert [c.name for c in hosted] == ["In the ICB area CDC"]
    assert only_hosted == []


# -- the ending-soon register ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "months", "cutoff"),
    [
        # Hand-worked: the last end date whose warning day (the same day, N months earlier,
        # or that month's last day when it has no such day) is on or before today.
        (D(2026, 1, 15), 3, D(2026, 4, 15)),
        (D(2026, 1, 15), 12, D(2027, 1, 15)),
        # 31 May less three months is 28 Feb (there is no 31 Feb): reached on 28 Feb.
        (D(2026, 2, 28), 3, D(2026, 5, 31)),
        # 29 Feb 2028 less twelve months is 28 Feb 2027.
        (D(2027, 2, 28), 12, D(2028, 2, 29)),
        # 31 Mar less one month is 28 Feb, which is after 31 Jan: not reached.
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
    ],
)
def test_horizon_cutoff_is_the_last_end_date_already_warned_about(today, months, cutoff):
    assert selectors.horizon_cutoff(today, months) == cutoff


def _refs(queryset):
    return [c.reference for c in queryset]


def test_expiring_contracts_sorts_each_contract_under_its_nearest_horizon(organisation):
    today = D(2026, 1, 15)
    f.contract(organisation=organisation, reference="TODAY", end_date=D(2026, 1, 15))
    f.contract(organisation=organisation, reference="3M-EDGE", end_date=D(2026, 4, 15))
    f.contract(organisation=organisation, reference="6M", end_date=D(2026, 4, 16))
    f.contract(organisation=organisation, reference="12M-EDGE", end_date=D(2027, 1, 15))
    f.contract(organisation=organisation, reference="LATER", end_date=D(2027, 1, 16))
    f.contract(
        organisation=organisation,
        reference="ENDED-OK",
        end_date=D(2025, 12, 31),
        status=Contract.Status.TERMINATED,
    )

    result = selectors.expiring_contracts(
        contracts=Contract.objects.filter(organisation=organisation), today=today
    )

    assert _refs(result.horizons["3m"]) == ["TODAY", "3M-EDGE"]
    assert _refs(result.horizons["6m"]) == ["6M"]
    assert _refs(result.horizons["12m"]) == ["12M-EDGE"]
    assert _refs(result.overdue) == []
    assert result.counts == {
        "3m": 2,
        "6m": 1,
        "12m": 1,
        "notice_reached": 0,
        "to_be_agreed": 0,
        "overdue": 0,
    }
    assert result.count == 4


def test_notice_section_lists_contracts_whose_last_day_to_give_notice_has_come(organisation):
    """A 180-day notice on a contract ending 31 Dec 2026 must be given by 4 Jul 2026 (hand
    count: 31 Dec less 180 days); a 450-day notice on one ending 30 Jun 2027 by 6 Apr 2026,
    outside every month horizon but still listed."""
    f.contract(
        organisation=organisation,
        reference="NOTICE-180",
        end_date=D(2026, 12, 31),
        notice_period_days=180,
    )
    f.contract(
        organisation=organisation,
        reference="NOTICE-450",
        end_date=D(2027, 6, 30),
        notice_period_days=450,
    )
    contracts = Contract.objects.filter(organisation=organisation)

    before = selectors.expiring_contracts(contracts=contracts, today=D(2026, 4, 5))
    on_the_day = selectors.expiring_contracts(contracts=contracts, today=D(2026, 4, 6))
    later = selectors.expiring_contracts(contracts=contracts, today=D(2026, 7, 4))

    assert _refs(before.notice_reached) == []
    assert _refs(on_the_day.notice_reached) == ["NOTICE-450"]
    assert _refs(later.notice_reached) == ["NOTICE-180", "NOTICE-450"]
    assert _refs(later.horizons["6m"]) == ["NOTICE-180"]


def test_an_extension_moves_the_last_day_to_give_notice(organisation):
    contract = f.contract(
        organisation=organisation,
        end_date=D(2026, 12, 31),
        latest_end_date=D(2027, 12, 31),
        notice_period_days=90,
    )

    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2026, 6, 1),
        new_end_date=D(2027, 12, 31),
        reason="Option exercised",
        by=TEST_DATA,
    )

    contract.refresh_from_db()
    assert contract.notice_date == D(2027, 10, 2)  # 31 Dec 2027 less 90 days
