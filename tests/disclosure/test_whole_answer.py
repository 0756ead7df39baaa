"""The response page shows the whole answer, as the published letter gives it: the officer's
text, the standard wording and each live block's frozen content, with the PDF's figures."""

import html
import io
import re

import pypdf
import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from foiregister.disclosure.models import DisclosureLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.reads_today]

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
AMOUNT = re.compile(r"£\d[\d,]*(?:\.\d\d)?")
DATE = re.compile(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b")
# The suppliers of the demo's two seed letters (../shared/seeds: the Staffordshire ICB and
# Dudley Group responses), listed by hand.
SUPPLIERS = {
    "FOI/0925/1434": [
        "Diagnostic Healthcare Ltd",
        "Harmonic Medical Sonography",
        "Health Harmonie Ltd",
    ],
    "FOI-072025-0001782": [
        "18 Week Support",
        "Cobalt",
        "Express Diagnostics",
        "Health Now",
        "MediServices",
    ],
}


def _words(text: str) -> str:
    return " ".join(text.split())


def _pdf_answers(data: bytes) -> str:
    """The PDF's text from the first question to the publication notice: the answers."""
    reader = pypdf.PdfReader(io.BytesIO(bytes(data)))
    text = _words(" ".join(page.extract_text() for page in reader.pages))
    text = re.sub(r"Page \d+ of \d+", " ", text)
    return text[text.index("You asked:") : text.index("We publish an anonymised copy")]


def _page_text(content: bytes) -> str:
    spaced = re.sub(r"(<[^>]*>)", r" \1 ", content.decode())
    return _words(html.unescape(strip_tags(spaced)))


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_every_amount_supplier_and_date_of_each_published_letter_is_on_its_page(demo, client):
    entries = DisclosureLogEntry.objects.filter(response_document__isnull=False)
    assert sorted(e.reference for e in entries) == sorted(SUPPLIERS)
    for entry in entries:
        pdf = _pdf_answers(entry.response_document.data)
        page = _page_text(client.get(f"/responses/{entry.public_id}/").content)
        wanted = AMOUNT.findall(pdf) + DATE.findall(pdf) + SUPPLIERS[entry.reference]
        assert wanted, entry.reference
        missing = [w for w in wanted if w not in page]
        assert missing == [], entry.reference
    dudley = DisclosureLogEntry.objects.get(reference="FOI-072025-0001782")
    page = _page_text(client.get(f"/responses/{dudley.public_id}/").content)
    assert "Total expenditure on clinical insourcing services in 2024/25: £3,091,519" in page
    assert "CT and MRI scanning service: ends 31 July 2028." in page
    # Standard wording, which only the letter holds.
    staffs = DisclosureLogEntry.objects.get(reference="FOI/0925/1434")
    page = _page_text(client.get(f"/responses/{staffs.public_id}/").content)
    assert "does not hold it. Section 1(1)(a) of the Act requires us to tell you so." in page
    assert "has no current plans to do so." in page


def test_the_demo_intake_holds_a_round_robin_copy_of_a_published_response(demo):
    """A new officer opening the demo's intake finds a message to log, and on its page the
    answer another body already published to the same questions."""
    from foiregister.disclosure import reuse
    from foiregister.intake import services as intake_services
    from foiregister.intake.models import InboundMessage

    [message] = InboundMessage.objects.filter(status=InboundMessage.Status.NEW_REQUEST)
    assert message.organisation.ods_code == "QNC"
    found = reuse.published_responses_like(
        questions=intake_services.draft_questions(message), organisation=message.organisation
    )
    assert [m.organisation for m in found] == ["The Dudley Group NHS Foundation Trust"]
    assert all(q.answer for q in found[0].questions)
