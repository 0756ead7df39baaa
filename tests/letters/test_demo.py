"""The demo letters: the Staffordshire and Dudley responses issued from the registers."""

import pytest

from demo import letters as demo
from demo import requests as register_demo
from foiregister.kernel.models import Organisation
from foiregister.letters import selectors
from foiregister.letters.models import Letter
from foiregister.requests.models import Request
from tests.letters.test_blocks import _dudley, _staffs_contracts

pytestmark = [pytest.mark.django_db, pytest.mark.embedded, pytest.mark.reads_today]


@pytest.fixture
def demo_data():
    loaded = register_demo.load()
    _staffs_contracts(Organisation.objects.get(ods_code="QNC"))
    _dudley(Organisation.objects.get(ods_code="RNA"))
    return loaded


def test_demo_issues_staffordshire_with_the_three_register_contracts(demo_data, pdf_text):
    demo.load(by=demo_data["users"]["lead"])
    request = Request.objects.get(reference="FOI/0925/1434")
    text = " ".join(pdf_text(selectors.anonymised_pdf_for(request).data).split())
    for supplier in (
        "Diagnostic Healthcare Ltd",
        "Harmonic Medical Sonography",
        "Health Harmonie Ltd",
    ):
        assert supplier in text
    assert "14 November 2025" in text
    assert "Alex Example" not in text


def test_demo_staffordshire_letter_has_the_seed_letters_parts(demo_data, pdf_text):
    """The parts of the seed letter (../shared/seeds/000_...): reference, date, questions
    with answers, the CDC answers from the CDC register, publication notice, internal
    review and ICO paragraphs, and the signatory, once."""
    demo.load(by=demo_data["users"]["lead"])
    request = Request.objects.get(reference="FOI/0925/1434")
    text = " ".join(pdf_text(selectors.anonymised_pdf_for(request).data).split())
    assert "Our reference: FOI/0925/1434" in text and "Date: 14 November 2025" in text
    assert text.count("No community diagnostic centres to report for") == 2
    assert "no current plans to do so" in text
    assert "disclosure log" in text and "internal review" in text
    assert "Information Commissioner" in text and "0303 123 1113" in text
    assert (
        "Yours sincerely Associate Director of Corporate Governance NHS Staffordshire and "
        "Stoke-on-Trent Integrated Care Board"
    ) in text


def test_demo_issues_dudley_from_the_insourcing_register(demo_data, pdf_text):
    demo.load(by=demo_data["users"]["lead"])
    request = Request.objects.get(organisation__ods_code="RNA", title__icontains="insourcing")
    text = " ".join(pdf_text(selectors.anonymised_pdf_for(request).data).split())
    assert "£3,091,519" in text and "Cobalt" in text and "to be agreed" in text
    signed = "Yours sincerely Freedom of Information Team The Dudley Group NHS Foundation Trust"
    assert signed in text
    assert "Foundation Trust The Dudley Group NHS Foundation Trust" not in text  # said once


def test_demo_is_idempotent(demo_data):
    demo.load(by=demo_data["users"]["lead"])
    demo.load(by=demo_data["users"]["lead"])
    assert Letter.objects.filter(status="issued").count() == 2
