"""A refusal notice is published as its response's document, with the outcome on the page;
the publish screen shows the page as it will appear and what the check read; the list's
filters offer only what has published responses."""

import datetime

import pytest

from foiregister.disclosure import services
from foiregister.letters import services as letter_services
from foiregister.requests import services as register_services
from foiregister.requests.models import Request
from tests.factories import letters as letter_factories
from tests.factories.disclosure import published_entry
from tests.factories.foiregister import log_request
from tests.factories.letters import answered_request, issued_response, requester_with_details

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

ADVICE = "If you narrow the request to one financial year we can likely answer it."


def refused_request(organisation, officer, lead):
    request = log_request(
        organisation=organisation,
        by=officer,
        requester=requester_with_details(organisation),
        title="Every imaging invoice since 2010",
        questions=["Please send every imaging invoice since 2010."],
    )
    question = request.questions.get()
    letter_services.set_answer(
        question=question, by=officer, answer=ADVICE, answer_kind="refused_s12"
    )
    register_services.update_request(
        request=request, by=officer, outcome=Request.Outcome.REFUSED_COST
    )
    letter = letter_services.draft_letter(request=request, kind="refusal_notice", by=officer)
    letter = letter_services.approve_letter(letter=letter, by=lead)
    letter_services.issue_letter(letter=letter, by=officer, issued_on=datetime.date(2025, 9, 20))
    request.refresh_from_db()
    if request.status != Request.Status.RESPONDED:
        request = register_services.change_status(
            request=request, to=Request.Status.RESPONDED, by=officer
        )
    return request


def test_a_refusal_notice_is_published_as_the_responses_document(
    organisation, foi_officer, foi_lead, client
):
    request = refused_request(organisation, foi_officer, foi_lead)
    entry = services.publish_response(request=request, by=foi_lead)
    assert entry.response_document.letter.kind == "refusal_notice"
    body = client.get(f"/responses/{entry.public_id}/").content.decode()
    assert "Refusal notice (PDF" in body
    assert "Refused: cost limit (s.12)" in body
    assert ADVICE in body
    pdf = client.get(f"/responses/{entry.public_id}/response.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_publish_screen_shows_the_page_to_be_published_and_what_was_checked(
    organisation, foi_officer, foi_lead, monkeypatch
):
    from tests.conftest import _client_for

    monkeypatch.setitem(letter_factories.FIGURES, "preview", "CT & MRI scanning by Cobalt")
    request = answered_request(organisation=organisation, officer=foi_officer, figure="preview")
    issued_response(request=request, officer=foi_officer, lead=foi_lead)
    client = _client_for(foi_lead)
    url = f"/admin/disclosure/disclosurelogentry/publish/{request.pk}/"
    body = client.get(url).content.decode()
    assert "The public page as it will appear" in body
    assert "CT &amp; MRI scanning by Cobalt" in body  # a live block's frozen content
    assert "does not hold it" in body  # the standard wording
    assert "Response letter (PDF" in body
    assert "question 3 and its answer" in body
    assert "the anonymised response letter (PDF" in body
    preview = client.get(url + "preview/?title=Insourcing+spend&topic=Finance").content.decode()
    assert "Insourcing spend" in preview and "Finance" in preview
    assert "CT &amp; MRI scanning by Cobalt" in preview
    assert "It is not public yet" in preview


def test_the_preview_is_for_the_organisations_leads_only(
    organisation, other_organisation, foi_officer, foi_lead, client
):
    from tests.conftest import _client_for, member

    request = answered_request(organisation=organisation, officer=foi_officer)
    outsider = member(other_organisation, "FOI lead", "outsider-lead")
    url = f"/admin/disclosure/disclosurelogentry/publish/{request.pk}/preview/"
    assert _client_for(outsider).get(url).status_code == 404
    assert _client_for(foi_officer).get(url).status_code == 403


def test_filters_offer_only_organisations_topics_and_outcomes_with_responses(
    organisation, other_organisation, foi_lead, client
):
    published_entry(organisation=organisation, by=foi_lead, topic="Imaging")
    body = client.get("/").content.decode()
    assert organisation.name in body and other_organisation.name not in body
    assert '<option value="granted">Granted in full</option>' in body
    assert "Refused: cost limit" not in body
    assert '<option value="Imaging">Imaging</option>' in body
