"""Approval: an FOI lead approves the exact content; any edit withdraws it."""

import datetime

import pytest

from foiregister.kernel.models import AuditEvent
from foiregister.letters import context, services
from foiregister.letters.exceptions import LetterError
from foiregister.letters.models import Letter
from foiregister.requests.models import RequestEvent
from tests.factories import letters as f
from tests.factories.foiregister import log_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(organisation, foi_officer):
    return f.answered_request(organisation=organisation, officer=foi_officer)


@pytest.fixture
def approved(request_, foi_officer, foi_lead):
    return f.approved_response(request=request_, officer=foi_officer, lead=foi_lead)


def test_approval_stores_the_hash_of_the_content_approved(approved):
    assert approved.status == Letter.Status.APPROVED
    assert approved.approved_hash == context.draft_state(approved).content_hash


def test_an_officer_cannot_approve(request_, foi_officer):
    letter = services.draft_letter(request=request_, kind="response", by=foi_officer)
    with pytest.raises(LetterError, match="may not approve"):
        services.approve_letter(letter=letter, by=foi_officer)


def test_reanswering_a_question_withdraws_the_approval(approved, foi_officer):
    question = approved.request.questions.get(number=2)
    services.set_answer(question=question, by=foi_officer, answer="A different answer.")
    approved.refresh_from_db()
    assert approved.status == Letter.Status.DRAFT and approved.approved_hash == ""
    assert AuditEvent.objects.filter(action="letter.approval_withdrawn").count() == 1


def test_editing_the_letter_withdraws_the_approval(approved, foi_officer):
    services.update_letter(letter=approved, body="A note before the answers.", by=foi_officer)
    approved.refresh_from_db()
    assert approved.status == Letter.Status.DRAFT


def test_adding_a_block_withdraws_the_approval(approved, foi_officer):
    question = approved.request.questions.get(number=3)
    services.add_block(
        question=question, block_type="test_figure", params={"name": "spend"}, by=foi_officer
    )
    approved.refresh_from_db()
    assert approved.status == Letter.Status.DRAFT


def test_changing_the_wording_withdraws_the_approval(approved, foi_lead):
    services.set_answer_wording(
        organisation=approved.request.organisation,
        answer_kind="not_held",
        text="{organisation} holds no such records.",
        by=foi_lead,
    )
    approved.refresh_from_db()
    assert approved.status == Letter.Status.DRAFT


def test_an_unreviewed_block_blocks_approval(request_, foi_officer, foi_lead):
    question = request_.questions.get(number=2)
    services.add_block(
        question=question, block_type="test_figure", params={"name": "spend"}, by=foi_officer
    )
    letter = services.draft_letter(request=request_, kind="response", by=foi_officer)
    with pytest.raises(LetterError, match="question 2, Test figure: not yet reviewed"):
        services.approve_letter(letter=letter, by=foi_lead)


def test_a_block_changed_since_review_blocks_approval(request_, foi_officer, foi_lead):
    f.FIGURES["spend"] = "£9"
    letter = services.draft_letter(request=request_, kind="response", by=foi_officer)
    with pytest.raises(LetterError, match="changed since it was reviewed"):
        services.approve_letter(letter=letter, by=foi_lead)


def test_unanswered_question_blocks_approval(organisation, foi_officer, foi_lead):
    request = log_request(organisation=organisation, by=foi_officer)
    letter = services.draft_letter(request=request, kind="response", by=foi_officer)
    with pytest.raises(LetterError, match="question 1 has no answer yet"):
        services.approve_letter(letter=letter, by=foi_lead)


def test_organisation_wording_replaces_the_default(request_, foi_officer, foi_lead, pdf_text):
    services.set_answer_wording(
        organisation=request_.organisation,
        answer_kind="not_held",
        text="{organisation} keeps no record of this.",
        by=foi_lead,
    )
    letter = f.issued_response(request=request_, officer=foi_officer, lead=foi_lead)
    text = " ".join(pdf_text(letter.documents.get(variant="public").data).split())
    assert f"{request_.organisation.name} keeps no record of this." in text


def test_wording_with_an_unknown_placeholder_is_refused(organisation, foi_lead):
    from foiregister.requests.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed, match=r"unknown placeholder \{requester\}"):
        services.set_answer_wording(
            organisation=organisation, answer_kind="not_held", text="Dear {requester}", by=foi_lead
        )


def test_exempt_answer_states_sections_and_public_interest(
    request_, foi_officer, foi_lead, pdf_text
):
    question = request_.questions.get(number=2)
    services.set_answer(
        question=question,
        by=foi_officer,
        answer="",
        answer_kind="exempt",
        exemption_codes=["s43_2"],
        public_interest_reasoning="Disclosure would harm the next tender's competition.",
    )
    letter = f.issued_response(request=request_, officer=foi_officer, lead=foi_lead)
    text = " ".join(pdf_text(letter.documents.get(variant="public").data).split())
    assert "section 43(2) (Commercial interests)" in text
    assert "Disclosure would harm the next tender's competition." in text


def test_refusal_notice_with_pit_extension_records_the_estimate(
    request_, foi_officer, foi_lead, pdf_text
):
    letter = services.draft_letter(
        request=request_,
        kind="refusal_notice",
        by=foi_officer,
        pit_estimate_on=datetime.date(2025, 10, 27),
    )
    services.approve_letter(letter=letter, by=foi_lead)
    letter = services.issue_letter(
        letter=letter, by=foi_officer, issued_on=datetime.date(2025, 9, 26)
    )
    event = request_.events.get(kind=RequestEvent.Kind.PIT_EXTENSION)
    assert event.target_on == datetime.date(2025, 10, 27)
    text = " ".join(pdf_text(letter.documents.get(variant="public").data).split())
    assert "27 October 2025" in text and "section 17" in text


@pytest.mark.parametrize(
    "kind, fields, event",
    [
        ("acknowledgement", {}, "acknowledged"),
        ("clarification", {"body": "Which financial year do you mean?"}, "clarification_sought"),
        ("fees_notice", {"fee_amount": "25.00"}, "fees_notice"),
    ],
)
def test_each_letter_kind_records_its_timeline_event(
    organisation, foi_officer, foi_lead, kind, fields, event
):
    request = log_request(organisation=organisation, by=foi_officer)
    letter = services.draft_letter(request=request, kind=kind, by=foi_officer, **fields)
    services.approve_letter(letter=letter, by=foi_lead)
    services.issue_letter(letter=letter, by=foi_officer, issued_on=datetime.date(2025, 9, 3))
    assert list(request.events.values_list("kind", flat=True)) == [event]


def test_review_outcome_records_the_decision(request_, foi_officer, foi_lead):
    f.issued_response(request=request_, officer=foi_officer, lead=foi_lead)
    from foiregister.requests import services as register_services

    register_services.record_timeline_event(
        request=request_,
        kind="review_requested",
        occurred_on=datetime.date(2025, 9, 30),
        by=foi_officer,
    )
    letter = services.draft_letter(
        request=request_,
        kind="review_outcome",
        by=foi_officer,
        review_decision="upheld",
        body="The response stands.",
    )
    services.approve_letter(letter=letter, by=foi_lead)
    services.issue_letter(letter=letter, by=foi_officer, issued_on=datetime.date(2025, 10, 20))
    assert request_.events.get(kind="review_decided").decision == "upheld"
