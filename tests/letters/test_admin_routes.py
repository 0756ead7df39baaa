"""Every letter kind made and issued from the admin screens, and every editing route that
must withdraw an approval: the letter form, the request page's answers and a live block's
parameters."""

import datetime

import pytest
from django.urls import reverse

from foiregister.letters import services
from foiregister.letters.models import AnswerBlock, Letter
from foiregister.requests import services as register_services
from tests.factories import letters as f
from tests.factories.foiregister import log_request

pytestmark = pytest.mark.django_db


def _draft_in_admin(client, request, kind) -> Letter:
    """The officer clicks "Draft ..." on the request page."""
    response = client.get(reverse("admin:letters_letter_draft", args=[request.pk, kind]))
    letter = Letter.objects.filter(request=request, kind=kind).latest("id")
    assert response.url == reverse("admin:letters_letter_change", args=[letter.pk])
    return letter


def _save_letter_form(client, letter, **fields):
    data = {"body": "", "fee_amount": "", "pit_estimate_on": "", "review_decision": ""}
    data.update(fields)
    response = client.post(reverse("admin:letters_letter_change", args=[letter.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def _approve_and_issue(lead_client, officer_client, letter, capture):
    page = lead_client.get(reverse("admin:letters_letter_change", args=[letter.pk]))
    assert "Approve exactly as previewed" in page.content.decode()
    seen = page.context["draft"].content_hash
    lead_client.post(
        reverse("admin:letters_letter_approve", args=[letter.pk]), {"content_hash": seen}
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.APPROVED, _messages(page)
    page = officer_client.get(reverse("admin:letters_letter_change", args=[letter.pk]))
    assert "Issue and email" in page.content.decode()
    with capture(execute=True):
        issued = officer_client.post(
            reverse("admin:letters_letter_issue", args=[letter.pk]), follow=True
        )
    letter.refresh_from_db()
    assert letter.is_issued, _messages(issued)
    return letter


def _messages(page) -> str:
    return " ".join(str(m) for m in page.context["messages"]) if page.context else ""


@pytest.mark.parametrize(
    "kind, fields, expected",
    [
        ("acknowledgement", {}, "Thank you for your request, which we received on 1 September"),
        (
            "clarification",
            {"body": "Which financial year do you mean?"},
            "Which financial year do you mean?",
        ),
        ("fees_notice", {"fee_amount": "25.00"}, "pay a fee of £25"),
    ],
)
def test_officer_drafts_edits_and_issues_each_notice_from_the_admin(
    organisation,
    foi_officer,
    foi_officer_client,
    foi_lead_client,
    django_capture_on_commit_callbacks,
    mailoutbox,
    pdf_text,
    kind,
    fields,
    expected,
):
    request = log_request(
        organisation=organisation,
        requester=f.requester_with_details(organisation),
        by=foi_officer,
        received_on=datetime.date(2025, 9, 1),
    )
    letter = _draft_in_admin(foi_officer_client, request, kind)
    _save_letter_form(foi_officer_client, letter, **fields)
    letter = _approve_and_issue(
        foi_lead_client, foi_officer_client, letter, django_capture_on_commit_callbacks
    )
    text = " ".join(pdf_text(letter.documents.get(variant="requester").data).split())
    assert expected in text and "Philippa Quartermaine" in text
    assert len(mailoutbox) == 1 and mailoutbox[0].attachments[0][0].endswith(".pdf")


def test_officer_issues_a_refusal_notice_with_a_pit_estimate_from_the_admin(
    organisation,
    foi_officer,
    foi_officer_client,
    foi_lead_client,
    django_capture_on_commit_callbacks,
    pdf_text,
    today,
):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    letter = _draft_in_admin(foi_officer_client, request, "refusal_notice")
    estimate = today + datetime.timedelta(days=14)
    _save_letter_form(foi_officer_client, letter, pit_estimate_on=estimate.isoformat())
    letter = _approve_and_issue(
        foi_lead_client, foi_officer_client, letter, django_capture_on_commit_callbacks
    )
    text = " ".join(pdf_text(letter.documents.get(variant="public").data).split())
    assert "section 17" in text and f"{estimate.day} {estimate:%B %Y}" in text
    assert request.events.get(kind="pit_extension").target_on == estimate


def test_officer_issues_a_response_then_a_review_outcome_from_the_admin(
    organisation,
    foi_officer,
    foi_officer_client,
    foi_lead_client,
    django_capture_on_commit_callbacks,
    pdf_text,
    today,
):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    response = _draft_in_admin(foi_officer_client, request, "response")
    _approve_and_issue(
        foi_lead_client, foi_officer_client, response, django_capture_on_commit_callbacks
    )
    register_services.record_timeline_event(
        request=request,
        kind="review_requested",
        occurred_on=today,
        by=foi_officer,
    )
    outcome = _draft_in_admin(foi_officer_client, request, "review_outcome")
    _save_letter_form(
        foi_officer_client, outcome, review_decision="upheld", body="The response stands."
    )
    outcome = _approve_and_issue(
        foi_lead_client, foi_officer_client, outcome, django_capture_on_commit_callbacks
    )
    text = " ".join(pdf_text(outcome.documents.get(variant="public").data).split())
    assert "Outcome: Upheld." in text and "Information Commissioner" in text
    assert request.events.get(kind="review_decided").decision == "upheld"


# -- every editing route withdraws the approval ------------------------------------------


@pytest.fixture
def approved(organisation, foi_officer, foi_lead):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    return f.approved_response(request=request, officer=foi_officer, lead=foi_lead)


def test_editing_the_letter_form_withdraws_the_approval(approved, foi_officer_client):
    _save_letter_form(foi_officer_client, approved, body="A note before the answers.")
    approved.refresh_from_db()
    assert approved.status == Letter.Status.DRAFT and approved.approved_hash == ""


def _request_page_data(client, request, **answers):
    """The request page as the officer submits it, with question answers changed."""
    page = client.get(reverse("admin:foiregister_request_change", args=[request.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"assignee": "", "outcome": ""})
    questions = list(request.questions.order_by("number"))
    data.update(
        {"questions-TOTAL_FORMS": len(questions), "questions-INITIAL_FORMS": len(questions)}
    )
    for i, q in enumerate(questions):
        data.update(
            {
                f"questions-{i}-id": q.pk,
                f"questions-{i}-request": request.pk,
                f"questions-{i}-number": q.number,
                f"questions-{i}-text": q.text,
                f"questions-{i}-answer_kind": q.answer_kind,
                f"questions-{i}-answer": answers.get(f"answer_{q.number}", q.answer),
                f"questions-{i}-elsewhere_url": q.elsewhere_url,
                f"questions-{i}-public_interest_reasoning": q.public_interest_reasoning,
            }
        )
    for prefix in ("contributions", "time_entries", "links_out", "events"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def test_editing_an_answer_on_the_request_page_withdraws_the_approval(
    approved, foi_officer_client
):
    request = approved.request
    data = _request_page_data(foi_officer_client, request, answer_2="A corrected answer.")
    response = foi_officer_client.post(
        reverse("admin:foiregister_request_change", args=[request.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    approved.refresh_from_db()
    assert approved.status == Letter.Status.DRAFT


def test_changing_a_live_blocks_parameters_on_the_workspace_withdraws_the_approval(
    approved, foi_officer_client
):
    f.FIGURES["other"] = "£12"
    block = AnswerBlock.objects.get(question__request=approved.request)
    response = foi_officer_client.post(
        reverse(
            "admin:letters_workspace_block",
            args=[approved.request_id, block.question.number, block.position],
        ),
        {"name": "other"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    approved.refresh_from_db()
    block.refresh_from_db()
    assert approved.status == Letter.Status.DRAFT
    assert block.params == {"name": "other"} and block.reviewed_hash == ""


def test_a_stale_approval_is_shown_and_offers_approval_again_not_issue(
    approved, foi_officer, foi_lead_client
):
    """A change no letter service sees (here: a question added to the request) leaves the
    stored status "approved", but the content no longer matches the approved hash: the
    page must say so and offer approval, never the issue button."""
    register_services.add_question(
        request=approved.request, text="And the year before?", by=foi_officer
    )
    page = foi_lead_client.get(
        reverse("admin:letters_letter_change", args=[approved.pk])
    ).content.decode()
    assert "the content changed since approval" in page
    assert "Approve exactly as previewed" in page and "Issue and email" not in page


def test_officer_drafts_a_correction_from_the_issued_letters_page(
    organisation, foi_officer, foi_lead, foi_officer_client
):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    issued = f.issued_response(request=request, officer=foi_officer, lead=foi_lead)
    page = foi_officer_client.get(
        reverse("admin:letters_letter_change", args=[issued.pk])
    ).content.decode()
    link = reverse("admin:letters_letter_draft", args=[request.pk, "response"])
    assert f"{link}?corrects={issued.pk}" in page
    foi_officer_client.get(f"{link}?corrects={issued.pk}")
    correction = Letter.objects.exclude(pk=issued.pk).get(request=request)
    assert correction.corrects_id == issued.pk and correction.status == Letter.Status.DRAFT


def test_lead_cannot_approve_a_version_changed_after_opening_it(
    organisation, foi_officer, foi_lead_client
):
    """The lead approves what they read: if another officer edits the draft between the
    lead opening the page and pressing Approve, the approval is refused."""
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    letter = services.draft_letter(request=request, kind="response", by=foi_officer)
    page = foi_lead_client.get(reverse("admin:letters_letter_change", args=[letter.pk]))
    seen = page.context["draft"].content_hash
    services.update_letter(letter=letter, body="A late addition.", by=foi_officer)
    response = foi_lead_client.post(
        reverse("admin:letters_letter_approve", args=[letter.pk]),
        {"content_hash": seen},
        follow=True,
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    assert "changed after you opened it" in _messages(response)
