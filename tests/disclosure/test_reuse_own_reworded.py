"""The officer's screens offer an earlier request of their own organisation that asked the
same questions in other words: the intake message page pairs its questions, the response
workspace offers its answers, the weaker pairing marked "possibly the same question"; another
organisation's unpublished request asking the same, word for word, never appears."""

import datetime

import pytest
from django.urls import reverse

from foiregister.intake import services as intake_services
from foiregister.kernel import audit
from foiregister.kernel.roles import FOI_OFFICER
from tests.conftest import member
from tests.factories.disclosure import responded_request
from tests.factories.foiregister import RequesterFactory
from tests.intake.test_own_rewordings import EARLIER, REWORDED, _text

pytestmark = pytest.mark.django_db

BY = audit.system("tests")
EARLIER_ANSWERS = ("Earlier answer: £3,091,519 in 2024/25.", "Earlier answer: DA Languages Ltd.")
# Canaries of the other organisation's unpublished request: none may reach the officer.
CANARY_REQUESTER = "Ophelia Quokkaname"
CANARY_TITLE = "Quokkacanary insourcing request"
CANARY_ANSWER = "Quokkacanary unpublished answer"


@pytest.fixture
def world(organisation, other_organisation, foi_officer):
    earlier = responded_request(
        organisation=organisation,
        by=foi_officer,
        title="Insourcing and interpreting",
        body=_text(EARLIER),
        questions=EARLIER,
        answers=EARLIER_ANSWERS,
        received_on=datetime.date(2025, 9, 1),
    )
    responded_request(
        organisation=other_organisation,
        by=member(other_organisation, FOI_OFFICER, "b_officer"),
        requester=RequesterFactory(organisation=other_organisation, name=CANARY_REQUESTER),
        title=CANARY_TITLE,
        body=_text(REWORDED) + f"\n{CANARY_REQUESTER}",
        questions=REWORDED,
        answers=(CANARY_ANSWER, CANARY_ANSWER),
        received_on=datetime.date(2025, 11, 1),
    )
    raw = (
        "From: Newcomer Requester <newcomer@example.invalid>\r\n"
        "To: foi@icb.example\r\n"
        "Subject: Insourcing spend and language services\r\n"
        "Date: Mon, 01 Jun 2026 10:00:00 +0100\r\n"
        "Message-ID: <reworded-1@example.invalid>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{_text(REWORDED)}\r\n"
    ).encode()
    message, _ = intake_services.receive_message(
        organisation=organisation, raw=raw, filename="reworded.eml", by=BY
    )
    return {"earlier": earlier, "message": message}


def _canaries_absent(text: str) -> None:
    for canary in (CANARY_REQUESTER, CANARY_TITLE, CANARY_ANSWER):
        assert canary not in text, canary


def _log(message):
    return intake_services.log_request_from_message(
        message=message,
        title="Insourcing spend and language services",
        body=message.body,
        questions=REWORDED,
        requester_name="Newcomer Requester",
        requester_email="newcomer@example.invalid",
        by=BY,
    )


@pytest.mark.parametrize("logged", [False, True], ids=["new message", "logged"])
def test_the_message_page_pairs_the_reworded_own_request(world, foi_officer_client, logged):
    if logged:
        _log(world["message"])
    page = foi_officer_client.get(
        reverse("admin:intake_inboundmessage_review", args=[world["message"].pk])
    )
    text = page.content.decode()
    assert "Earlier requests asking the same questions" in text
    assert world["earlier"].reference in text
    assert EARLIER_ANSWERS[0] in text and EARLIER_ANSWERS[1] in text
    assert f"{EARLIER[1]} (possibly the same question: worded differently)" in text
    assert f"{EARLIER[0]} (possibly" not in text
    _canaries_absent(text)


def test_the_workspace_offers_the_reworded_own_answers(world, foi_officer_client):
    ours = _log(world["message"])
    page = foi_officer_client.get(reverse("admin:letters_workspace", args=[ours.pk]))
    text = page.content.decode()
    assert f"Use this earlier answer ({world['earlier'].reference}) for question 1" in text
    assert f"Use this earlier answer ({world['earlier'].reference}) for question 2" in text
    assert EARLIER_ANSWERS[0] in text and EARLIER_ANSWERS[1] in text
    assert f"Asked as: {EARLIER[1]} (possibly the same question" in text
    assert f"Asked as: {EARLIER[0]} (possibly" not in text
    _canaries_absent(text)


def test_taking_the_reworded_own_answer_copies_it(world, foi_officer_client):
    ours = _log(world["message"])
    foi_officer_client.post(
        reverse("admin:disclosure_take_earlier_answer", args=[ours.pk, 2]),
        {"source": f"request:{world['earlier'].pk}:2"},
    )
    assert ours.questions.get(number=2).answer == EARLIER_ANSWERS[1]
