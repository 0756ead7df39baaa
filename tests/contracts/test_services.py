"""Services: writes are validated, keep the current end date and value, and are audited."""

import datetime
from decimal import Decimal

import pytest

from contracts import services
from contracts.exceptions import ValidationFailed
from contracts.models import Contract, ContractChange
from foiregister.kernel.audit import history_for
from tests.factories import TEST_DATA
from tests.factories import contracts as f

D = datetime.date


def test_create_contract_writes_an_audit_row_with_its_terms(organisation, commissioner):
    contract = f.contract(organisation=organisation, by=commissioner, reference="SSOT-MRI-1")

    event = history_for(contract).get()
    assert event.action == "contract.created"
    assert event.actor == "commissioner"
    assert event.organisation_id == str(organisation.pk)
    assert event.changes["reference"] == [None, "SSOT-MRI-1"]
    assert event.changes["end_date"] == [None, "2027-01-31"]


def test_update_contract_audits_only_the_fields_that_changed(organisation, commissioner):
    contract = f.contract(organisation=organisation, by=commissioner)

    services.update_contract(contract, by=commissioner, title="MRI (mobile)", scope="")

    event = history_for(contract).filter(action="contract.updated").get()
    assert event.changes == {"title": ["Provision of MRI services", "MRI (mobile)"]}


def test_update_contract_with_the_same_values_writes_nothing(organisation, commissioner):
    contract = f.contract(organisation=organisation, by=commissioner)

    services.update_contract(contract, by=commissioner, title=contract.title, value=Decimal("1e5"))

    assert history_for(contract).count() == 1


def test_reference_is_unique_within_an_organisation(organisation, commissioner):
    f.contract(organisation=organisation, by=commissioner, reference="DUP")

    with pytest.raises(ValidationFailed):
        f.contract(organisation=organisation, by=commissioner, reference="DUP")


def test_same_reference_is_allowed_in_another_organisation(organisation, other_organisation):
    f.contract(organisation=organisation, reference="SAME")

    other = f.contract(organisation=other_organisation, reference="SAME")

    assert other.pk


def test_end_date_to_be_agreed_needs_a_reason(organisation):
    with pytest.raises(ValidationFailed) as exc:
        f.contract(organisation=organisation, end_date=None, end_date_to_be_agreed=True)

    assert exc.value.field == "end_date_reason"


def test_activity_at_tariff_contract_cannot_carry_a_value(organisation):
    with pytest.raises(ValidationFailed) as exc:
        f.contract(
            organisation=organisation,
            payment_basis=Contract.PaymentBasis.ACTIVITY_AT_TARIFF,
            value=Decimal("5"),
        )

    assert exc.value.field == "value"


def test_unknown_category_is_refused_with_its_name(organisation):
    with pytest.raises(ValidationFailed, match="'mri_scanner'"):
        f.contract(organisation=organisation, categories=["mri_scanner"])


def test_extension_moves_the_current_end_date(organisation, commissioner):
    contract = f.contract(
        organisation=organisation, end_date=D(2026, 3, 31), latest_end_date=D(2028, 3, 31)
    )

    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2026, 1, 10),
        new_end_date=D(2027, 3, 31),
        reason="First 12-month option exercised",
        by=commissioner,
    )

    contract.refresh_from_db()
    assert contract.end_date == D(2026, 3, 31)
    assert contract.current_end_date == D(2027, 3, 31)


def test_variations_add_up_to_the_current_value(organisation, commissioner):
    contract = f.contract(organisation=organisation, value=Decimal("100000.00"))

    for change in ("25000.00", "-5000.50"):
        services.record_contract_change(
            contract,
            kind="variation",
            effective_on=D(2025, 6, 1),
            value_change=Decimal(change),
            reason="Activity variation",
            by=commissioner,
        )

    contract.refresh_from_db()
    assert contract.current_value == Decimal("119999.50")
    assert contract.value == Decimal("100000.00")


def test_extension_beyond_the_latest_possible_end_date_is_refused(organisation, commissioner):
    contract = f.contract(
        organisation=organisation, end_date=D(2026, 3, 31), latest_end_date=D(2027, 3, 31)
    )

    with pytest.raises(ValidationFailed, match="latest possible end date"):
        services.record_contract_change(
            contract,
            kind="extension",
            effective_on=D(2026, 1, 1),
            new_end_date=D(2028, 3, 31),
            reason="Extend",
            by=commissioner,
        )
    assert not ContractChange.objects.exists()


def test_termination_ends_the_contract_and_marks_it_terminated(organisation, commissioner):
    contract = f.contract(organisation=organisation, end_date=D(2027, 1, 31))

    services.record_contract_change(
        contract,
        kind="termination",
        effective_on=D(2025, 9, 30),
        reason="Service brought back in-house",
        by=commissioner,
    )

    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED
    assert contract.current_end_date == D(2025, 9, 30)
    event = history_for(contract).get(action="contract.termination")
    assert event.changes["status"] == ["active", "terminated"]
    assert event.changes["current_end_date"] == ["2027-01-31", "2025-09-30"]


def test_agreeing_an_end_date_clears_to_be_agreed(organisation, commissioner):
    contract = f.contract(
        organisation=organisation,
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="PSR Direct Award C under review",
    )

    services.record_contract_change(
        contract,
        kind="variation",
        effective_on=D(2025, 10, 1),
        new_end_date=D(2026, 9, 30),
        reason="Direct Award C concluded",
        by=commissioner,
    )

    contract.refresh_from_db()
    assert contract.current_end_date == D(2026, 9, 30)
    assert contract.end_date_to_be_agreed is False


def test_spend_upserts_on_its_reference_and_audits_the_change(organisation, commissioner):
    supplier = f.supplier(name="Fictional Insourcing Ltd")
    kwargs = dict(
        organisation=organisation,
        financial_year="2024/25",
        kind="insourcing",
        supplier=supplier,
        category="cardiology",
        source="ledger M12",
        by=commissioner,
    )
    first = services.record_spend(amount=Decimal("1000"), **kwargs)

    second = services.record_spend(amount=Decimal("1500"), **kwargs)

    assert first.pk == second.pk
    assert history_for(second).filter(action="spend.updated").get().changes == {
        "amount": ["1000.00", "1500.00"]
    }


@pytest.mark.parametrize("year", ["2024-25", "2024/26", "24/25", ""])
def test_spend_needs_a_financial_year_like_2024_25(organisation, year):
    with pytest.raises(ValidationFailed) as exc:
        services.record_spend(
            organisation=organisation,
            financial_year=year,
            amount=Decimal("1"),
            kind="insourcing",
            source="ledger",
            by=TEST_DATA,
        )

    assert exc.value.field == "financial_year"


def test_cdc_activity_month_must_be_the_first_day(organisation):
    cdc = f.cdc(host_trust=organisation)

    with pytest.raises(ValidationFailed) as exc:
        services.record_cdc_activity(
            cdc=cdc, modality="mri", month=D(2025, 6, 15), planned=1, actual=1, by=TEST_DATA
        )

    assert exc.value.field == "month"
