"""Search reads the whole answer as published: text that only a live block's frozen
content or only the standard wording holds is found, and the result shows it highlighted."""

import pytest
from django.db import connection

from foiregister.disclosure import selectors, services
from tests.factories import letters as letter_factories
from tests.factories.disclosure import published_entry
from tests.factories.letters import answered_request, issued_response

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def entry(organisation, foi_officer, foi_lead, monkeypatch):
    """A response whose question 1 has a live block giving 'CT & MRI scanning provided by
    Cobalt' (in no typed answer) and whose question 3 is answered 'not held' by the
    standard wording alone."""
    monkeypatch.setitem(
        letter_factories.FIGURES, "providers", "CT & MRI scanning provided by Cobalt"
    )
    request = answered_request(organisation=organisation, officer=foi_officer, figure="providers")
    issued_response(request=request, officer=foi_officer, lead=foi_lead)
    published_entry(organisation=organisation, by=foi_lead, title="Car parking")
    return services.publish_response(request=request, by=foi_lead, title="Insourcing")


def _titles(q):
    return [e.title for e in selectors.search_disclosure_log(q=q)]


def test_text_only_in_a_live_block_is_found(entry):
    assert "Cobalt" not in entry.request.questions.get(number=1).answer
    assert _titles("Cobalt") == ["Insourcing"]


def test_text_only_in_the_standard_wording_is_found(entry):
    """The not-held wording: 'We have searched for this information and ... does not hold
    it' (foiregister/letters/wording.py)."""
    assert _titles("searched") == ["Insourcing"]


def test_a_result_shows_the_block_text_that_matched_highlighted(entry, client):
    body = client.get("/", {"q": "Cobalt"}).content.decode()
    assert "<mark>Cobalt</mark>" in body
    assert "scanning provided by" in body


def test_a_highlighted_snippet_escapes_the_answer_text(organisation, foi_lead, client):
    published_entry(
        organisation=organisation,
        by=foi_lead,
        title="Scripts",
        answers=("Cobalt <script>alert(1)</script> & co.",),
    )
    body = client.get("/", {"q": "Cobalt"}).content.decode()
    assert "<mark>Cobalt</mark>" in body
    assert "<script>alert" not in body
    # PostgreSQL's headline drops markup; the substring fallback keeps it, escaped.
    assert "&lt;script&gt;" in body or connection.vendor == "postgresql"


def test_the_list_shows_and_sorts_by_the_response_date(organisation, foi_lead, client):
    """Published in one order, answered in the other: the newest response comes first."""
    published_entry(organisation=organisation, by=foi_lead, title="Answered later")
    older = published_entry(organisation=organisation, by=foi_lead, title="Answered earlier")
    type(older).objects.filter(pk=older.pk).update(
        responded_on=older.responded_on.replace(year=2020)
    )
    body = client.get("/").content.decode()
    assert body.index("Answered later") < body.index("Answered earlier")
    assert f"responded {older.responded_on.replace(year=2020):%-d %B %Y}" in body
