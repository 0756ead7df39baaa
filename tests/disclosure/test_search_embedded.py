"""Search on the embedded database (`make run`'s SQLite), whose disclosure log matches a
plain, case-insensitive substring in date order. These run in both passes of `make test`;
the ranking and highlighting of PostgreSQL are in test_search.py."""

import datetime

import pytest
from django.db import connection

from foiregister.disclosure import selectors, services
from tests.factories.disclosure import published_entry, responded_request

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the substring fallback runs on SQLite"
)


def _titles(**kwargs):
    return [e.title for e in selectors.search_disclosure_log(**kwargs)]


def test_search_finds_words_in_titles_questions_and_answers(organisation, foi_lead):
    published_entry(
        organisation=organisation,
        by=foi_lead,
        title="Estates",
        questions=("Who runs the hospital car park?",),
        answers=("The car park is run by a contractor.",),
    )
    published_entry(organisation=organisation, by=foi_lead, title="Ultrasound waiting times")
    assert _titles(q="contractor") == ["Estates"]
    assert _titles(q="car park") == ["Estates"]
    assert _titles(q="ultrasound") == ["Ultrasound waiting times"]
    assert _titles(q="echocardiography") == []


def test_search_never_finds_unpublished_or_withdrawn_responses(organisation, foi_lead):
    responded_request(organisation=organisation, by=foi_lead, title="Ultrasound contracts")
    withdrawn = published_entry(organisation=organisation, by=foi_lead, title="Ultrasound spend")
    services.withdraw_response(entry=withdrawn, by=foi_lead, reason="third-party data")
    assert _titles(q="ultrasound") == []
    assert _titles() == []


def test_search_combines_with_the_filters(organisation, other_organisation, foi_lead, today):
    published_entry(organisation=organisation, by=foi_lead, title="MRI contracts")
    published_entry(organisation=organisation, by=foi_lead, title="MRI spend", topic="Finance")
    assert _titles(q="MRI", topic="Finance") == ["MRI spend"]
    assert _titles(q="MRI", organisation=other_organisation) == []
    tomorrow = today + datetime.timedelta(days=1)
    assert _titles(q="MRI", published_from=tomorrow) == []


@sqlite_only
def test_the_fallback_matches_part_of_a_word_in_any_case_newest_first(organisation, foi_lead):
    published_entry(organisation=organisation, by=foi_lead, title="Ultrasound contracts")
    published_entry(organisation=organisation, by=foi_lead, title="Non-obstetric ULTRASOUND")
    assert _titles(q="ultraso") == ["Non-obstetric ULTRASOUND", "Ultrasound contracts"]


@sqlite_only
def test_the_fallback_headline_marks_every_match_in_the_text_around_the_first():
    text = "Title\n" + "word " * 40 + "CT & MRI scanning; more mri. " + "tail " * 40
    headline = selectors._substring_headline(text, "mri")
    S, E = selectors.HIGHLIGHT_START, selectors.HIGHLIGHT_STOP
    assert f"CT & {S}MRI{E} scanning; more {S}mri{E}." in headline
    assert headline.startswith("... word") and headline.endswith("tail ...")
    assert len(headline.split()) < 40
    assert selectors._substring_headline(text, "echo") == ""
    # Markers already in the text are taken out: only a match is ever highlighted.
    assert selectors._substring_headline(f"a {S}b{E} MRI", "mri") == f"a b {S}MRI{E}"


def test_the_public_search_page_lists_matches_only(organisation, foi_lead, client):
    published_entry(organisation=organisation, by=foi_lead, title="CT scanner leases")
    published_entry(organisation=organisation, by=foi_lead, title="Agency nursing spend")
    body = client.get("/", {"q": "scanner"}).content.decode()
    assert "CT scanner leases" in body and "Agency nursing spend" not in body
