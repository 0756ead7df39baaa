"""What changed since an earlier answer was issued, in words (issue 17, "Round robins and
reuse"). Before and after values are written by hand in the shape the live blocks freeze
(``letters.blocks``), and each expected sentence is written out, never produced by the code
under test. No database."""

import datetime

from foiregister.letters.reuse import FIGURES_CHANGED, describe_changes


def _contract(reference, supplier, title, *, value="250000.00", end="2027-01-31", **extra):
    return {
        "reference": reference,
        "supplier": supplier,
        "title": title,
        "value": value,
        "value_withheld": value is None,
        "end_date": end,
        "end_date_to_be_agreed": False,
        **extra,
    }


DUDLEY = _contract("C-0001", "Alliance Medical", "Dudley CT/MRI", end="2026-03-31")
WALSALL = _contract("C-0002", "InHealth", "Walsall MRI", value="1200000.00")


def test_a_contract_that_ended_since_is_named_with_its_end_date():
    before = {"active_on": "2025-09-01", "contracts": [DUDLEY, WALSALL]}
    after = {"active_on": "2026-06-01", "contracts": [WALSALL]}
    assert describe_changes("independent_sector_contracts", before, after) == [
        "1 contract has ended since (Alliance Medical, Dudley CT/MRI, ended 31 Mar 2026)"
    ]


def test_a_contract_gone_before_its_end_date_is_no_longer_listed_not_ended():
    before = {"active_on": "2025-09-01", "contracts": [DUDLEY, WALSALL]}
    after = {"active_on": "2026-01-05", "contracts": [DUDLEY]}
    assert describe_changes("independent_sector_contracts", before, after) == [
        "1 contract is no longer listed (InHealth, Walsall MRI)"
    ]


def test_new_contracts_are_counted_and_named():
    before = {"active_on": "2025-09-01", "contracts": [WALSALL]}
    after = {
        "active_on": "2026-06-01",
        "contracts": [
            WALSALL,
            _contract("C-0003", "Medical Imaging Partnership", "Stourbridge ultrasound"),
            _contract("C-0004", "Healthcare Imaging Services", "Mobile CT"),
        ],
    }
    assert describe_changes("independent_sector_contracts", before, after) == [
        "2 new contracts (Medical Imaging Partnership, Stourbridge ultrasound; "
        "Healthcare Imaging Services, Mobile CT)"
    ]


def test_a_changed_value_and_a_withheld_value_are_said():
    before = {"active_on": "2025-09-01", "contracts": [WALSALL, DUDLEY]}
    after = {
        "active_on": "2025-12-01",
        "contracts": [
            {**WALSALL, "value": "1350000.00"},
            {**DUDLEY, "value": None, "value_withheld": True},
        ],
    }
    assert describe_changes("independent_sector_contracts", before, after) == [
        "InHealth, Walsall MRI: value changed from £1,200,000 to £1,350,000",
        "Alliance Medical, Dudley CT/MRI: value changed from £250,000 to withheld",
    ]


def test_an_extended_contract_says_its_new_expiry():
    before = {"on": "2025-09-01", "suppliers": [{"supplier": "InHealth", "contracts": [WALSALL]}]}
    after = {
        "on": "2026-02-01",
        "suppliers": [
            {"supplier": "InHealth", "contracts": [{**WALSALL, "end_date": "2028-03-31"}]}
        ],
    }
    assert describe_changes("live_insourcing_contracts", before, after) == [
        "InHealth, Walsall MRI: expiry changed from 31 Jan 2027 to 31 Mar 2028"
    ]


def test_a_changed_spend_total_gives_both_figures():
    before = {
        "financial_year": "2024/25",
        "kind": "insourcing",
        "kind_label": "Insourcing",
        "total": "3091519.00",
        "reported": True,
    }
    after = {**before, "total": "3200000.00"}
    assert describe_changes("spend_total", before, after) == [
        "total insourcing spend 2024/25 changed from £3,091,519 to £3,200,000"
    ]


def test_spend_no_longer_reported_says_so():
    before = {"financial_year": "2024/25", "total": "3091519.00", "reported": True}
    after = {"financial_year": "2024/25", "total": "0", "reported": False}
    assert describe_changes("spend_total", before, after) == [
        "total spend 2024/25 changed from £3,091,519 to none reported"
    ]


def _mri(months, actual, utilisation):
    return {
        "modality": "mri",
        "label": "MRI",
        "capacity": "12000",
        "actual": actual,
        "utilisation": utilisation,
        "activity_months": months,
    }


def test_cdc_months_and_figures_that_changed_are_said():
    nine = [f"2025-{m:02d}-01" for m in range(4, 13)]
    twelve = nine + ["2026-01-01", "2026-02-01", "2026-03-01"]
    before = {"cdcs": [{"name": "Dudley CDC", "modalities": [_mri(nine, 8100, "0.9000")]}]}
    after = {
        "cdcs": [
            {"name": "Dudley CDC", "modalities": [_mri(twelve, 10950, "0.9125")]},
            {"name": "Halesowen CDC", "modalities": []},
        ]
    }
    assert describe_changes("cdcs_hosted", before, after) == [
        "1 new CDC (Halesowen CDC)",
        "Dudley CDC, MRI: activity now reported for 12 months (was 9)",
        "Dudley CDC, MRI: activity changed from 8,100 to 10,950",
        "Dudley CDC, MRI: utilisation changed from 90.0% to 91.3%",
    ]


def test_insourcing_providers_joined_and_left_per_specialty():
    before = {
        "financial_year": "2024/25",
        "specialties": [{"specialty": "Ophthalmology", "providers": ["Cobalt", "MediServices"]}],
    }
    after = {
        "financial_year": "2024/25",
        "specialties": [
            {"specialty": "Ophthalmology", "providers": ["Cobalt", "18 Week Support"]}
        ],
    }
    assert describe_changes("insourcing_providers_by_specialty", before, after) == [
        "Ophthalmology: 1 new provider (18 Week Support)",
        "Ophthalmology: MediServices no longer listed",
    ]


def test_plans_to_procure_opened_and_closed():
    before = {"plans": [{"title": "Re-tender of MRI"}]}
    after = {"plans": [{"title": "New CT framework"}]}
    assert describe_changes("planned_procurements", before, after) == [
        "1 new plan to procure (New CT framework)",
        "1 plan is no longer open (Re-tender of MRI)",
    ]


def test_any_other_block_that_differs_says_figures_changed():
    before = {"rows": [{"label": "Standardised rate per 10,000", "value": "812.4"}]}
    after = {"rows": [{"label": "Standardised rate per 10,000", "value": "799.0"}]}
    assert describe_changes("standardised_imaging_rate", before, after) == [
        "figures changed since"
    ]
    assert FIGURES_CHANGED == "figures changed since"


def test_a_known_block_whose_difference_has_no_words_falls_back_to_figures_changed():
    before = {"active_on": "2025-09-01", "contracts": [WALSALL]}
    after = {"active_on": "2025-09-01", "contracts": [{**WALSALL, "scope": "MRI and CT"}]}
    assert describe_changes("independent_sector_contracts", before, after) == [
        "figures changed since"
    ]


def test_nothing_changed_says_nothing():
    data = {"active_on": "2025-09-01", "contracts": [WALSALL]}
    assert describe_changes("independent_sector_contracts", data, dict(data)) == []
    assert describe_changes("spend_total", None, {"total": "1"}) == []


def test_without_a_live_on_date_today_decides_whether_a_contract_ended():
    before = {"contracts": [DUDLEY]}
    after = {"contracts": []}
    ended = describe_changes(
        "independent_sector_contracts", before, after, today=datetime.date(2026, 4, 1)
    )
    assert ended == [
        "1 contract has ended since (Alliance Medical, Dudley CT/MRI, ended 31 Mar 2026)"
    ]
