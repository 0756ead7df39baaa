"""Attacks of issue 12 item 3: personal data in the places of an attachment the check
did not read. Each file is clean where a reader looks and holds the requester's name in
one hidden place; the check finds it there, or refuses the file as one it cannot read."""

import pytest

from foiregister.disclosure import checks, selectors, services
from foiregister.disclosure.exceptions import PersonalDataFound, PublicationError
from tests.factories.attachments import clean_files, hidden_place_files
from tests.factories.disclosure import responded_request
from tests.factories.foiregister import RequesterFactory

WHO = checks.RequesterDetails(name="Philippa Quartermaine", email="pq@example.invalid")
PLACES = hidden_place_files("Philippa Quartermaine")


@pytest.mark.parametrize("place", sorted(PLACES))
def test_requesters_name_in_a_hidden_place_of_an_attachment_is_found(place):
    filename, data = PLACES[place]
    findings, checkable = checks.scan_attachment(filename, data, requester=WHO)
    found_name = [f for f in findings if f.kind == checks.REQUESTER_NAME]
    assert found_name or not checkable, f"nothing found in the {place}"


@pytest.mark.parametrize("kind", sorted(clean_files()))
def test_clean_attachment_of_each_type_has_no_findings(kind):
    filename, data = clean_files()[kind]
    assert checks.scan_attachment(filename, data, requester=WHO) == ([], True)


def test_earlier_revision_of_a_pdf_is_reported_as_hidden_content():
    filename, data = PLACES["pdf earlier revision"]
    findings, _ = checks.scan_attachment(filename, data, requester=checks.RequesterDetails())
    assert any(f.detail == "earlier revision" for f in findings)


def test_pdf_flattened_to_its_last_revision_keeps_nothing_of_the_earlier_one():
    _, data = PLACES["pdf earlier revision"]
    flat = checks.flatten_pdf(data)
    findings, checkable = checks.scan_attachment("a.pdf", flat, requester=WHO)
    assert checkable and findings == []
    assert b"Quartermaine" not in flat


@pytest.mark.django_db
def test_lead_flattens_an_incrementally_updated_pdf_and_can_then_publish(organisation, foi_lead):
    request = responded_request(
        organisation=organisation,
        by=foi_lead,
        requester=RequesterFactory(organisation=organisation, name="Philippa Quartermaine"),
    )
    _, data = PLACES["pdf earlier revision"]
    attachment = services.add_attachment(request=request, filename="a.pdf", data=data, by=foi_lead)
    with pytest.raises(PersonalDataFound):
        services.publish_response(request=request, by=foi_lead)
    services.flatten_attachment(attachment=attachment, by=foi_lead)
    entry = services.publish_response(request=request, by=foi_lead)
    [public] = selectors.public_attachments(entry)
    assert b"Quartermaine" not in bytes(type(public).objects.get(pk=public.pk).data)


@pytest.mark.django_db
def test_lead_removes_an_attachment_before_publishing(organisation, foi_lead, foi_lead_client):
    request = responded_request(
        organisation=organisation,
        by=foi_lead,
        requester=RequesterFactory(organisation=organisation, name="Philippa Quartermaine"),
    )
    filename, data = PLACES["xlsx header"]
    attachment = services.add_attachment(
        request=request, filename=filename, data=data, by=foi_lead
    )
    assert selectors.outstanding_findings(request)
    response = foi_lead_client.post(
        f"/admin/disclosure/disclosurelogentry/publish/{request.pk}/",
        {"action": "remove", "attachment": attachment.pk, "remove_reason": "wrong file"},
    )
    assert response.status_code == 302
    assert selectors.outstanding_findings(request) == []
    services.publish_response(request=request, by=foi_lead)


@pytest.mark.django_db
def test_officer_cannot_remove_an_attachment(organisation, foi_lead, foi_officer):
    request = responded_request(organisation=organisation, by=foi_lead)
    filename, data = clean_files()["xlsx"]
    attachment = services.add_attachment(
        request=request, filename=filename, data=data, by=foi_lead
    )
    with pytest.raises(PublicationError):
        services.remove_attachment(attachment=attachment, by=foi_officer, reason="x")
