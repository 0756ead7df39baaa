"""The one publicity rule of the contract and CDC registers (``contracts.publicity``): what
of a contract, supplier, change, spend line, planned procurement and CDC may be published.
The public register pages, the API, OCDS and every letter block read it; docs/contracts.md
("What may be published") gives the reasons."""

import datetime
from decimal import Decimal

import pytest

from contracts import publicity
from contracts import services as contract_services
from contracts.models import Contract, ContractChange, PlannedProcurement
from tests.factories import TEST_DATA
from tests.factories import contracts as cf

pytestmark = pytest.mark.django_db

D = datetime.date


def _spend(organisation, *, amount="1000.00", **fields):
    return contract_services.record_spend(
        organisation=organisation,
        financial_year="2024/25",
        amount=Decimal(amount),
        kind=Contract.Kind.INSOURCING,
        source="ledger",
        by=TEST_DATA,
        **fields,
    )


def test_only_contracts_marked_public_are_public(organisation):
    public = cf.contract(organisation=organisation, is_public=True)
    cf.contract(organisation=organisation, is_public=False)
    assert list(publicity.public_contracts()) == [public]


def test_public_contracts_narrows_a_given_queryset(organisation, other_organisation):
    cf.contract(organisation=organisation, is_public=True)
    theirs = cf.contract(organisation=other_organisation, is_public=True)
    cf.contract(organisation=other_organisation, is_public=False)
    qs = Contract.objects.filter(organisation=other_organisation)
    assert list(publicity.public_contracts(qs)) == [theirs]


def test_value_of_a_public_contract_is_its_current_value(organisation):
    contract = cf.contract(organisation=organisation, is_public=True, value=Decimal("5000.00"))
    assert publicity.public_value(contract) == Decimal("5000.00")
    assert not publicity.value_withheld(contract)


def test_value_withheld_under_s43_is_not_public(organisation):
    contract = cf.contract(
        organisation=organisation, is_public=True, value=Decimal("5000.00"), value_is_public=False
    )
    assert publicity.public_value(contract) is None
    assert publicity.value_withheld(contract)


def test_private_contract_has_no_public_value(organisation):
    contract = cf.contract(organisation=organisation, is_public=False)
    assert publicity.public_value(contract) is None


def test_end_date_reason_is_public_only_when_reasons_are(organisation):
    fields = dict(end_date=None, end_date_to_be_agreed=True, end_date_reason="Under review")
    shown = cf.contract(
        organisation=organisation, is_public=True, reasons_are_public=True, **fields
    )
    kept = cf.contract(organisation=organisation, is_public=True, **fields)
    private = cf.contract(organisation=organisation, reasons_are_public=True, **fields)
    assert publicity.public_end_date_reason(shown) == "Under review"
    assert publicity.public_end_date_reason(kept) is None
    assert publicity.public_end_date_reason(private) is None


def _change(contract, reason="Extended for winter pressures"):
    return contract_services.record_contract_change(
        contract,
        kind=ContractChange.Kind.VARIATION,
        effective_on=D(2025, 1, 1),
        reason=reason,
        value_change=Decimal("100.00"),
        by=TEST_DATA,
    )


def test_change_reason_is_public_only_on_a_public_contract_with_public_reasons(organisation):
    shown = _change(
        cf.contract(organisation=organisation, is_public=True, reasons_are_public=True)
    )
    kept = _change(cf.contract(organisation=organisation, is_public=True))
    private = _change(cf.contract(organisation=organisation, reasons_are_public=True))
    assert publicity.public_change_reason(shown) == "Extended for winter pressures"
    assert publicity.public_change_reason(kept) is None
    assert publicity.public_change_reason(private) is None


def test_value_change_follows_the_contract_value(organisation):
    shown = _change(cf.contract(organisation=organisation, is_public=True))
    kept = _change(cf.contract(organisation=organisation, is_public=True, value_is_public=False))
    assert publicity.public_value_change(shown) == Decimal("100.00")
    assert publicity.public_value_change(kept) is None


def test_changes_of_private_contracts_are_not_public(organisation):
    shown = _change(cf.contract(organisation=organisation, is_public=True))
    _change(cf.contract(organisation=organisation, is_public=False))
    assert list(publicity.public_changes()) == [shown]


def test_spend_is_public_unless_against_a_private_contract_or_a_withheld_value(organisation):
    """Spend against a contract says what it cost: it follows the contract's value."""
    public = cf.contract(organisation=organisation, is_public=True)
    withheld = cf.contract(organisation=organisation, is_public=True, value_is_public=False)
    private = cf.contract(organisation=organisation, is_public=False)
    shown = {
        _spend(organisation, contract=public, reference="a"),
        _spend(organisation, supplier=cf.supplier(), category="mri", reference="b"),
        _spend(organisation, reference="ledger total"),
    }
    _spend(organisation, contract=withheld, reference="c")
    _spend(organisation, contract=private, supplier=private.supplier, reference="d")
    assert set(publicity.public_spend()) == shown


def test_a_supplier_is_public_when_a_public_contract_or_spend_line_names_it(organisation):
    named = cf.contract(organisation=organisation, is_public=True).supplier
    paid = _spend(organisation, supplier=cf.supplier(), category="mri").supplier
    private = cf.contract(organisation=organisation, is_public=False)
    _spend(organisation, contract=private, supplier=private.supplier, reference="p")
    cf.supplier(name="Never used Ltd")
    assert set(publicity.public_suppliers()) == {named, paid}


def _plan(organisation, **fields):
    return contract_services.create_planned_procurement(
        organisation=organisation,
        title=fields.pop("title", "MRI re-procurement"),
        kind=Contract.Kind.INDEPENDENT_SECTOR,
        categories=["mri"],
        by=TEST_DATA,
        **fields,
    )


def test_only_planned_procurements_marked_public_are_public(organisation):
    shown = _plan(organisation, is_public=True)
    _plan(organisation, is_public=False, title="Private plan")
    assert list(publicity.public_planned_procurements()) == [shown]


def test_a_plan_names_the_contract_it_replaces_only_if_that_contract_is_public(organisation):
    public = cf.contract(organisation=organisation, is_public=True)
    private = cf.contract(organisation=organisation, is_public=False)
    assert publicity.public_replaced_contract(_plan(organisation, replaces=public)) == public
    assert publicity.public_replaced_contract(_plan(organisation, replaces=private)) is None
    assert publicity.public_replaced_contract(_plan(organisation)) is None


def test_open_plans_are_the_considered_planned_and_in_progress_ones(organisation):
    _plan(organisation, is_public=True, status=PlannedProcurement.Status.ABANDONED)
    shown = _plan(organisation, is_public=True, status=PlannedProcurement.Status.IN_PROGRESS)
    assert list(publicity.public_planned_procurements(open_only=True)) == [shown]


def test_only_cdcs_marked_public_are_public(organisation):
    shown = cf.cdc(icb=organisation, is_public=True)
    cf.cdc(icb=organisation, is_public=False)
    assert list(publicity.public_cdcs()) == [shown]


def test_a_hub_is_named_only_if_it_is_public(organisation):
    private_hub = cf.cdc(icb=organisation, is_public=False, role="hub")
    public_hub = cf.cdc(icb=organisation, is_public=True, role="hub")
    spoke = cf.cdc(icb=organisation, is_public=True, role="spoke", hub=private_hub)
    other = cf.cdc(icb=organisation, is_public=True, role="spoke", hub=public_hub)
    assert publicity.public_hub(spoke) is None
    assert publicity.public_hub(other) == public_hub


def test_activity_of_a_private_cdc_is_not_public(organisation):
    shown = cf.cdc(icb=organisation, is_public=True)
    hidden = cf.cdc(icb=organisation, is_public=False)
    for cdc in (shown, hidden):
        contract_services.record_cdc_activity(
            cdc=cdc, modality="mri", month=D(2025, 4, 1), planned=10, actual=9, by=TEST_DATA
        )
    assert [a.cdc for a in publicity.public_cdc_activity()] == [shown]


def test_a_public_cdc_lists_only_its_public_contracts(organisation):
    cdc = cf.cdc(icb=organisation, is_public=True)
    shown = cf.contract(organisation=organisation, is_public=True, cdc=cdc)
    cf.contract(organisation=organisation, is_public=False, cdc=cdc)
    assert list(publicity.public_contracts_of_cdc(cdc)) == [shown]
