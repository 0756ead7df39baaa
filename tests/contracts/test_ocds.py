"""OCDS 1.1.5 export: valid against the package and release schemas, codes from codelists."""

import csv
import datetime
import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from contracts import ocds, selectors, services
from tests.factories import TEST_DATA
from tests.factories import contracts as f

D = datetime.date
SCHEMA = ocds.SCHEMA_DIR


def _codes(name):
    with open(SCHEMA / "codelists" / name) as fh:
        return {row["Code"] for row in csv.DictReader(fh)}


@pytest.fixture
def register(organisation, commissioner):
    supplier = f.supplier(
        name="Diagnostic Healthcare Ltd", companies_house_number="01234567", is_sme=True
    )
    contract = f.contract(
        organisation=organisation,
        reference="SSOT-IS-MRI",
        supplier=supplier,
        is_public=True,
        procurement_route="psr_da_c",
        latest_end_date=D(2028, 1, 31),
        reasons_are_public=True,
        by=commissioner,
    )
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2026, 12, 1),
        new_end_date=D(2028, 1, 31),
        reason="Option exercised",
        by=commissioner,
    )
    services.record_contract_change(
        contract,
        kind="variation",
        effective_on=D(2027, 2, 1),
        value_change=Decimal("2500.50"),
        reason="More sessions",
        by=commissioner,
    )
    services.record_spend(
        organisation=organisation,
        contract=contract,
        financial_year="2024/25",
        amount=Decimal("81234.56"),
        kind="independent_sector",
        source="ledger",
        by=commissioner,
    )
    f.contract(organisation=organisation, reference="PRIVATE", is_public=False)
    return contract


def test_release_package_validates_against_the_ocds_1_1_5_schema(register, settings):
    settings.OCDS_PREFIX = "ocds-abc123"

    package = selectors.ocds_release_package(organisation=register.organisation)

    assert ocds.validation_errors(package) == []


def test_schema_check_catches_a_broken_release(register):
    package = selectors.ocds_release_package()
    del package["releases"][0]["ocid"]
    package["releases"][1]["tag"] = ["notATag"]

    errors = ocds.validation_errors(package)

    # OCDS 1.1.5's release schema closes ``tag`` with an enum, and the codelist check reports
    # the same value again, so a bad tag is named twice (once by each check).
    assert any("'ocid' is a required property" in e for e in errors)
    assert [e for e in errors if "notATag" in e] and len(errors) == 3


def test_one_release_per_contract_change_under_the_configured_prefix(register, settings):
    settings.OCDS_PREFIX = "ocds-abc123"

    releases = selectors.ocds_release_package()["releases"]

    ocid = "ocds-abc123-QNC-SSOT-IS-MRI"
    assert [r["ocid"] for r in releases] == [ocid] * 4
    assert [r["tag"] for r in releases] == [
        ["award", "contract"],
        ["contractAmendment"],
        ["contractAmendment"],
        ["implementation"],
    ]
    assert len({r["id"] for r in releases}) == 4


def test_only_public_contracts_are_exported_by_default(register):
    releases = selectors.ocds_release_package()["releases"]

    assert "PRIVATE" not in json.dumps(releases)


def test_amendments_periods_values_and_spend_are_mapped(register):
    releases = selectors.ocds_release_package()["releases"]

    last_change = releases[2]["contracts"][0]
    assert last_change["period"]["endDate"] == "2028-01-31T00:00:00Z"
    assert last_change["value"] == {"amount": 102500.5, "currency": "GBP"}
    assert [a["rationale"] for a in last_change["amendments"]] == [
        "Option exercised",
        "More sessions",
    ]
    [transaction] = releases[3]["contracts"][0]["implementation"]["transactions"]
    assert transaction["value"] == {"amount": 81234.56, "currency": "GBP"}
    assert transaction["date"] == "2025-03-31T00:00:00Z"
    assert releases[0]["tender"]["procurementMethod"] == "direct"


def test_codes_come_from_the_ocds_codelists(register):
    releases = selectors.ocds_release_package()["releases"]

    for release in releases:
        assert set(release["tag"]) <= _codes("releaseTag.csv")
        for party in release.get("parties", []):
            assert set(party["roles"]) <= _codes("partyRole.csv")
        if "implementation" not in release["tag"]:  # spend releases carry only the spend
            assert release["contracts"][0]["status"] in _codes("contractStatus.csv")
            assert release["tender"]["procurementMethod"] in _codes("method.csv")


def test_termination_is_released_as_a_contract_termination(organisation):
    contract = f.contract(organisation=organisation, is_public=True)
    services.record_contract_change(
        contract,
        kind="termination",
        effective_on=D(2025, 9, 30),
        reason="Brought in-house",
        by=TEST_DATA,
    )

    releases = selectors.ocds_release_package()["releases"]

    assert releases[-1]["tag"] == ["contractTermination"]
    assert releases[-1]["contracts"][0]["status"] == "terminated"
    assert ocds.validation_errors(selectors.ocds_release_package()) == []


def test_withheld_value_is_not_exported(organisation):
    f.contract(
        organisation=organisation,
        is_public=True,
        value_is_public=False,
        value=Decimal("999999.00"),
    )

    package = selectors.ocds_release_package()

    assert "999999" not in json.dumps(package)


def test_export_ocds_command_writes_a_valid_package(register, tmp_path):
    out = tmp_path / "register.json"

    call_command("export_ocds", "--output", str(out), "--organisation", "QNC", stdout=StringIO())

    package = json.loads(out.read_text())
    assert len(package["releases"]) == 4
    assert ocds.validation_errors(package) == []


def test_export_ocds_command_refuses_an_unknown_organisation(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="ZZZ"):
        call_command("export_ocds", "--organisation", "ZZZ", stdout=StringIO())


def test_identifiers_come_from_the_register_not_the_database(organisation, settings):
    """A sequential database id in an OCID would tell readers how many contracts, public or
    not, the register holds. The OCID is the prefix, ODS code and the commissioner's own
    reference; nothing in the package is a row id."""
    settings.OCDS_PREFIX = "ocds-abc123"
    for n in range(7):
        f.contract(organisation=organisation, reference=f"PRIVATE-{n}", is_public=False)
    contract = f.contract(
        organisation=organisation,
        reference="DGFT/INS 7",
        supplier=f.supplier(name="18 Week Support"),
        is_public=True,
    )
    services.record_spend(
        organisation=organisation,
        contract=contract,
        financial_year="2024/25",
        amount=Decimal("1000.00"),
        kind="independent_sector",
        source="ledger",
        reference="LEDGER-2024-25-0042",
        by=TEST_DATA,
    )

    package = selectors.ocds_release_package()

    [award, spend] = package["releases"]
    assert award["ocid"] == "ocds-abc123-QNC-DGFT%2FINS%207"
    assert award["parties"][1]["id"] == "supplier-18-week-support"
    [transaction] = spend["contracts"][0]["implementation"]["transactions"]
    assert transaction["id"] == "ocds-abc123-QNC-DGFT%2FINS%207-spend-LEDGER-2024-25-0042"
    ids = re.findall(r'"(?:id|ocid)": "([^"]*)"', json.dumps(package))
    assert not any(re.search(rf"-{contract.pk}(\b|-)", i) for i in ids)


def test_identifiers_are_the_same_in_every_export(register):
    first = selectors.ocds_release_package()
    f.contract(organisation=register.organisation, reference="LATER", is_public=True)

    second = selectors.ocds_release_package()

    def ids(package):
        return [(r["ocid"], r["id"]) for r in package["releases"]]

    assert set(ids(first)) < set(ids(second))


SHARED_OCDS = Path(__file__).resolve().parents[2].parent / "shared" / "ocds-1.1.5"


@pytest.mark.skipif(not SHARED_OCDS.is_dir(), reason="../shared/ocds-1.1.5 not present")
def test_each_release_validates_against_the_shared_dereferenced_schema(register):
    """An outside check: the standard's own dereferenced release schema, draft 4, from
    ../shared/ocds-1.1.5, rather than the copies the product ships."""
    import jsonschema

    schema = json.loads((SHARED_OCDS / "dereferenced-release-schema.json").read_text())
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )

    releases = selectors.ocds_release_package()["releases"]

    errors = [e.message for r in releases for e in validator.iter_errors(r)]
    assert errors == []


@pytest.mark.skipif(not SHARED_OCDS.is_dir(), reason="../shared/ocds-1.1.5 not present")
def test_the_shipped_schema_folder_is_the_official_one_unchanged():
    shipped = {p.relative_to(SCHEMA): p.read_bytes() for p in SCHEMA.rglob("*") if p.is_file()}
    official = {
        p.relative_to(SHARED_OCDS): p.read_bytes() for p in SHARED_OCDS.rglob("*") if p.is_file()
    }

    assert shipped == official


def _contract_with_reasons(organisation, **fields):
    contract = f.contract(
        organisation=organisation,
        is_public=True,
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="Awaiting legal advice on the supplier's reporting backlog",
        **fields,
    )
    services.record_contract_change(
        contract,
        kind="variation",
        effective_on=D(2025, 10, 1),
        value_change=Decimal("-5000.00"),
        reason="Service credits for missed turnaround times",
        by=TEST_DATA,
    )
    return contract


def test_a_new_contract_discloses_its_value_but_not_its_reasons(organisation):
    """Defaults: FOIA presumes disclosure, so a public contract's value is shown unless
    the commissioner withholds it (s.43(2)); free-text reasons can name people or
    disputes, so they are published only once a commissioner has read and ticked them."""
    contract = f.contract(organisation=organisation)

    assert contract.is_public is False
    assert contract.value_is_public is True
    assert contract.reasons_are_public is False


def test_reasons_not_marked_public_stay_out_of_the_public_export(organisation):
    _contract_with_reasons(organisation)

    package = selectors.ocds_release_package()

    text = json.dumps(package)
    assert "legal advice" not in text and "Service credits" not in text
    assert "End date to be agreed." in package["releases"][0]["contracts"][0]["description"]
    assert ocds.validation_errors(package) == []


def test_reasons_marked_public_are_exported(organisation):
    _contract_with_reasons(organisation, reasons_are_public=True)

    releases = selectors.ocds_release_package()["releases"]

    assert "legal advice" in releases[0]["contracts"][0]["description"]
    [amendment] = releases[1]["contracts"][0]["amendments"]
    assert amendment["rationale"] == "Service credits for missed turnaround times"


def test_the_commissioners_own_export_keeps_every_reason(organisation):
    _contract_with_reasons(organisation)

    package = selectors.ocds_release_package(public_only=False)

    assert "Service credits" in json.dumps(package)


def test_each_financial_years_spend_is_its_own_release(register):
    """Adding 2025/26 spend publishes a new release; the 2024/25 one is unchanged."""
    before = selectors.ocds_release_package()["releases"]
    services.record_spend(
        organisation=register.organisation,
        contract=register,
        financial_year="2025/26",
        amount=Decimal("90000.00"),
        kind="independent_sector",
        source="ledger",
        by=TEST_DATA,
    )

    after = selectors.ocds_release_package()["releases"]

    assert [r["id"].rsplit("-", 3)[-3:] for r in after[3:]] == [
        ["spend", "2024", "25"],
        ["spend", "2025", "26"],
    ]
    assert after[3] == before[3]
    assert after[4]["date"] == "2026-03-31T00:00:00Z"
    amounts = [
        t["value"]["amount"] for t in after[4]["contracts"][0]["implementation"]["transactions"]
    ]
    assert amounts == [81234.56, 90000]
    assert ocds.validation_errors(selectors.ocds_release_package()) == []


def _own_amendment(package, release_id):
    """The rationale and date of the amendment a change release is about (its own number)."""
    [release] = [r for r in package["releases"] if r["id"] == release_id]
    n = release_id.rsplit("-", 1)[1]
    [own] = [a for a in release["contracts"][0]["amendments"] if a["id"].endswith(f"-{n}")]
    return own["rationale"], own["date"][:10]


def test_a_back_dated_change_renumbers_no_published_release(register):
    """Releases are immutable notices: ``-change-1`` once published is the extension for
    good. A variation recorded later but dated before both takes the next number."""
    before = selectors.ocds_release_package()
    services.record_contract_change(
        register,
        kind="variation",
        effective_on=D(2026, 6, 1),
        value_change=Decimal("100.00"),
        reason="Back-dated",
        by=TEST_DATA,
    )

    after = selectors.ocds_release_package()

    ocid = "ocds-xxxxxx-QNC-SSOT-IS-MRI"
    changes = [r for r in after["releases"] if "-change-" in r["id"]]
    assert [(r["id"], r["date"]) for r in changes] == [
        (f"{ocid}-change-3", "2026-06-01T00:00:00Z"),
        (f"{ocid}-change-1", "2026-12-01T00:00:00Z"),
        (f"{ocid}-change-2", "2027-02-01T00:00:00Z"),
    ]
    assert changes[0]["contracts"][0]["amendments"][0]["id"] == f"{ocid}-amendment-3"
    assert _own_amendment(before, f"{ocid}-change-1") == ("Option exercised", "2026-12-01")
    assert _own_amendment(after, f"{ocid}-change-1") == ("Option exercised", "2026-12-01")
    assert _own_amendment(after, f"{ocid}-change-2") == ("More sessions", "2027-02-01")


def test_each_release_is_dated_by_what_it_records(organisation, today):
    contract = f.contract(
        organisation=organisation,
        is_public=True,
        date_signed=D(2024, 2, 15),
        start_date=D(2024, 4, 1),
    )
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2026, 12, 1),
        new_end_date=D(2028, 1, 31),
        reason="Option exercised",
        by=TEST_DATA,
    )

    award, change = selectors.ocds_release_package()["releases"]

    assert award["date"] == "2024-02-15T00:00:00Z"
    assert award["contracts"][0]["dateSigned"] == "2024-02-15T00:00:00Z"
    assert change["date"] == "2026-12-01T00:00:00Z"


def test_an_award_with_no_date_is_dated_at_its_earliest_change(organisation):
    contract = f.contract(organisation=organisation, is_public=True, start_date=None)
    for effective in (D(2026, 5, 1), D(2026, 2, 1)):
        services.record_contract_change(
            contract, kind="variation", effective_on=effective, reason="x", by=TEST_DATA
        )

    award = selectors.ocds_release_package()["releases"][0]

    assert award["date"] == "2026-02-01T00:00:00Z"


def test_publication_policy_is_a_uri(register, settings):
    settings.OCDS_PUBLICATION_POLICY_URL = ""
    package = selectors.ocds_release_package(uri="https://foi.example.nhs.uk/registers/ocds.json")
    assert package["publicationPolicy"] == "https://foi.example.nhs.uk/registers/contracts/"

    settings.OCDS_PUBLICATION_POLICY_URL = "https://example.nhs.uk/open-contracting"
    package = selectors.ocds_release_package()
    assert package["publicationPolicy"] == "https://example.nhs.uk/open-contracting"


def test_validation_checks_formats(register):
    """The official schema says ``publicationPolicy`` is a URI; without jsonschema's format
    extras that was never checked."""
    package = selectors.ocds_release_package()
    package["publicationPolicy"] = "Only contracts their commissioners have marked public."

    assert ocds.validation_errors(package) == [
        "publicationPolicy: 'Only contracts their commissioners have marked public.' is not a "
        "'uri'"
    ]


def test_export_ocds_exits_non_zero_when_nothing_is_public(organisation):
    from django.core.management import CommandError

    f.contract(organisation=organisation, is_public=False)

    with pytest.raises(CommandError, match="no public contracts to publish"):
        call_command("export_ocds", "--organisation", organisation.ods_code, stdout=StringIO())


@pytest.mark.parametrize("url", ["/registers/ocds.json", "/api/v1/ocds/"])
def test_ocds_endpoints_answer_404_with_a_message_when_nothing_is_published(
    organisation, public_client, url
):
    f.contract(organisation=organisation, is_public=False)

    response = public_client.get(url)

    assert response.status_code == 404
    assert "no public contracts to publish" in response.content.decode()
