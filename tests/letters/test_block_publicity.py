"""Live blocks follow the registers' publicity rule (``contracts.publicity``), in both copies.

An FOI response is a disclosure to the world: the anonymised copy goes on the disclosure log
and the requester may publish theirs. So both copies carry the same answers and figures,
and a block prints only what the register would publish: no private contract, supplier,
reason, plan or CDC, no withheld value, and no wording that says a private row exists.
"""

import json

import pytest

from foiregister.letters import services
from foiregister.letters.context import render_context
from foiregister.letters.render import render_letter_html
from tests.factories import contracts as cf
from tests.factories import letters as lf
from tests.factories.foiregister import log_request

pytestmark = pytest.mark.django_db


def _letter_with_every_register_block(organisation, officer, lead):
    """A response whose questions each carry one live block of a register kind."""
    request = log_request(
        organisation=organisation,
        requester=lf.requester_with_details(organisation),
        by=officer,
        questions=[f"Question about {key}" for key, _ in cf.REGISTER_BLOCKS],
    )
    made = []
    for question, (key, params) in zip(
        request.questions.order_by("number"), cf.REGISTER_BLOCKS, strict=True
    ):
        services.set_answer(question=question, by=officer, answer="", answer_kind="provided")
        made.append(
            services.add_block(question=question, block_type=key, params=params, by=officer)
        )
    services.review_blocks(blocks=made, by=officer)
    letter = services.draft_letter(request=request, kind="response", by=officer)
    return services.approve_letter(letter=letter, by=lead)


@pytest.fixture
def issued(organisation, foi_officer, foi_lead):
    cf.register_with_private_rows(organisation=organisation)
    letter = _letter_with_every_register_block(organisation, foi_officer, foi_lead)
    return services.issue_letter(letter=letter, by=foi_officer)


def _assert_no_canary(text, where):
    for canary in cf.REGISTER_CANARIES:
        assert canary.lower() not in text.lower(), f"{canary} in {where}"


def _html(letter, addressee):
    context = render_context(
        content=letter.content, letter_date=letter.issued_on, addressee=addressee
    )
    return " ".join(render_letter_html(context).split())


REQUESTER = {"name": "Philippa Quartermaine", "address_lines": [], "email": ""}


@pytest.mark.parametrize("addressee", [REQUESTER, None], ids=["requester", "anonymised"])
def test_no_block_prints_a_private_row_in_either_copy(issued, addressee):
    html = _html(issued, addressee)
    _assert_no_canary(html, "the letter's HTML")


@pytest.mark.parametrize("variant", ["requester", "public"])
def test_no_private_row_reaches_either_pdf(issued, variant, pdf_text):
    text = " ".join(pdf_text(issued.documents.get(variant=variant).data).split())
    _assert_no_canary(text, f"the {variant} PDF")
    assert cf.PUBLIC_MARK in text


def test_the_frozen_block_data_holds_no_private_row(issued):
    """What the lead approved and the letter froze is what the public may see."""
    frozen = json.dumps([b["data"] for q in issued.content["questions"] for b in q["blocks"]])
    _assert_no_canary(frozen, "the frozen block data")


def test_both_copies_carry_the_same_answers(issued):
    requester = _html(issued, REQUESTER).replace("Philippa Quartermaine", "")
    anonymised = _html(issued, None)
    for key, _ in cf.REGISTER_BLOCKS:
        assert f"Question about {key}" in requester and f"Question about {key}" in anonymised


@pytest.mark.parametrize(
    "shown",
    [
        f"{cf.PUBLIC_MARK} Imaging Ltd, {cf.PUBLIC_MARK} MRI service, contract value withheld",
        f"{cf.PUBLIC_MARK} neurology clinics: end date to be agreed.</li>",
        "£1,234",
        f"Neurology: provided by {cf.PUBLIC_MARK} Insourcing Ltd",
        f"{cf.PUBLIC_MARK} MRI re-procurement (planned",
        f"<strong>{cf.PUBLIC_MARK} CDC</strong>",
    ],
    ids=[key for key, _ in cf.REGISTER_BLOCKS],
)
def test_each_block_prints_its_public_rows(issued, shown):
    assert shown in _html(issued, None)


def test_a_block_with_only_private_rows_says_nothing_of_them(organisation, foi_officer, foi_lead):
    """No "withheld", no "none": the same neutral sentence as an empty register."""
    from contracts.models import CommunityDiagnosticCentre, Contract, PlannedProcurement

    cf.register_with_private_rows(organisation=organisation)
    Contract.objects.filter(is_public=True).update(is_public=False)
    PlannedProcurement.objects.update(is_public=False)
    CommunityDiagnosticCentre.objects.update(is_public=False)
    letter = _letter_with_every_register_block(organisation, foi_officer, foi_lead)
    html = _html(services.issue_letter(letter=letter, by=foi_officer), None)
    _assert_no_canary(html, "the letter")
    assert cf.PUBLIC_MARK not in html
    assert "withheld" not in html.lower()
    assert html.count("to report") == len(cf.REGISTER_BLOCKS)
