"""Earlier answers across organisations (issue 17, "Round robins and reuse"): another
body's response is offered only once published, only as the public sees it, and never with
its requester, its private text or an unpublished answer; taking an answer goes through the
audited services; an officer cannot take what they may not see by naming it."""

import datetime

import pytest
from django.urls import reverse

from foiregister.disclosure import reuse
from foiregister.disclosure import services as disclosure_services
from foiregister.intake import services as intake_services
from foiregister.kernel import audit
from foiregister.kernel.models import AuditEvent
from foiregister.kernel.roles import FOI_LEAD, FOI_OFFICER
from foiregister.requests.models import RequestLink
from tests.conftest import _client_for, member
from tests.factories.disclosure import published_entry, responded_request
from tests.factories.foiregister import RequesterFactory

pytestmark = pytest.mark.django_db

BY = audit.system("tests")
QUESTIONS = [
    "Please list your independent sector imaging contracts, with the supplier, the value "
    "and the expiry date of each.",
    "Please state the total expenditure on clinical insourcing in the financial year 2024/25.",
    "How many MRI scans were outsourced to independent sector providers in 2024/25?",
]
PUBLISHED_ANSWERS = (
    "Published answer one: two contracts, Alliance Medical and InHealth.",
    "Published answer two: see the table of insourcing spend.",
    "Published answer three: 4,210 MRI scans.",
)
# Canaries: none of these may reach the other body's officer.
REQUESTER = "Zebedee Canarywing"
UNPUBLISHED_REQUESTER = "Ophelia Quokkaname"
PRIVATE_BODY = "Flat 9 Quokka Mews"
UNPUBLISHED_ANSWER = "Unpublishedcanary answer: 9,999 scans"


def _body(sign_off: str) -> str:
    listed = "\n".join(f"{n}. {q}" for n, q in enumerate(QUESTIONS, start=1))
    return (
        "Dear FOI team,\n\nUnder the Freedom of Information Act 2000 please tell me:\n\n"
        f"{listed}\n\nYours faithfully,\n{sign_off}"
    )


def _eml(subject: str, body: str) -> bytes:
    return (
        "From: Newcomer Requester <newcomer@example.invalid>\r\n"
        "To: foi@icb.example\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 01 Jun 2026 10:00:00 +0100\r\n"
        "Message-ID: <round-robin-1@example.invalid>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


@pytest.fixture
def world(organisation, other_organisation):
    """Another body (B) published its answer to the round robin and holds a second copy it
    has not published; the officer's organisation (A) has just logged the same letter."""
    lead = member(other_organisation, FOI_LEAD, "b_lead")
    entry = published_entry(
        organisation=other_organisation,
        by=lead,
        requester=RequesterFactory(organisation=other_organisation, name=REQUESTER),
        title="Imaging and insourcing",
        questions=QUESTIONS,
        answers=PUBLISHED_ANSWERS,
        body=_body(f"{REQUESTER}\n{PRIVATE_BODY}"),
    )
    unpublished = responded_request(
        organisation=other_organisation,
        by=lead,
        requester=RequesterFactory(organisation=other_organisation, name=UNPUBLISHED_REQUESTER),
        title="Imaging and insourcing (second copy)",
        questions=QUESTIONS,
        answers=(UNPUBLISHED_ANSWER, UNPUBLISHED_ANSWER, UNPUBLISHED_ANSWER),
        body=_body(UNPUBLISHED_REQUESTER),
    )
    for request in (entry.request, unpublished):
        intake_services.index_request(request)
    message, _ = intake_services.receive_message(
        organisation=organisation,
        raw=_eml("Imaging and insourcing", _body("Newcomer Requester")),
        filename="round-robin.eml",
        by=BY,
    )
    ours = intake_services.log_request_from_message(
        message=message,
        title="Imaging and insourcing",
        body=message.body,
        questions=QUESTIONS,
        requester_name="Newcomer Requester",
        requester_email="newcomer@example.invalid",
        by=BY,
    )
    return {"entry": entry, "unpublished": unpublished, "ours": ours, "message": message}


def _canaries_absent(text: str) -> None:
    for canary in (REQUESTER, UNPUBLISHED_REQUESTER, PRIVATE_BODY, UNPUBLISHED_ANSWER):
        assert canary not in text, canary
    for private in ("b_lead",):
        assert private not in text


def test_another_bodys_published_response_is_found_and_its_unpublished_copy_never(
    world, organisation
):
    found = reuse.published_responses_like(questions=QUESTIONS, organisation=organisation)
    assert [m.reference for m in found] == [world["entry"].reference]
    match = found[0]
    assert match.round_robin
    assert match.url.endswith(f"/responses/{world['entry'].public_id}/")
    assert [q.answer["answer"] for q in match.questions] == list(PUBLISHED_ANSWERS)
    _canaries_absent(repr(found))


def test_the_workspace_offers_the_published_answer_without_any_canary(
    world, foi_officer_client, other_organisation
):
    page = foi_officer_client.get(reverse("admin:letters_workspace", args=[world["ours"].pk]))
    text = page.content.decode()
    assert "Earlier answers to this question" in text
    assert PUBLISHED_ANSWERS[0] in text
    assert f"{other_organisation.name}, published response {world['entry'].reference}" in text
    assert f"/responses/{world['entry'].public_id}/" in text
    _canaries_absent(text)


def test_the_mailbox_screen_lists_the_published_response_without_any_canary(
    world, foi_officer_client, other_organisation
):
    page = foi_officer_client.get(
        reverse("admin:intake_inboundmessage_review", args=[world["message"].pk])
    )
    text = page.content.decode()
    assert "Published by other organisations" in text
    assert f"{other_organisation.name}: {world['entry'].reference}" in text
    assert PUBLISHED_ANSWERS[2] in text
    _canaries_absent(text)


def test_a_withdrawn_response_is_no_longer_offered(world, organisation, other_organisation):
    lead = member(other_organisation, FOI_LEAD, "b_lead")
    disclosure_services.withdraw_response(entry=world["entry"], by=lead, reason="personal data")
    assert reuse.published_responses_like(questions=QUESTIONS, organisation=organisation) == []


def test_taking_a_published_answer_copies_it_and_audits_where_it_came_from(
    world, foi_officer_client, other_organisation
):
    ours = world["ours"]
    entry = world["entry"]
    response = foi_officer_client.post(
        reverse("admin:disclosure_take_earlier_answer", args=[ours.pk, 2]),
        {"source": f"published:{entry.public_id}:2"},
        follow=True,
    )
    assert response.status_code == 200
    question = ours.questions.get(number=2)
    assert (question.answer, question.answer_kind) == (PUBLISHED_ANSWERS[1], "provided")
    taken = AuditEvent.objects.get(action=audit.AuditAction.LETTER_ANSWER_TAKEN)
    assert taken.changes["from"] == (
        f"published response {entry.reference} of {other_organisation.name}"
    )
    assert taken.organisation_id == str(ours.organisation_id)


@pytest.mark.parametrize("which", ["unpublished", "published_request"])
def test_naming_another_bodys_request_takes_nothing(world, foi_officer_client, which):
    """The take form's source is checked again on the server: another body's request is
    reachable only as a live published response, never by its id."""
    ours = world["ours"]
    target = world["unpublished"] if which == "unpublished" else world["entry"].request
    response = foi_officer_client.post(
        reverse("admin:disclosure_take_earlier_answer", args=[ours.pk, 1]),
        {"source": f"request:{target.pk}:1"},
        follow=True,
    )
    assert "That earlier answer is not available to you." in response.content.decode()
    question = ours.questions.get(number=1)
    assert (question.answer, question.answer_kind) == ("", "")
    _canaries_absent(response.content.decode())


def test_a_withdrawn_response_cannot_be_taken_by_its_public_id(
    world, foi_officer_client, other_organisation
):
    entry = world["entry"]
    lead = member(other_organisation, FOI_LEAD, "b_lead")
    disclosure_services.withdraw_response(entry=entry, by=lead, reason="personal data")
    response = foi_officer_client.post(
        reverse("admin:disclosure_take_earlier_answer", args=[world["ours"].pk, 1]),
        {"source": f"published:{entry.public_id}:1"},
        follow=True,
    )
    assert "That earlier answer is not available to you." in response.content.decode()
    assert world["ours"].questions.get(number=1).answer == ""


def test_another_bodys_officer_sees_none_of_the_requesting_bodys_reuse_screens(
    world, other_organisation
):
    stranger = _client_for(member(other_organisation, FOI_OFFICER, "b_officer"))
    ours = world["ours"]
    assert stranger.get(reverse("admin:letters_workspace", args=[ours.pk])).status_code == 404
    taken = stranger.post(
        reverse("admin:disclosure_take_earlier_answer", args=[ours.pk, 1]),
        {"source": f"published:{world['entry'].public_id}:1"},
    )
    assert taken.status_code == 404
    assert ours.questions.get(number=1).answer == ""


def test_the_published_answer_is_read_for_today_as_the_officers_own(world, organisation):
    found = reuse.earlier_answers_for(world["ours"], today=datetime.date(2026, 6, 1))
    offered = found[1]
    assert [e.own for e in offered] == [False]
    assert offered[0].preview.answer == PUBLISHED_ANSWERS[0]
    assert offered[0].source == f"published:{world['entry'].public_id}:1"


def test_grouping_with_a_published_response_links_the_two_as_one_round_robin(
    world, foi_officer_client
):
    entry = world["entry"]
    page = foi_officer_client.post(
        reverse("admin:intake_inboundmessage_review", args=[world["message"].pk]),
        {"group_published": "1", "public_id": entry.public_id},
        follow=True,
    )
    assert "as one round robin" in page.content.decode()
    assert RequestLink.objects.filter(
        from_request=world["ours"], to_request=entry.request, kind="round_robin"
    ).exists()
    _canaries_absent(page.content.decode())


def test_an_unpublished_request_cannot_be_grouped_by_guessing(world, foi_officer_client):
    """Only a live public id is accepted; a withdrawn entry's id is refused like a guess."""
    lead = member(world["entry"].organisation, FOI_LEAD, "b_lead")
    disclosure_services.withdraw_response(entry=world["entry"], by=lead, reason="check")
    for public_id in (world["entry"].public_id, "guessedid234"):
        page = foi_officer_client.post(
            reverse("admin:intake_inboundmessage_review", args=[world["message"].pk]),
            {"group_published": "1", "public_id": public_id},
            follow=True,
        )
        assert "That response is not on the disclosure log" in page.content.decode()
    assert not RequestLink.objects.filter(from_request=world["ours"]).exists()


def test_a_reworded_published_response_is_offered_as_possibly_the_same(
    organisation, other_organisation
):
    """Worded differently, sharing words but no three-word runs (so no sketch hash): the
    word search finds it, and its question is offered marked as possibly the same."""
    lead = member(other_organisation, FOI_LEAD, "b_lead")
    entry = published_entry(
        organisation=other_organisation,
        by=lead,
        title="Imaging contracts",
        questions=[
            "Who are your independent imaging providers and how long do their contracts run?"
        ],
        answers=("Alliance Medical, expiring March 2027.",),
    )
    unrelated = published_entry(
        organisation=other_organisation,
        by=lead,
        title="Car parking",
        questions=["How much did car parking charges raise for staff last year?"],
        answers=("Parking answer.",),
    )
    asked = "When do your imaging contracts with independent sector providers end?"
    found = reuse.published_responses_like(questions=[asked], organisation=organisation)
    assert [m.reference for m in found] == [entry.reference]
    [question] = found[0].questions
    assert question.answer["answer"] == "Alliance Medical, expiring March 2027."
    assert question.possible
    assert unrelated.reference not in repr(found)
