"""CDC capacity, utilisation and shortfall against hand-worked figures.

Worked example (by hand): 2 fixed MRI scanners, 84 hours a week (12 h x 7 days), 2
examinations an hour each. June has 30 days: 2 x 84 x 2 x 30 / 7 = 1,440 examinations.
July has 31 days: 2 x 84 x 2 x 31 / 7 = 1,488. Plan 1,400 a month; actual June 1,296
(90% of 1,440; 104 short of plan), July 1,450 (above plan: no shortfall).
Two months: capacity 2,928, actual 2,746, utilisation 2,746 / 2,928 = 0.93784...;
average shortfall (104 + 0) / 2 = 52.0; one month below plan.
"""

import datetime
from decimal import Decimal

from contracts import capacity, selectors, services
from tests.factories import TEST_DATA
from tests.factories import contracts as f

D = datetime.date
MRI = [capacity.Equipment(2, Decimal("84"), Decimal("2"))]


def test_monthly_capacity_scales_the_week_to_the_days_in_the_month():
    assert capacity.monthly_capacity(MRI, D(2025, 6, 1)) == Decimal("1440")
    assert capacity.monthly_capacity(MRI, D(2025, 7, 1)) == Decimal("1488")


def test_utilisation_is_actual_over_capacity():
    assert capacity.utilisation(1296, Decimal("1440")) == Decimal("0.9")


def test_utilisation_without_capacity_is_not_zero_but_unknown():
    assert capacity.utilisation(10, Decimal("0")) is None


def test_shortfall_is_never_negative():
    assert capacity.shortfall(1400, 1296) == 104
    assert capacity.shortfall(1400, 1450) == 0


def test_cdc_selector_gives_utilisation_and_average_shortfall_over_the_period(organisation):
    cdc = f.cdc(host_trust=organisation, name="Fictional Town CDC", is_public=True)
    services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=2,
        hours_per_week=Decimal("84"),
        examinations_per_hour=Decimal("2"),
        by=TEST_DATA,
    )
    for month, actual in ((D(2025, 6, 1), 1296), (D(2025, 7, 1), 1450)):
        services.record_cdc_activity(
            cdc=cdc, modality="mri", month=month, planned=1400, actual=actual, by=TEST_DATA
        )

    [summary] = selectors.cdcs_hosted_by(
        organisation=organisation, start=D(2025, 6, 1), end=D(2025, 7, 31)
    )

    [mri] = summary.modalities
    assert mri.capacity == Decimal("2928")
    assert mri.actual == 2746
    assert round(mri.utilisation, 5) == Decimal("0.93784")
    assert mri.average_shortfall == Decimal("52.0")
    assert mri.months_below_plan == 1
    assert mri.equipment_fixed == 2 and mri.equipment_mobile == 0


def test_mobile_and_fixed_equipment_both_count_towards_capacity(organisation):
    cdc = f.cdc(host_trust=organisation)
    for mobile in (False, True):
        services.set_cdc_modality(
            cdc=cdc,
            modality="ct",
            equipment_count=1,
            hours_per_week=Decimal("70"),
            examinations_per_hour=Decimal("3"),
            mobile=mobile,
            by=TEST_DATA,
        )
    services.record_cdc_activity(
        cdc=cdc, modality="ct", month=D(2025, 2, 1), planned=1500, actual=1200, by=TEST_DATA
    )

    [ct] = selectors.cdc_capacity(cdc, start=D(2025, 2, 1), end=D(2025, 2, 28))

    # 2 machines x 70 h x 3 per hour x 28 days / 7 = 1,680; 1,200 / 1,680 = 0.714285...
    assert ct.capacity == Decimal("1680")
    assert round(ct.utilisation, 4) == Decimal("0.7143")
    assert (ct.equipment_fixed, ct.equipment_mobile) == (1, 1)


def test_cdc_register_exports_computed_capacity_and_utilisation(commissioner_client, organisation):
    """The worked example above, exported: June and July 2025 are the latest months
    reported, so the year is August 2024 to July 2025, two months of it reported. Capacity
    is over the whole year (365 days: 2 x 84 x 2 x 365 / 7 = 17,520), utilisation over the
    two months reported (2,746 / 2,928)."""
    import csv
    import io

    from django.urls import reverse

    cdc = f.cdc(host_trust=organisation, name="Fictional Town CDC", is_public=True)
    services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=2,
        hours_per_week=Decimal("84"),
        examinations_per_hour=Decimal("2"),
        by=TEST_DATA,
    )
    for month, actual in ((D(2025, 6, 1), 1296), (D(2025, 7, 1), 1450)):
        services.record_cdc_activity(
            cdc=cdc, modality="mri", month=month, planned=1400, actual=actual, by=TEST_DATA
        )

    response = commissioner_client.post(
        reverse("admin:contracts_communitydiagnosticcentre_changelist"),
        {"action": "export_capacity_csv", "_selected_action": [cdc.pk]},
    )

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["period_start"], row["period_end"]) == ("2024-08-01", "2025-07-31")
    assert row["modality"] == "MRI" and row["months_reported"] == "2"
    assert (row["capacity"], row["capacity_in_months_reported"]) == ("17520", "2928")
    assert (row["planned"], row["actual"]) == ("2800", "2746")
    assert row["utilisation_percent"] == "93.8"
    assert row["average_monthly_shortfall"] == "52.0"
    assert row["months_below_plan"] == "1"


def _mri_cdc(organisation):
    cdc = f.cdc(host_trust=organisation, name="Fictional Town CDC", is_public=True)
    services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=2,
        hours_per_week=Decimal("84"),
        examinations_per_hour=Decimal("2"),
        by=TEST_DATA,
    )
    return cdc


def test_capacity_counts_every_month_with_or_without_activity(organisation):
    """June reported (actual 1,296), July not: capacity is June's 1,440 plus July's 1,488
    = 2,928; utilisation is June's alone, 1,296 / 1,440 = 0.9."""
    cdc = _mri_cdc(organisation)
    services.record_cdc_activity(
        cdc=cdc, modality="mri", month=D(2025, 6, 1), planned=1400, actual=1296, by=TEST_DATA
    )

    [mri] = selectors.cdc_capacity(cdc, start=D(2025, 6, 1), end=D(2025, 7, 31))

    assert mri.capacity == Decimal("2928")
    assert mri.capacity_reported == Decimal("1440")
    assert mri.utilisation == Decimal("0.9")
    assert (mri.months, mri.months_with_activity) == (2, (D(2025, 6, 1),))
    assert mri.average_shortfall == Decimal("104.0")


def test_capacity_without_any_activity_rows_is_not_zero(organisation):
    cdc = _mri_cdc(organisation)

    [mri] = selectors.cdc_capacity(cdc, start=D(2025, 6, 1), end=D(2025, 7, 31))

    assert mri.capacity == Decimal("2928")
    assert mri.actual is None and mri.utilisation is None
    assert mri.months_with_activity == ()


def test_months_with_activity_names_the_months_reported(organisation):
    cdc = _mri_cdc(organisation)
    for month in (D(2025, 4, 1), D(2025, 6, 1)):
        services.record_cdc_activity(
            cdc=cdc, modality="mri", month=month, planned=1400, actual=1300, by=TEST_DATA
        )
    services.record_cdc_activity(
        cdc=cdc, modality="mri", month=D(2025, 7, 1), planned=1400, actual=None, by=TEST_DATA
    )

    months = selectors.cdc_months_with_activity(cdc, start=D(2025, 4, 1), end=D(2025, 7, 31))

    assert months == [D(2025, 4, 1), D(2025, 6, 1)]
    assert (
        selectors.cdc_months_with_activity(
            cdc, start=D(2025, 4, 1), end=D(2025, 7, 31), modality="ct"
        )
        == []
    )
