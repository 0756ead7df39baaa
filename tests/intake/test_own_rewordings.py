"""An earlier request of the officer's own organisation that asks the same questions in other
words is found when a request comes in, published or not, by the words it shares; an
unrelated one is not, and another organisation's unpublished request never is.

The question pairs are labelled same-question pairs of tests/data/intake/question_pairs.json
(the insourcing seed and the interpreting topic): one scores above the same-question
threshold, the other between 0.4 and 0.6, so it is offered as possibly the same question."""

import datetime

import pytest

from foiregister.intake import selectors
from foiregister.kernel.roles import FOI_OFFICER
from foiregister.requests import selectors as register_selectors
from tests.conftest import member
from tests.factories.disclosure import responded_request

pytestmark = pytest.mark.django_db

EARLIER = [
    "Please state the total expenditure by the Trust on clinical insourcing services for the "
    "financial year 2024-2025.",
    "Which external supplier(s) do you currently use to deliver your interpreting and "
    "translation services?",
]
REWORDED = [
    "How much did the trust spend on insourcing of clinical services in the 2024-25 "
    "financial year?",
    "Who is your incumbent supplier(s) for language services?",
]
UNRELATED = [
    "How much did car parking charges raise for staff last year?",
    "How many parking fines were issued to visitors in 2024/25?",
]
CANARY = "Quokkacanary unpublished answer"


def _text(questions):
    listed = "\n".join(f"{n}. {q}" for n, q in enumerate(questions, start=1))
    return f"Dear FOI team,\n\nPlease tell me:\n\n{listed}\n\nYours faithfully,\nA Requester"


@pytest.fixture
def earlier(organisation, foi_officer):
    """Answered last year and never published."""
    return responded_request(
        organisation=organisation,
        by=foi_officer,
        title="Insourcing and interpreting",
        body=_text(EARLIER),
        questions=EARLIER,
        answers=("£3,091,519 in 2024/25.", "DA Languages Ltd."),
        received_on=datetime.date(2025, 9, 1),
    )


@pytest.fixture
def unrelated(organisation, foi_officer):
    return responded_request(
        organisation=organisation,
        by=foi_officer,
        title="Car parking",
        body=_text(UNRELATED),
        questions=UNRELATED,
        answers=("£1.2m.", "3,400."),
        received_on=datetime.date(2025, 10, 1),
    )


@pytest.fixture
def canary(other_organisation):
    """Another organisation's unpublished request asking the new questions word for word."""
    return responded_request(
        organisation=other_organisation,
        by=member(other_organisation, FOI_OFFICER, "theirs"),
        title="Quokkacanary insourcing request",
        body=_text(REWORDED),
        questions=REWORDED,
        answers=(CANARY, CANARY),
        received_on=datetime.date(2025, 11, 1),
    )


def _lookup(organisation, **kwargs):
    return selectors.earlier_requests_like(
        text=_text(REWORDED), questions=REWORDED, organisation=organisation, **kwargs
    )


def test_a_reworded_own_request_is_found_with_each_question_paired(
    earlier, unrelated, canary, organisation
):
    [found] = _lookup(organisation)
    assert found.request == earlier
    assert not found.round_robin
    assert [(q.earlier_question, q.earlier_answer) for q in found.questions] == [
        (EARLIER[0], "£3,091,519 in 2024/25."),
        (EARLIER[1], "DA Languages Ltd."),
    ]


def test_a_rewording_below_the_same_question_threshold_is_possibly_the_same(earlier, organisation):
    [found] = _lookup(organisation)
    assert [q.possible for q in found.questions] == [False, True]


def test_the_word_lookup_finds_the_rewording_and_not_the_unrelated_request(
    earlier, unrelated, canary, organisation
):
    """The indexed first step on its own: a rewording shares words, not three-word runs."""
    ids = selectors.requests_sharing_words(texts=REWORDED, organisation=organisation)
    assert earlier.pk in ids
    assert unrelated.pk not in ids
    assert canary.pk not in ids


def test_an_unrelated_own_request_is_not_offered(unrelated, organisation):
    assert _lookup(organisation) == []


def test_another_organisations_unpublished_request_is_never_found(canary, organisation):
    assert _lookup(organisation) == []
    assert selectors.requests_sharing_words(texts=REWORDED, organisation=organisation) == []


def test_the_officers_scoped_requests_bound_what_is_found(
    earlier, canary, organisation, other_organisation
):
    """Through the access gate: the other organisation's officer, passing their own scoped
    requests, finds nothing of this organisation, and this organisation's finds its own."""
    ours = member(organisation, FOI_OFFICER, "ours")
    theirs = canary.organisation.members.get(username="theirs")
    assert [
        e.request
        for e in _lookup(organisation, visible=register_selectors.requests_visible_to(ours))
    ] == [earlier]
    assert _lookup(organisation, visible=register_selectors.requests_visible_to(theirs)) == []


def test_the_request_itself_is_not_offered(earlier, organisation):
    assert (
        selectors.earlier_requests_like(
            text=_text(EARLIER), questions=EARLIER, organisation=organisation, exclude=earlier
        )
        == []
    )
