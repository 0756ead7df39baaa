"""The CDC register says which months its figures count: totals cover only the months a
centre reported, so "Oct 2024 to Sep 2025" alone would mislabel six months' figures."""

import datetime
from decimal import Decimal

import pytest

from contracts import services as contract_services
from foiregister.disclosure.registers import month_ranges
from tests.factories import contracts as contract_factories

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    "months, expected",
    [
        ([], "none"),
        ([D(2025, 9, 1)], "Sep 2025"),
        ([D(2025, 4, 1), D(2025, 5, 1), D(2025, 6, 1)], "Apr 2025 to Jun 2025"),
        ([D(2024, 12, 1), D(2025, 1, 1), D(2025, 3, 1)], "Dec 2024 to Jan 2025, Mar 2025"),
    ],
)
def test_month_ranges_joins_consecutive_months(months, expected):
    assert month_ranges(months) == expected


def test_the_register_names_the_months_each_figure_counts(organisation, foi_lead, client):
    cdc = contract_factories.cdc(icb=organisation, by=foi_lead, is_public=True)
    contract_services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=1,
        hours_per_week=Decimal("40"),
        examinations_per_hour=Decimal("2"),
        by=foi_lead,
    )
    for month in (D(2025, 7, 1), D(2025, 9, 1)):
        contract_services.record_cdc_activity(
            cdc=cdc, modality="mri", month=month, actual=300, by=foi_lead
        )
    body = client.get("/registers/cdcs/").content.decode()
    assert "Months counted" in body
    assert "Jul 2025, Sep 2025 (2 months)" in body
