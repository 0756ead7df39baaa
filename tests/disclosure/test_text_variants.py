"""Attacks of issue 12 item 7: the requester's details written so that a plain substring
match misses them. The check normalises text first (Unicode NFKC, invisible characters
removed, look-alike letters folded) and matches every line of the stored address."""

import pytest

from foiregister.disclosure import checks

WHO = checks.RequesterDetails(
    name="Jane Smith",
    email="jane.smith@example.com",
    postal_address="Rose Cottage\nMill Lane\nNether Wallop\nSO20 8EE",
)


def found(text, requester=WHO):
    return checks.scan_text(text, location="answer 1", requester=requester)


def kinds(text, requester=WHO):
    return {f.kind for f in found(text, requester)}


@pytest.mark.parametrize(
    "text",
    [
        "Jane\u00adSmith asked",  # soft hyphen (no space)
        "Ja\u00adne Sm\u00adith asked",  # soft hyphens inside each part
        "Jane Sm\u200bith asked",  # zero-width space
        "Jane Smi\u200cth asked",  # zero-width non-joiner
        "J\u200dane Smith asked",  # zero-width joiner
        "Jane Smit\u2060h asked",  # word joiner
        "Jane \ufeffSmith asked",  # byte order mark
        "J\u0430ne Smith asked",  # Cyrillic a
        "Jane Sm\u0456th asked",  # Cyrillic i
        "\uff2aane \uff33mith asked",  # fullwidth J and S
        "JANE  SMITH asked",
    ],
    ids=lambda t: t.encode("unicode_escape").decode()[:30],
)
def test_requesters_name_disguised_by_invisible_or_look_alike_characters_is_found(text):
    assert checks.REQUESTER_NAME in kinds(text)
    assert all(f.blocking for f in found(text) if f.kind == checks.REQUESTER_NAME)


@pytest.mark.parametrize(
    "line", ["Rose Cottage", "Mill Lane", "Nether Wallop", "rose  cottage", "Nether\u00adWallop"]
)
def test_every_line_of_the_requesters_address_is_found_even_without_a_number(line):
    assert checks.REQUESTER_ADDRESS in kinds(f"The request came from {line}.")


def test_address_line_is_matched_as_whole_words():
    assert checks.REQUESTER_ADDRESS not in kinds("The Millane report")


@pytest.mark.parametrize(
    "text",
    [
        "jane dot smith at example dot com",
        "jane.smith @ example . com",
        "jane.smith [at] example [dot] com",
        "jane.smith(at)example(dot)com",
        "jane.smith@\nexample.com",
        "JANE.SMITH AT EXAMPLE DOT COM",
        "jane.smith\u200b@example.com",
    ],
)
def test_requesters_email_split_or_spelled_out_is_found(text):
    assert checks.REQUESTER_EMAIL in kinds(text)


@pytest.mark.parametrize(
    "text", ["write to jo dot bloggs at example dot org", "jo.bloggs [at] example [dot] org"]
)
def test_anyones_email_spelled_out_is_found(text):
    assert checks.EMAIL in kinds(text, checks.RequesterDetails())


def test_first_name_alone_is_a_warning_not_a_block():
    findings = [f for f in found("Thank you, Jane, for asking.") if f.kind != checks.EMAIL]
    assert [f.kind for f in findings] == [checks.REQUESTER_FIRST_NAME]
    assert not findings[0].blocking


def test_text_is_normalised_nfkc_without_invisible_characters():
    assert checks.normalise_text("J\u0430ne\u00ad Sm\u200bith\ufb01") == "Jane Smithfi"


def test_plain_prose_is_not_an_email():
    assert kinds("We looked at the figures, dot by dot.", checks.RequesterDetails()) == set()
