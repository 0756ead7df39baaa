"""The anonymised response letter, from the letters app, served through the public gate."""

import io

import pypdf
import pytest

from foiregister.disclosure import services
from tests.factories.letters import answered_request, issued_response

pytestmark = pytest.mark.django_db


def test_response_page_links_the_anonymised_letter_named_by_reference(
    organisation, foi_officer, foi_lead, client
):
    request = answered_request(organisation=organisation, officer=foi_officer)
    issued_response(request=request, officer=foi_officer, lead=foi_lead)
    request.refresh_from_db()
    entry = services.publish_response(request=request, by=foi_lead)
    page = client.get(f"/responses/{entry.public_id}/").content.decode()
    assert f"/responses/{entry.public_id}/response.pdf" in page
    pdf = client.get(f"/responses/{entry.public_id}/response.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="{request.reference.replace("/", "-")}.pdf"'
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Diagnostic Healthcare Ltd" in text  # the text is readable: the check can fail
    assert "Quartermaine" not in text and "Larkspur" not in text
    assert "Quartermaine" not in " ".join(str(v) for v in (reader.metadata or {}).values())
