"""Issuing a response letter: the PDF says what was approved, both copies, and never moves."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from pypdf import PdfReader

from foiregister.letters import context, selectors, services
from foiregister.letters.exceptions import LetterError, LetterImmutable
from foiregister.letters.models import Letter, LetterDocument
from foiregister.requests.models import Request, RequestEvent
from tests.factories import TEST_DATA
from tests.factories import letters as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def letterhead(organisation):
    organisation.address = "Stafford Education & Enterprise Park\nWeston Road\nStafford\nST18 0BF"
    organisation.telephone = "0300 123 1461"
    organisation.foi_email = "foi@icb.example"
    organisation.signatory_name = "Paul Winter"
    organisation.signatory_title = "Associate Director of Corporate Governance"
    organisation.save()
    return organisation


@pytest.fixture
def request_(letterhead, foi_officer):
    return f.answered_request(organisation=letterhead, officer=foi_officer)


@pytest.fixture
def issued(request_, foi_officer, foi_lead):
    return f.issued_response(request=request_, officer=foi_officer, lead=foi_lead)


def _doc(letter, variant):
    return letter.documents.get(variant=variant)


def test_requester_copy_contains_answers_figures_and_rights(issued, pdf_text):
    text = pdf_text(_doc(issued, "requester").data)
    flat = " ".join(text.split())
    assert "Please list your independent sector imaging contracts." in flat
    assert "Diagnostic Healthcare Ltd, provision of MRI services" in flat
    assert "£3,091,519" in flat  # the live figure, frozen
    assert "does not hold it" in flat  # the not-held standard wording
    assert "internal review" in flat
    assert "Information Commissioner's Office" in flat and "Wycliffe House" in flat
    assert "Paul Winter" in flat and "Associate Director of Corporate Governance" in flat
    assert "Philippa Quartermaine" in flat  # addressed to the requester
    assert "20 September 2025" in flat


def test_anonymised_copy_has_no_requester_detail_in_text_metadata_or_name(issued, pdf_text):
    doc = _doc(issued, "public")
    data = bytes(doc.data)
    text = " ".join(pdf_text(data).split())
    reader = PdfReader(io.BytesIO(data))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    for detail in (
        "Philippa",
        "Quartermaine",
        "philippa.quartermaine@example.invalid",
        "Larkspur",
        "Nether Wallop",
        "ZZ9 9ZZ",
    ):
        assert detail.lower() not in text.lower()
        assert detail.lower() not in metadata.lower()
        assert detail.lower() not in xmp.lower()
        assert detail.lower() not in doc.filename.lower()
        assert detail.encode() not in data
    assert "Diagnostic Healthcare Ltd" in text and "£3,091,519" in text


def test_file_names_use_the_reference_with_slashes_replaced(issued):
    stem = re.sub(r"/", "-", issued.request.reference) + "-response"
    assert _doc(issued, "requester").filename == stem + ".pdf"
    assert _doc(issued, "public").filename == stem + "-anonymised.pdf"  # never the same name


def test_pdf_is_tagged_a4_titled_and_english(issued):
    reader = PdfReader(io.BytesIO(bytes(_doc(issued, "public").data)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == f"{issued.request.reference} Response"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_documents_store_their_sha256(issued):
    import hashlib

    for doc in issued.documents.all():
        assert doc.sha256 == hashlib.sha256(bytes(doc.data)).hexdigest()


def test_issue_records_response_sent_and_the_response_date(issued):
    request = Request.objects.get(pk=issued.request_id)
    assert request.events.filter(kind=RequestEvent.Kind.RESPONSE_SENT).count() == 1
    assert request.responded_on == datetime.date(2025, 9, 20)
    assert request.status == Request.Status.RESPONDED
    assert request.outcome == Request.Outcome.GRANTED


def test_issued_content_freezes_the_live_figures(issued):
    q1 = issued.content["questions"][0]
    assert q1["blocks"][0]["data"] == {"rows": [{"label": "spend", "value": "£3,091,519"}]}


def test_issued_letter_refuses_every_change(issued, foi_officer):
    with pytest.raises(LetterImmutable):
        services.update_letter(letter=issued, body="Changed", by=foi_officer)
    with pytest.raises(LetterImmutable):
        services.withdraw_approval(letter=issued, by=foi_officer)
    with pytest.raises(LetterImmutable):
        services.issue_letter(letter=issued, by=foi_officer)
    issued.body = "Changed behind the services' back"
    with pytest.raises(LetterImmutable):
        issued.save()
    with pytest.raises(LetterImmutable):
        issued.delete()
    with pytest.raises(LetterImmutable):
        Letter.objects.filter(pk=issued.pk).update(body="x")
    with pytest.raises(LetterImmutable):
        Letter.objects.filter(pk=issued.pk).delete()
    doc = issued.documents.first()
    with pytest.raises(LetterImmutable):
        doc.save()
    with pytest.raises(LetterImmutable):
        doc.delete()
    with pytest.raises(LetterImmutable):
        LetterDocument.objects.filter(letter=issued).delete()
    assert Letter.objects.get(pk=issued.pk).body == ""


@pytest.mark.embedded
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE letters_letter SET body = 'Changed' WHERE id = %s",
        "UPDATE letters_letter SET content = '{}' WHERE id = %s",
        "DELETE FROM letters_letter WHERE id = %s",
        "UPDATE letters_letterdocument SET sha256 = 'x' WHERE letter_id = %s",
        "DELETE FROM letters_letterdocument WHERE letter_id = %s",
    ],
)
def test_the_database_refuses_raw_changes_to_an_issued_letter(issued, sql):
    """Past the models and querysets (a shell, a data migration, raw SQL) the database's
    own trigger keeps what the requester was sent."""
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [issued.pk])
    assert Letter.objects.get(pk=issued.pk).body == ""
    assert issued.documents.count() == 2


@pytest.mark.embedded
def test_the_database_lets_the_email_date_be_recorded_after_issue(issued):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE letters_letter SET emailed_at = CURRENT_TIMESTAMP WHERE id = %s", [issued.pk]
        )
    assert Letter.objects.get(pk=issued.pk).emailed_at is not None


def test_register_change_after_issue_leaves_the_letter_and_flags_a_correction(
    issued, foi_officer, pdf_text
):
    before = bytes(_doc(issued, "public").data)
    f.FIGURES["spend"] = "£3,250,000"

    issued.refresh_from_db()
    assert bytes(_doc(issued, "public").data) == before
    assert issued.content["questions"][0]["blocks"][0]["data"]["rows"][0]["value"] == "£3,091,519"
    correction = services.draft_letter(
        request=issued.request, kind="response", by=foi_officer, corrects=issued
    )
    state = context.draft_state(correction)
    assert [b.block.block_type for b in state.flagged_blocks] == ["test_figure"]
    assert any("changed since it was reviewed" in p for p in state.problems)


def test_correction_is_a_new_letter_referring_to_the_first(
    issued, foi_officer, foi_lead, pdf_text
):
    f.FIGURES["spend"] = "£3,250,000"
    correction = services.draft_letter(
        request=issued.request, kind="response", by=foi_officer, corrects=issued
    )
    services.review_letter_blocks(letter=correction, by=foi_officer)
    services.approve_letter(letter=correction, by=foi_lead)
    correction = services.issue_letter(
        letter=correction, by=foi_officer, issued_on=datetime.date(2025, 9, 25)
    )
    text = " ".join(pdf_text(_doc(correction, "public").data).split())
    assert "corrects our response of 20 September 2025" in text
    assert "£3,250,000" in text
    assert _doc(correction, "public").filename.endswith("-response-2-anonymised.pdf")
    assert selectors.anonymised_pdf_for(issued.request) == _doc(correction, "public")


def test_email_sends_the_requester_copy(issued):
    assert services.email_letter(letter=issued, by=TEST_DATA) is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["philippa.quartermaine@example.invalid"]
    name, data, mimetype = message.attachments[0]
    assert name == _doc(issued, "requester").filename and mimetype == "application/pdf"
    assert data == bytes(_doc(issued, "requester").data)
    issued.refresh_from_db()
    assert issued.emailed_at is not None


def test_issue_is_refused_when_the_register_moved_since_approval(request_, foi_officer, foi_lead):
    letter = f.approved_response(request=request_, officer=foi_officer, lead=foi_lead)
    f.FIGURES["spend"] = "£1"
    with pytest.raises(LetterError, match="changed since it was approved"):
        services.issue_letter(letter=letter, by=foi_officer)
    letter.refresh_from_db()
    assert letter.status == "approved" and not letter.documents.exists()


def test_anonymised_pdf_for_is_none_before_issue(request_):
    assert selectors.anonymised_pdf_for(request_) is None


def test_answer_quoting_the_requester_is_refused_at_issue(request_, foi_officer, foi_lead):
    q2 = request_.questions.get(number=2)
    services.set_answer(question=q2, by=foi_officer, answer="As Philippa Quartermaine knows, yes.")
    letter = f.approved_response(request=request_, officer=foi_officer, lead=foi_lead)
    with pytest.raises(LetterError, match="requester's details"):
        services.issue_letter(letter=letter, by=foi_officer)
