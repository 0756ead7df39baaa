"""Taking the organisation's own earlier answer (issue 17, "Round robins and reuse"): its
live blocks are re-evaluated against today's registers and, where the data moved since the
earlier letter froze it, the suggestion says what changed; another body's parameters are
re-pointed or dropped with a note. Expected sentences are written out by hand."""

import datetime
from decimal import Decimal

import pytest

from foiregister.disclosure import reuse
from foiregister.intake import services as intake_services
from foiregister.kernel.audit import AuditAction
from foiregister.kernel.models import AuditEvent
from foiregister.letters import context, services
from foiregister.letters import reuse as letter_reuse
from tests.factories import contracts as cf
from tests.factories import letters as f
from tests.factories.foiregister import log_request

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2026, 6, 1)


@pytest.fixture
def earlier(organisation, foi_officer, foi_lead):
    """Last year's answer to the round robin, issued with its live spend figure."""
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    f.issued_response(request=request, officer=foi_officer, lead=foi_lead)
    intake_services.index_request(request)
    return request


@pytest.fixture
def repeated(organisation, foi_officer):
    return log_request(
        organisation=organisation,
        by=foi_officer,
        title="Insourcing and imaging, again",
        questions=f.QUESTIONS,
        received_on=datetime.date(2026, 5, 28),
    )


def test_the_own_earlier_answer_is_offered_with_what_changed_since(earlier, repeated):
    f.FIGURES["spend"] = "£3,200,000"  # the register moved after the letter was issued
    found = reuse.earlier_answers_for(repeated, today=JUNE)
    offered = found[1][0]
    assert (offered.own, offered.label, offered.issued_on) == (
        True,
        earlier.reference,
        datetime.date(2025, 9, 20),
    )
    assert offered.preview.answer == "Total insourcing spend:"
    assert [b.changes for b in offered.preview.blocks] == [["figures changed since"]]


def test_an_unchanged_figure_says_no_change(earlier, repeated):
    found = reuse.earlier_answers_for(repeated, today=JUNE)
    assert [b.changes for b in found[1][0].preview.blocks] == [[]]


def test_taking_it_copies_answer_and_block_which_then_show_todays_figure(
    earlier, repeated, foi_officer
):
    f.FIGURES["spend"] = "£3,200,000"
    answer, letter = letter_reuse.earlier_answer_of(earlier, 1)
    question = repeated.questions.get(number=1)
    services.take_earlier_answer(
        question=question,
        earlier=answer,
        source=earlier.reference,
        own_organisation=True,
        by=foi_officer,
        today=JUNE,
    )
    question.refresh_from_db()
    assert (question.answer, question.answer_kind) == ("Total insourcing spend:", "provided")
    assert [(b.block_type, b.params) for b in question.live_blocks.all()] == [
        ("test_figure", {"name": "spend"})
    ]
    draft = services.draft_letter(request=repeated, kind="response", by=foi_officer)
    shown = context.draft_state(draft).content["questions"][0]["blocks"][0]["data"]
    assert shown == {"rows": [{"label": "spend", "value": "£3,200,000"}]}
    actions = set(
        AuditEvent.objects.filter(
            action__in=[
                AuditAction.LETTER_ANSWER_TAKEN,
                AuditAction.LETTER_BLOCK_ADDED,
                AuditAction.QUESTION_CHANGED,
            ],
            at__gte=question.request.received_at,
        ).values_list("action", flat=True)
    )
    assert AuditAction.LETTER_ANSWER_TAKEN in actions and AuditAction.LETTER_BLOCK_ADDED in actions


def test_taking_replaces_the_questions_own_blocks(earlier, repeated, foi_officer):
    question = repeated.questions.get(number=1)
    services.add_block(
        question=question, block_type="test_figure", params={"name": "other"}, by=foi_officer
    )
    answer, _ = letter_reuse.earlier_answer_of(earlier, 1)
    services.take_earlier_answer(
        question=question,
        earlier=answer,
        source=earlier.reference,
        own_organisation=True,
        by=foi_officer,
        today=JUNE,
    )
    assert [b.params for b in question.live_blocks.all()] == [{"name": "spend"}]


def _imaging_contracts(organisation):
    cf.contract(
        organisation=organisation,
        supplier_obj=cf.supplier(name="Alliance Medical"),
        title="Dudley CT/MRI",
        categories=["ct", "mri"],
        value=Decimal("250000.00"),
        end_date=datetime.date(2026, 3, 31),
        is_public=True,
    )
    cf.contract(
        organisation=organisation,
        supplier_obj=cf.supplier(name="InHealth"),
        title="Walsall MRI",
        value=Decimal("1200000.00"),
        end_date=datetime.date(2027, 1, 31),
        is_public=True,
    )


def test_a_contract_that_ended_since_the_letter_is_named(organisation, foi_officer, foi_lead):
    _imaging_contracts(organisation)
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    q2 = request.questions.get(number=2)
    block = services.add_block(
        question=q2,
        block_type="independent_sector_contracts",
        params={"active_on": "2025-09-20"},
        by=foi_officer,
    )
    services.review_blocks(blocks=[block], by=foi_officer)
    f.issued_response(request=request, officer=foi_officer, lead=foi_lead)
    answer, letter = letter_reuse.earlier_answer_of(request, 2)
    assert letter is not None and len(answer["blocks"][0]["data"]["contracts"]) == 2

    preview = letter_reuse.preview_earlier_answer(
        answer, organisation=organisation, own_organisation=True, today=JUNE
    )
    (shown,) = preview.blocks
    assert shown.params["active_on"] == "2026-06-01"
    assert shown.notes == ["Live on moved to today (1 Jun 2026; was 20 Sep 2025)"]
    assert shown.changes == [
        "1 contract has ended since (Alliance Medical, Dudley CT/MRI, ended 31 Mar 2026)"
    ]


def test_another_bodys_answer_says_the_figures_will_be_your_own(organisation, other_organisation):
    _imaging_contracts(other_organisation)
    published = {
        "answer_kind": "provided",
        "answer_kind_label": "Provided",
        "answer": "Our contracts:",
        "blocks": [
            {
                "type": "independent_sector_contracts",
                "params": {"categories": [], "active_on": "2025-09-20"},
                "data": {"active_on": "2025-09-20", "contracts": []},
            }
        ],
    }
    preview = letter_reuse.preview_earlier_answer(
        published, organisation=organisation, own_organisation=False, today=JUNE
    )
    assert preview.notes == [
        "Another organisation's published answer: its text is theirs; check it is true of "
        "your organisation before it is sent.",
        "The live blocks will show your own organisation's figures from today's registers, "
        "not the other organisation's.",
    ]
    assert preview.blocks[0].changes == []  # no comparison with another body's figures


def test_another_bodys_cdcs_are_dropped_with_a_note(organisation, other_organisation):
    cf.cdc(
        host_trust=other_organisation,
        icb=other_organisation,
        name="Quokka Valley CDC",
        is_public=True,
    )
    cf.cdc(host_trust=organisation, icb=organisation, name="Home Town CDC", is_public=True)
    params, notes = letter_reuse.repoint_params(
        "cdcs_hosted",
        {
            "start": "2024-04-01",
            "end": "2025-03-31",
            "area": "hosted",
            "cdcs": ["Quokka Valley CDC"],
        },
        organisation=organisation,
        own_organisation=False,
        today=JUNE,
    )
    assert params["cdcs"] == [] and params["start"] == "2024-04-01"
    assert notes == [
        "Only these CDCs: Quokka Valley CDC dropped (another body's CDCs); the block lists "
        "every CDC your organisation hosts or serves"
    ]


def test_another_bodys_area_code_is_dropped_for_the_officers_own(organisation):
    params, notes = letter_reuse.repoint_params(
        "standardised_imaging_rate",
        {"run": "", "measure": "MRI", "area": "QUOKKA1"},
        organisation=organisation,
        own_organisation=False,
        today=JUNE,
    )
    assert params is None  # no completed metrics run here: the block cannot be taken
    assert notes[0] == (
        f"Area QUOKKA1 dropped: the figures will be your organisation's ({organisation.ods_code})"
    )


def test_taking_an_answer_moves_the_texts_live_on_date_with_its_block(
    organisation, foi_officer, foi_lead, repeated
):
    """The text said what the block showed then ("live on 20 September 2025"); once the
    block shows today's contracts, the text says today too, and the officer is told."""
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    q2 = request.questions.get(number=2)
    services.set_answer(
        question=q2,
        by=foi_officer,
        answer="Our contracts live on 20 September 2025:",
        answer_kind="provided",
    )
    block = services.add_block(
        question=q2,
        block_type="independent_sector_contracts",
        params={"active_on": "2025-09-20"},
        by=foi_officer,
    )
    services.review_blocks(blocks=[block], by=foi_officer)
    f.issued_response(request=request, officer=foi_officer, lead=foi_lead)
    answer, _ = letter_reuse.earlier_answer_of(request, 2)
    expected_notes = [
        "Live on moved to today (1 Jun 2026; was 20 Sep 2025)",
        "Text: \u201c20 September 2025\u201d changed to \u201c1 June 2026\u201d to match the "
        "live block's new date",
    ]

    preview = letter_reuse.preview_earlier_answer(
        answer, organisation=organisation, own_organisation=True, today=JUNE
    )
    assert preview.answer == "Our contracts live on 1 June 2026:"
    assert expected_notes[1] in preview.notes

    question = repeated.questions.get(number=2)
    notes = services.take_earlier_answer(
        question=question,
        earlier=answer,
        source=request.reference,
        own_organisation=True,
        by=foi_officer,
        today=JUNE,
    )
    question.refresh_from_db()
    assert question.answer == "Our contracts live on 1 June 2026:"
    assert [b.params["active_on"] for b in question.live_blocks.all()] == ["2026-06-01"]
    assert notes == expected_notes
    taken = AuditEvent.objects.get(action=AuditAction.LETTER_ANSWER_TAKEN)
    assert taken.changes["notes"] == expected_notes
