"""Live blocks: parameters checked against the schema, figures from the contract register,
rendered as the seed letters list them. The seed letters' rows are public (their bodies
published them); what blocks do with private rows is in ``test_block_publicity``."""

import datetime
from decimal import Decimal

import pytest

from contracts import services as contract_services
from contracts.models import Contract, Supplier
from foiregister.letters import blocks, selectors, services
from foiregister.letters.context import render_context
from foiregister.letters.exceptions import BlockError
from foiregister.letters.render import render_letter_html
from tests.factories import TEST_DATA
from tests.factories import contracts as cf
from tests.factories.foiregister import log_request

pytestmark = pytest.mark.django_db

TARIFF = Contract.PaymentBasis.ACTIVITY_AT_TARIFF


def test_unknown_block_type_is_refused_naming_the_known_ones():
    with pytest.raises(BlockError, match="unknown block type 'free_sql'"):
        blocks.get_block("free_sql")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"categories": ["mri"]}, "parameter active_on is required"),
        ({"active_on": "31/02/2025"}, "is not a date"),
        ({"active_on": "2025-07-01", "categories": ["xx"]}, "xx not one of"),
        ({"active_on": "2025-07-01", "template": "{{ secret }}"}, "unknown parameter template"),
    ],
)
def test_block_parameters_are_checked_against_the_schema(params, message):
    with pytest.raises(BlockError, match=message):
        blocks.get_block("independent_sector_contracts").clean(params)


def test_financial_year_must_be_consecutive_years():
    with pytest.raises(BlockError, match="not a financial year"):
        blocks.get_block("spend_total").clean({"financial_year": "2024/26", "kind": "insourcing"})
    assert blocks.get_block("spend_total").clean(
        {"financial_year": "2024-25", "kind": "insourcing"}
    ) == {"financial_year": "2024/25", "kind": "insourcing"}


def test_data_hash_ignores_key_order():
    assert blocks.data_hash({"a": 1, "b": [1, 2]}) == blocks.data_hash({"b": [1, 2], "a": 1})
    assert blocks.data_hash({"a": 1}) != blocks.data_hash({"a": 2})


def _staffs_contracts(organisation):
    for name, title, categories, end in (
        (
            "Diagnostic Healthcare Ltd",
            "Provision of MRI services",
            ["mri"],
            datetime.date(2027, 1, 31),
        ),
        (
            "Harmonic Medical Sonography",
            "Provision of Non-Obstetric Ultrasound",
            ["nous"],
            datetime.date(2026, 3, 31),
        ),
        (
            "Health Harmonie Ltd",
            "Provision of Non-Obstetric Ultrasound",
            ["nous"],
            datetime.date(2026, 3, 31),
        ),
    ):
        cf.contract(
            organisation=organisation,
            supplier_obj=cf.supplier(name=name),
            title=title,
            scope=title,
            categories=categories,
            payment_basis=TARIFF,
            value=Decimal("0"),
            end_date=end,
            is_public=True,
        )
    cf.contract(
        organisation=organisation,
        title="Provision of dermatology",
        categories=["dermatology"],
        is_public=True,
    )


def _render_block(organisation, key, params):
    kind = blocks.get_block(key)
    data = kind.load(organisation=organisation, params=params)
    content = {
        "kind": "response",
        "kind_label": "Response",
        "reference": "FOI/1",
        "regime": "foi",
        "request_title": "t",
        "received_on": "2025-09-01",
        "due_on": "",
        "body": "",
        "fee_amount": "",
        "pit_estimate_on": "",
        "review_decision": "",
        "review_decision_label": "",
        "corrects": None,
        "publication_notice": False,
        "review_rights": False,
        "ico_rights": False,
        "organisation": {"name": organisation.name, "address_lines": []},
        "questions": [
            {
                "number": 1,
                "text": "Q",
                "answer_kind": "provided",
                "answer": "",
                "standard_wording": "",
                "public_interest_reasoning": "",
                "blocks": [
                    {
                        "template": kind.template,
                        "data": data,
                        "params": params,
                        "title": kind.title,
                        "error": "",
                    }
                ],
            }
        ],
    }
    html = render_letter_html(
        render_context(content=content, letter_date=datetime.date(2025, 11, 14), addressee=None)
    )
    return data, " ".join(html.split())


def test_independent_sector_contracts_list_like_the_staffordshire_letter(organisation):
    _staffs_contracts(organisation)
    data, html = _render_block(
        organisation,
        "independent_sector_contracts",
        {"categories": ["ct", "mri", "nous"], "active_on": "2025-11-14"},
    )
    assert [c["supplier"] for c in data["contracts"]] == [
        "Diagnostic Healthcare Ltd",
        "Harmonic Medical Sonography",
        "Health Harmonie Ltd",
    ]
    assert (
        "Diagnostic Healthcare Ltd, Provision of MRI services, contract value is zero and paid "
        "on activity undertaken in line with the NHS national tariff, expiry 31 January 2027."
    ) in html
    assert "dermatology" not in html


def test_a_scope_ending_in_a_full_stop_still_reads_as_one_sentence(organisation):
    cf.contract(
        organisation=organisation,
        supplier_obj=cf.supplier(name="Diagnostic Healthcare Ltd"),
        title="MRI",
        scope="Provision of MRI services for residents.",
        categories=["mri"],
        payment_basis=TARIFF,
        value=Decimal("0"),
        end_date=datetime.date(2027, 1, 31),
        is_public=True,
    )
    _, html = _render_block(
        organisation, "independent_sector_contracts", {"active_on": "2025-11-14"}
    )
    assert "Provision of MRI services for residents, contract value is zero" in html


def test_withheld_contract_value_is_not_printed(organisation):
    cf.contract(
        organisation=organisation,
        title="MRI",
        value=Decimal("123456.00"),
        value_is_public=False,
        is_public=True,
    )
    data, html = _render_block(
        organisation, "independent_sector_contracts", {"active_on": "2025-11-14"}
    )
    assert data["contracts"][0]["value"] is None
    assert "123,456" not in html and "withheld (section 43(2)" in html


def _dudley(organisation):
    kinds = Supplier.Kind.INSOURCING
    cobalt = cf.supplier(name="Cobalt", kind=kinds)
    eighteen = cf.supplier(name="18 Week Support", kind=kinds)
    medi = cf.supplier(name="MediServices", kind=kinds)
    ins = Contract.Kind.INSOURCING
    public = {"is_public": True, "reasons_are_public": True}  # as the Dudley letter shows
    cobalt_c = cf.contract(
        organisation=organisation,
        supplier_obj=cobalt,
        kind=ins,
        title="CT & MRI Service",
        categories=["ct", "mri"],
        end_date=datetime.date(2028, 7, 31),
        **public,
    )
    cf.contract(
        organisation=organisation,
        supplier_obj=eighteen,
        kind=ins,
        title="Neurology Outpatients",
        categories=["neurology"],
        end_date=datetime.date(2026, 3, 31),
        **public,
    )
    cf.contract(
        organisation=organisation,
        supplier_obj=medi,
        kind=ins,
        title="EMG & NCS Reporting",
        categories=["neurophysiology"],
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="PSR Direct Award C under way; service requirements under review",
        **public,
    )
    for supplier, amount, category, contract in (
        (cobalt, "2000000.00", "mri", cobalt_c),
        (eighteen, "1091519.00", "neurology", None),
    ):
        contract_services.record_spend(
            organisation=organisation,
            financial_year="2024/25",
            amount=Decimal(amount),
            kind=ins,
            source="ledger",
            by=TEST_DATA,
            supplier=supplier,
            category=category,
            contract=contract,
        )


def test_insourcing_spend_and_providers_like_the_dudley_letter(other_organisation):
    _dudley(other_organisation)
    data, html = _render_block(
        other_organisation, "spend_total", {"financial_year": "2024/25", "kind": "insourcing"}
    )
    assert data["total"] == "3091519.00" and "£3,091,519" in html
    data, html = _render_block(
        other_organisation, "insourcing_providers_by_specialty", {"financial_year": "2024/25"}
    )
    assert "MRI: provided by Cobalt" in html and "Neurology: provided by 18 Week Support" in html


def test_a_specialty_with_two_providers_names_both_on_one_line(other_organisation):
    """The Dudley letter lists each specialty's insourcing providers."""
    _dudley(other_organisation)
    contract_services.record_spend(
        organisation=other_organisation,
        financial_year="2024/25",
        amount=Decimal("1000.00"),
        kind=Contract.Kind.INSOURCING,
        source="ledger",
        by=TEST_DATA,
        supplier=cf.supplier(name="MediServices", kind=Supplier.Kind.INSOURCING),
        category="neurology",
    )
    _, html = _render_block(
        other_organisation, "insourcing_providers_by_specialty", {"financial_year": "2024/25"}
    )
    assert "Neurology: provided by 18 Week Support and MediServices" in html


def test_live_insourcing_contracts_show_end_dates_and_to_be_agreed(other_organisation):
    _dudley(other_organisation)
    data, html = _render_block(
        other_organisation, "live_insourcing_contracts", {"on": "2025-07-22"}
    )
    assert [s["supplier"] for s in data["suppliers"]] == [
        "18 Week Support",
        "Cobalt",
        "MediServices",
    ]
    assert "CT &amp; MRI Service: ends 31 July 2028" in html
    assert (
        "EMG &amp; NCS Reporting (Neurophysiology): end date to be agreed. PSR Direct Award C "
        "under way; service requirements under review."
    ) in html
    assert "Neurology Outpatients: ends 31 March 2026." in html  # not "Neurology: Neurology"


def test_no_cdc_and_no_plans_give_the_standard_answers(organisation):
    _, html = _render_block(
        organisation, "cdcs_hosted", {"start": "2025-04-01", "end": "2025-06-30"}
    )
    assert f"No community diagnostic centres to report for {organisation.name}" in html
    _, html = _render_block(organisation, "planned_procurements", {"categories": ["mri"]})
    assert "No current plans to procure or re-tender these services to report" in html


def test_cdc_capacity_and_utilisation_by_modality(organisation):
    trust = cf.OrganisationFactory(kind="trust")
    cdc = cf.cdc(host_trust=trust, icb=organisation, name="Fictional Town CDC", is_public=True)
    contract_services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=1,
        hours_per_week=Decimal("40"),
        examinations_per_hour=Decimal("2"),
        by=TEST_DATA,
    )
    contract_services.record_cdc_activity(
        cdc=cdc,
        modality="mri",
        month=datetime.date(2025, 4, 1),
        planned=400,
        actual=300,
        by=TEST_DATA,
    )
    data, html = _render_block(
        organisation, "cdcs_hosted", {"start": "2025-04-01", "end": "2025-04-30"}
    )
    mri = data["cdcs"][0]["modalities"][0]
    assert mri["actual"] == 300 and mri["average_shortfall"] == "100.0"
    # 40 h x 2/h x 30/7 weeks = 342.857... examinations; 300 of them is 87.5%
    assert "Fictional Town CDC" in html and "87.5%" in html


def test_a_register_change_flags_a_reviewed_block(organisation, foi_officer):
    _staffs_contracts(organisation)
    request = log_request(organisation=organisation, by=foi_officer)
    question = request.questions.get()
    block = services.add_block(
        question=question,
        block_type="independent_sector_contracts",
        params={"categories": ["mri"], "active_on": "2025-11-14"},
        by=foi_officer,
    )
    services.review_blocks(blocks=[block], by=foi_officer)
    assert not selectors.block_state(block).changed
    cf.contract(organisation=organisation, title="Mobile MRI", categories=["mri"], is_public=True)
    block.refresh_from_db()
    assert selectors.block_state(block).changed
