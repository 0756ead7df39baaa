"""The personal-data check (pure)."""

import pytest

from foiregister.disclosure import checks

NOBODY = checks.RequesterDetails()


def kinds(text, requester=NOBODY, **kw):
    return {f.kind for f in checks.scan_text(text, location="t", requester=requester, **kw)}


@pytest.mark.parametrize(
    "number,valid",
    [
        ("9434765919", True),  # NHS Digital's published test number
        ("4010232137", True),
        ("9434765918", False),
        ("1234567890", False),  # check digit 10: never issued
    ],
)
def test_nhs_number_modulus_11(number, valid):
    assert checks.nhs_number_is_valid(number) is valid


def test_nhs_number_with_spaces_is_found_and_invalid_one_is_not():
    assert checks.NHS_NUMBER in kinds("Patient 943 476 5919 was seen")
    assert checks.NHS_NUMBER not in kinds("Contract value 943 476 5918")


def test_email_telephone_and_ni_number_are_found():
    found = kinds("Write to jo.bloggs@example.org or ring 01632 960123; NI QQ 12 34 56 C")
    assert {checks.EMAIL, checks.TELEPHONE} <= found
    assert checks.NI_NUMBER not in found  # QQ is never allocated
    assert checks.NI_NUMBER in kinds("NI number AB 12 34 56 C")


def test_organisations_own_contact_details_are_allowed():
    assert kinds("Email foi@icb.example", allowed=["foi@icb.example"]) == set()


def test_postcode_alone_is_an_area_but_with_house_number_an_address():
    assert checks.ADDRESS not in kinds("Patients living in WS13 6EF")
    assert checks.ADDRESS in kinds("She lives at 14 Acacia Avenue, Lichfield WS13 6EF")


def test_requester_details_are_found_case_insensitively():
    who = checks.RequesterDetails(
        name="Zebedee Quux",
        email="zq@example.invalid",
        telephone="07700 900123",
        postal_address="7 Canary Row\nTownsville",
    )
    found = kinds("Dear ZEBEDEE QUUX, at 7 canary row, 07700900123, zq@example.invalid", who)
    assert {
        checks.REQUESTER_NAME,
        checks.REQUESTER_ADDRESS,
        checks.REQUESTER_TELEPHONE,
        checks.REQUESTER_EMAIL,
    } <= found


def test_surname_alone_is_found():
    who = checks.RequesterDetails(name="Zebedee Quux")
    assert checks.REQUESTER_NAME in kinds("Mr Quux asked", who)


def test_fingerprint_changes_with_the_text():
    a = checks.Finding("email", "answer 1", "a@b.example")
    b = checks.Finding("email", "answer 1", "c@b.example")
    assert a.fingerprint != b.fingerprint
    assert a.fingerprint == checks.Finding("email", "answer 1", "a@b.example").fingerprint


def test_unknown_file_type_is_uncheckable():
    findings, checkable = checks.scan_attachment("scan.tiff", b"II*\x00", requester=NOBODY)
    assert not checkable
    assert findings[0].kind == checks.UNCHECKABLE


def test_corrupt_spreadsheet_is_uncheckable():
    _, checkable = checks.scan_attachment("figures.xlsx", b"not a zip", requester=NOBODY)
    assert not checkable


def test_name_the_organisation_lists_as_private_is_found_in_any_case_and_spacing():
    found = checks.scan_text(
        "The review was led by Dr  JANE   smith, band 6.",
        location="answer 1",
        requester=NOBODY,
        private_names=["Jane Smith"],
    )
    assert [(f.kind, f.match) for f in found] == [(checks.PRIVATE_NAME, "Jane Smith")]


def test_private_name_is_matched_as_a_whole_name_only():
    """'Jane Smithson' is someone else."""
    assert kinds("Jane Smithson chaired it.", private_names=["Jane Smith"]) == set()
