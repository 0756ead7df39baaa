"""Attack of issue 12 item 2: a correction letter issued after publication went live on the
public ``response.pdf`` with no personal-data check. Whatever becomes public after
publication (a correction, a new attachment) goes through the same check and a lead's
decision; until then the public page, the PDF and the API keep what was published."""

import datetime
import io

import pypdf
import pytest

from foiregister.disclosure import checks, selectors, services
from foiregister.disclosure.exceptions import PersonalDataFound, PublicationError
from foiregister.kernel import audit
from foiregister.letters import services as letter_services
from tests.factories.attachments import hidden_place_files
from tests.factories.letters import answered_request, issued_response

pytestmark = pytest.mark.django_db

# Slips past the letters app's issue-time substring guard: a soft hyphen inside the surname.
DISGUISED = "We apologise to Philippa Quarter\u00admaine for the error."


def published_with_letter(organisation, officer, lead):
    request = answered_request(organisation=organisation, officer=officer)
    first = issued_response(request=request, officer=officer, lead=lead)
    request.refresh_from_db()
    return request, first, services.publish_response(request=request, by=lead)


def issue_correction(request, first, officer, lead, body=DISGUISED):
    letter = letter_services.draft_letter(
        request=request, kind="response", by=officer, corrects=first, body=body
    )
    letter = letter_services.approve_letter(letter=letter, by=lead)
    return letter_services.issue_letter(
        letter=letter, by=officer, issued_on=datetime.date(2025, 9, 27)
    )


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_correction_issued_after_publication_is_not_served_until_a_lead_publishes_it(
    organisation, foi_officer, foi_lead, client
):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    before = client.get(f"/responses/{entry.public_id}/response.pdf").content
    issue_correction(request, first, foi_officer, foi_lead)
    after = client.get(f"/responses/{entry.public_id}/response.pdf")
    assert after.status_code == 200
    assert after.content == before
    assert "apologise" not in pdf_text(after.content)


def test_publishing_a_correction_runs_the_personal_data_check(
    organisation, foi_officer, foi_lead, client
):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    issue_correction(request, first, foi_officer, foi_lead)
    with pytest.raises(PersonalDataFound) as caught:
        services.publish_changes(entry=entry, by=foi_lead)
    assert checks.REQUESTER_NAME in {f.kind for f in caught.value.findings}
    assert "apologise" not in pdf_text(
        client.get(f"/responses/{entry.public_id}/response.pdf").content
    )


def test_clean_correction_goes_public_when_a_lead_publishes_it_and_is_audited(
    organisation, foi_officer, foi_lead, client
):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    correction = issue_correction(
        request, first, foi_officer, foi_lead, body="The expiry date is 28 February 2027."
    )
    assert selectors.pending_changes(entry).letter is not None
    entry = services.publish_changes(entry=entry, by=foi_lead)
    served = client.get(f"/responses/{entry.public_id}/response.pdf").content
    assert "28 February 2027" in pdf_text(served)
    assert selectors.pending_changes(entry).is_empty
    event = audit.history_for(entry).get(action="disclosure.changes_published")
    assert event.changes["letter"] == correction.pk


def test_officer_cannot_publish_a_correction(organisation, foi_officer, foi_lead):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    issue_correction(request, first, foi_officer, foi_lead, body="Corrected date.")
    with pytest.raises(PublicationError):
        services.publish_changes(entry=entry, by=foi_officer)


def test_lead_screen_lists_corrections_awaiting_publication(
    organisation, foi_officer, foi_lead, foi_lead_client
):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    page = foi_lead_client.get("/admin/disclosure/disclosurelogentry/publish/").content.decode()
    assert request.reference not in page
    issue_correction(request, first, foi_officer, foi_lead, body="Corrected date.")
    page = foi_lead_client.get("/admin/disclosure/disclosurelogentry/publish/").content.decode()
    assert "Corrections and attachments awaiting publication" in page
    assert request.reference in page


def test_lead_publishes_a_correction_from_the_publish_screen(
    organisation, foi_officer, foi_lead, foi_lead_client, client
):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    issue_correction(request, first, foi_officer, foi_lead, body="Expiry 28 February 2027.")
    url = f"/admin/disclosure/disclosurelogentry/publish/{request.pk}/"
    assert "correction" in foi_lead_client.get(url).content.decode().lower()
    response = foi_lead_client.post(url, {"action": "publish_changes"})
    assert response.status_code == 302
    served = client.get(f"/responses/{entry.public_id}/response.pdf").content
    assert "28 February 2027" in pdf_text(served)


def test_attachment_added_after_publication_is_not_public_until_a_lead_publishes_it(
    organisation, foi_officer, foi_lead, client
):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    filename, data = hidden_place_files("Philippa Quartermaine")["xlsx header"]
    services.add_attachment(request=request, filename=filename, data=data, by=foi_lead)
    assert client.get(f"/responses/{entry.public_id}/attachments/1/").status_code == 404
    api = client.get(f"/api/v1/responses/{entry.public_id}/").json()
    assert api["attachments"] == []
    with pytest.raises(PersonalDataFound):
        services.publish_changes(entry=entry, by=foi_lead)
    assert client.get(f"/responses/{entry.public_id}/attachments/1/").status_code == 404


def test_republication_after_withdrawal_checks_and_serves_the_latest_correction(
    organisation, foi_officer, foi_lead, client
):
    request, first, entry = published_with_letter(organisation, foi_officer, foi_lead)
    issue_correction(request, first, foi_officer, foi_lead)
    services.withdraw_response(entry=entry, by=foi_lead, reason="a correction is due")
    with pytest.raises(PersonalDataFound):
        services.publish_response(request=request, by=foi_lead)
