"""Standard answers: kept per organisation, offered beside the questions they repeat, copied
into an answer by the officer's click (audited), never across organisations."""

from pathlib import Path

import pytest
from django.urls import reverse

from foiregister.intake import selectors, services
from foiregister.intake.exceptions import IntakeError
from foiregister.intake.models import InboundMessage, StandardAnswer
from foiregister.kernel import audit
from foiregister.kernel.roles import FOI_OFFICER
from foiregister.requests.models import Question
from tests.conftest import _client_for, member

EMAILS = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"
BY = audit.system("tests")
PA_STANDARD = "How many physician associates does the trust employ at present?"
PA_ANSWER = "We employ 14 physician associates (12.6 whole-time equivalent)."


def _logged_request(organisation):
    raw = (EMAILS / "new_request_plain.eml").read_bytes()
    message, _ = services.receive_message(
        organisation=organisation, raw=raw, filename="new_request_plain.eml", by=BY
    )
    services.log_request_from_message(
        message=message,
        title=message.subject,
        body=message.body,
        questions=services.draft_questions(message),
        requester_name=message.sender_name,
        requester_email=message.sender_email,
        by=BY,
    )
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_saving_a_standard_answer_is_audited_and_needs_both_texts(organisation):
    standard = services.save_standard_answer(
        organisation=organisation, question=PA_STANDARD, answer=PA_ANSWER, by=BY
    )
    services.save_standard_answer(
        organisation=organisation,
        question=PA_STANDARD,
        answer="We employ 15.",
        standard=standard,
        by=BY,
    )
    actions = list(audit.history_for(standard).order_by("id").values_list("action", "changes"))
    assert [a for a, _ in actions] == [audit.AuditAction.STANDARD_ANSWER_SAVED] * 2
    assert [c for _, c in actions] == [
        {"changed": ["answer", "question"]},
        {"changed": ["answer"]},
    ]
    with pytest.raises(IntakeError, match="needs its answer"):
        services.save_standard_answer(
            organisation=organisation, question=PA_STANDARD, answer="  ", by=BY
        )
    assert StandardAnswer.objects.count() == 1


@pytest.mark.django_db
def test_a_question_is_matched_to_its_organisations_standard_answer_only(
    organisation, other_organisation
):
    mine = services.save_standard_answer(
        organisation=organisation, question=PA_STANDARD, answer=PA_ANSWER, by=BY
    )
    services.save_standard_answer(
        organisation=other_organisation, question=PA_STANDARD, answer="Theirs.", by=BY
    )
    found = selectors.standard_answers_for(
        questions=[
            "How many Physician Associates are currently employed by your organisation?",
            "How much money was raised from parking fines in 2018/19?",
        ],
        organisation=organisation,
    )
    assert found[0] is not None and found[0].standard == mine
    assert found[1] is None


@pytest.mark.django_db
def test_using_a_standard_answer_fills_the_answer_and_is_audited(organisation, other_organisation):
    message = _logged_request(organisation)
    question = message.request.questions.get(number=1)
    standard = services.save_standard_answer(
        organisation=organisation, question=PA_STANDARD, answer=PA_ANSWER, by=BY
    )
    services.use_standard_answer(question=question, standard=standard, by=BY)
    question.refresh_from_db()
    assert question.answer == PA_ANSWER
    assert question.answer_kind == Question.AnswerKind.PROVIDED
    assert audit.history_for(question).filter(action=audit.AuditAction.QUESTION_CHANGED).exists()
    assert audit.history_for(standard).filter(
        action=audit.AuditAction.STANDARD_ANSWER_USED
    ).get().changes == {
        "request": message.request.reference,
        "question": 1,
    }
    theirs = services.save_standard_answer(
        organisation=other_organisation, question=PA_STANDARD, answer="Theirs.", by=BY
    )
    with pytest.raises(IntakeError, match="another organisation"):
        services.use_standard_answer(question=question, standard=theirs, by=BY)
    question.refresh_from_db()
    assert question.answer == PA_ANSWER


@pytest.mark.django_db
def test_the_mailbox_screen_offers_the_standard_answer_and_copies_it(
    foi_officer_client, organisation, other_organisation
):
    message = _logged_request(organisation)
    standard = services.save_standard_answer(
        organisation=organisation, question=PA_STANDARD, answer=PA_ANSWER, by=BY
    )
    theirs = services.save_standard_answer(
        organisation=other_organisation, question=PA_STANDARD, answer="Theirs.", by=BY
    )
    review = reverse("admin:intake_inboundmessage_review", args=[message.pk])
    page = foi_officer_client.get(review)
    assert b"Standard answers for these questions" in page.content
    assert PA_ANSWER.encode() in page.content and b"Theirs." not in page.content
    question = message.request.questions.get(number=1)
    refused = foi_officer_client.post(
        review, {"use_standard": "1", "question": question.pk, "standard": theirs.pk}
    )
    assert refused.status_code == 404
    done = foi_officer_client.post(
        review,
        {"use_standard": "1", "question": question.pk, "standard": standard.pk},
        follow=True,
    )
    assert b"Standard answer copied into question 1." in done.content
    question.refresh_from_db()
    assert question.answer == PA_ANSWER


@pytest.mark.django_db
def test_standard_answers_are_added_through_the_audited_service_and_kept_private(
    foi_officer_client, organisation, other_organisation
):
    added = foi_officer_client.post(
        reverse("admin:intake_standardanswer_add"),
        {"organisation": organisation.pk, "question": PA_STANDARD, "answer": PA_ANSWER},
    )
    assert added.status_code == 302
    standard = StandardAnswer.objects.get()
    assert audit.history_for(standard).get().action == audit.AuditAction.STANDARD_ANSWER_SAVED
    stranger = _client_for(member(other_organisation, FOI_OFFICER, "stranger"))
    listing = stranger.get(reverse("admin:intake_standardanswer_changelist"))
    assert PA_STANDARD.encode() not in listing.content
    change = reverse("admin:intake_standardanswer_change", args=[standard.pk])
    assert stranger.get(change).status_code in (302, 404)
    into_theirs = foi_officer_client.post(
        reverse("admin:intake_standardanswer_add"),
        {"organisation": other_organisation.pk, "question": "Q", "answer": "A"},
    )
    assert b"Select a valid choice" in into_theirs.content
    assert InboundMessage.objects.count() == 0
