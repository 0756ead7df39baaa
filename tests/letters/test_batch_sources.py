"""Choosing the source of a batch among hundreds of requests (README, "Batch issue"): the
start page searches the officer's own organisations' answered requests by reference and
words, and lists each by reference, date of receipt and subject, never by database id."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from foiregister.kernel.roles import FOI_OFFICER
from foiregister.letters import selectors
from tests.conftest import member
from tests.factories import letters as f
from tests.factories.foiregister import log_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_ours(organisation, foi_officer):
    return f.answered_request(
        organisation=organisation,
        officer=foi_officer,
        title="Clinical insourcing and imaging contracts",
        received_on=datetime.date(2025, 9, 1),
    )


@pytest.fixture
def unanswered_ours(organisation, foi_officer):
    return log_request(
        organisation=organisation,
        by=foi_officer,
        title="Clinical insourcing, not answered yet",
        questions=f.QUESTIONS,
    )


@pytest.fixture
def answered_theirs(other_organisation):
    officer = member(other_organisation, FOI_OFFICER, "their-officer")
    return f.answered_request(
        organisation=other_organisation,
        officer=officer,
        title="Clinical insourcing at the other body",
    )


def test_only_the_officers_own_answered_requests_are_offered(
    foi_officer, answered_ours, unanswered_ours, answered_theirs
):
    assert list(selectors.batch_sources(foi_officer)) == [answered_ours]


@pytest.mark.parametrize(
    "query",
    ["insourcing", "IMAGING contracts", "referred patients", "0925"],
    ids=["title", "title-two-words", "question-text", "reference"],
)
def test_search_finds_it_by_reference_title_or_question(
    foi_officer, answered_ours, answered_theirs, query
):
    assert list(selectors.batch_sources(foi_officer, query=query)) == [answered_ours]


def test_a_word_it_does_not_contain_finds_nothing(foi_officer, answered_ours):
    assert list(selectors.batch_sources(foi_officer, query="insourcing parking")) == []


def test_the_start_page_lists_reference_date_and_subject_not_ids(
    foi_officer, answered_ours, answered_theirs
):
    client = Client()
    client.force_login(foi_officer)
    page = client.get(reverse("admin:letters_batchissue_start"), {"q": "insourcing"})
    html = page.content.decode()
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S)[0]
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]
    assert cells == [
        f"{answered_ours.reference} : use its answers",
        "1 Sep 2025",
        "Clinical insourcing and imaging contracts",
        answered_ours.organisation.name,
        answered_ours.get_status_display(),
    ]
    assert "1 answered request matching" in html
    assert answered_theirs.reference not in html
    assert "Clinical insourcing at the other body" not in html


def test_choosing_a_listed_request_opens_its_round_robin(foi_officer, answered_ours):
    client = Client()
    client.force_login(foi_officer)
    page = client.get(reverse("admin:letters_batchissue_start"), {"q": answered_ours.reference})
    link = re.search(r'<a href="(\?source=\d+)">', page.content.decode())[1]
    chosen = client.get(reverse("admin:letters_batchissue_start") + link)
    html = chosen.content.decode()
    assert f"{answered_ours.reference}</a> Clinical insourcing and imaging contracts" in html
    assert "Requests of its round robin" in html or "No open request is linked" in html
