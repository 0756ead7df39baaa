"""The CDC block says which months have activity figures and never prints a capacity or
activity of 0 it does not have; an ICB sees the CDCs in its area or that it commissions."""

import datetime
from decimal import Decimal

import pytest

from contracts import services as contract_services
from tests.factories import TEST_DATA
from tests.factories import contracts as cf
from tests.letters.test_blocks import _render_block

pytestmark = pytest.mark.django_db


def _mri(cdc):
    contract_services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=1,
        hours_per_week=Decimal("40"),
        examinations_per_hour=Decimal("2"),
        by=TEST_DATA,
    )


def _activity(cdc, month, actual):
    contract_services.record_cdc_activity(
        cdc=cdc, modality="mri", month=month, planned=400, actual=actual, by=TEST_DATA
    )


def test_no_activity_rows_does_not_print_capacity_0_activity_0(organisation):
    trust = cf.OrganisationFactory(kind="trust")
    cdc = cf.cdc(host_trust=trust, icb=organisation, name="Quiet Town CDC", is_public=True)
    _mri(cdc)
    data, html = _render_block(
        organisation, "cdcs_hosted", {"start": "2025-04-01", "end": "2025-06-30"}
    )
    mri = data["cdcs"][0]["modalities"][0]
    assert mri["activity_months"] == [] and mri["period_months"] == 3
    assert "no activity figures" in html
    assert '<td class="num">0</td>' not in html
    assert "no activity figures are recorded for this period" in html


def test_the_block_names_the_months_with_activity(organisation):
    trust = cf.OrganisationFactory(kind="trust")
    cdc = cf.cdc(host_trust=trust, icb=organisation, name="Busy Town CDC", is_public=True)
    _mri(cdc)
    _activity(cdc, datetime.date(2025, 4, 1), 300)
    _activity(cdc, datetime.date(2025, 5, 1), 310)
    data, html = _render_block(
        organisation, "cdcs_hosted", {"start": "2025-04-01", "end": "2025-06-30"}
    )
    mri = data["cdcs"][0]["modalities"][0]
    assert mri["activity_months"] == ["2025-04-01", "2025-05-01"]
    assert "activity figures for 2 of 3 months (April 2025 to May 2025)" in html


def test_an_icb_lists_the_cdcs_in_its_area_and_those_it_commissions(organisation):
    """``organisation`` is an ICB: one CDC sits in its area, another elsewhere is served
    by a public contract the ICB holds; a third, unrelated, is left out."""
    trust = cf.OrganisationFactory(kind="trust")
    elsewhere = cf.OrganisationFactory(kind="icb")
    cf.cdc(host_trust=trust, icb=organisation, name="In Area CDC", is_public=True)
    served = cf.cdc(host_trust=trust, icb=elsewhere, name="Commissioned CDC", is_public=True)
    cf.cdc(host_trust=trust, icb=elsewhere, name="Unrelated CDC", is_public=True)
    cf.contract(organisation=organisation, cdc=served, is_public=True)
    data, _ = _render_block(
        organisation, "cdcs_hosted", {"start": "2025-04-01", "end": "2025-06-30"}
    )
    assert sorted(c["name"] for c in data["cdcs"]) == ["Commissioned CDC", "In Area CDC"]
    hosted_only, _ = _render_block(
        organisation,
        "cdcs_hosted",
        {"start": "2025-04-01", "end": "2025-06-30", "area": "hosted"},
    )
    assert hosted_only["cdcs"] == []


def test_the_cdc_picker_offers_only_the_organisations_cdcs_and_narrows_the_block(
    organisation, other_organisation
):
    from foiregister.letters.blocks import get_block
    from foiregister.letters.forms import BlockParamsForm

    trust = cf.OrganisationFactory(kind="trust")
    cf.cdc(host_trust=trust, icb=organisation, name="Ours North CDC", is_public=True)
    cf.cdc(host_trust=trust, icb=organisation, name="Ours South CDC", is_public=True)
    cf.cdc(host_trust=trust, icb=other_organisation, name="Theirs CDC", is_public=True)
    form = BlockParamsForm(
        block=get_block("cdcs_hosted"),
        today=datetime.date(2025, 11, 30),
        organisation=organisation,
    )
    offered = [value for value, _ in form.fields["cdcs"].choices]
    assert offered == ["Ours North CDC", "Ours South CDC"]

    data, _ = _render_block(
        organisation,
        "cdcs_hosted",
        {"start": "2025-04-01", "end": "2025-06-30", "cdcs": ["Ours South CDC"]},
    )
    assert [c["name"] for c in data["cdcs"]] == ["Ours South CDC"]
