"""A letter as a plain dict, built from selectors: what the template renders and what is
frozen at issue.

Two parts are kept apart on purpose. ``content`` is everything the letter says except who
it is addressed to: it is what the FOI lead approves (by its hash), what is frozen into the
issued letter, and what the anonymised copy is rendered from, so requester details can
never leak into the published version. ``addressee`` is added only for the requester's copy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Question, Request

from . import selectors, wording
from .blocks import data_hash
from .models import Letter
from .selectors import BlockState

# What each kind of letter says after the answers; the template chooses paragraphs by these.
KINDS_WITH_ANSWERS = {Letter.Kind.RESPONSE, Letter.Kind.REFUSAL_NOTICE}
KINDS_PUBLISHED = {Letter.Kind.RESPONSE, Letter.Kind.REFUSAL_NOTICE, Letter.Kind.REVIEW_OUTCOME}
KINDS_WITH_REVIEW_RIGHTS = {Letter.Kind.RESPONSE, Letter.Kind.REFUSAL_NOTICE}


def _lines(text: str) -> list[str]:
    return [line.strip().rstrip(",") for line in text.splitlines() if line.strip()]


def organisation_block(organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "address_lines": _lines(organisation.address),
        "telephone": organisation.telephone,
        "foi_email": organisation.foi_email,
        "website": organisation.website,
        "signatory_name": organisation.signatory_name,
        "signatory_title": organisation.signatory_title,
        "internal_review_wording": organisation.internal_review_wording.strip(),
    }


def _s12_values(request: Request) -> dict[str, str]:
    limit = Decimal(settings.FOI_S12_APPROPRIATE_LIMIT_HOURS)
    estimate = register_selectors.s12_hours(request) + (request.s12_estimate_hours or 0)
    return {
        "estimate_hours": f"{estimate.normalize():f}",
        "limit_hours": f"{limit.normalize():f}",
        "limit_pounds": f"{limit * 25:.0f}",
    }


def _sections(exemptions) -> str:
    parts = [f"section {e.section.removeprefix('s.')} ({e.title})" for e in exemptions]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def question_content(
    question: Question, *, organisation, s12: dict[str, str], states: list
) -> dict[str, Any]:
    exemptions = list(question.exemptions.all())
    kind = question.answer_kind
    standard = ""
    if kind and kind != Question.AnswerKind.PROVIDED:
        own = selectors.question_wording(question, kind)
        standard = wording.fill(
            own
            if own is not None
            else selectors.standard_wording(organisation=organisation, answer_kind=kind),
            {
                "organisation": organisation.name,
                "url": question.elsewhere_url,
                "sections": _sections(exemptions),
                **s12,
            },
        )
    blocks = []
    for block in selectors.blocks_for_question(question):
        state = selectors.block_state(block, organisation=organisation)
        states.append(state)
        blocks.append(
            {
                "type": block.block_type,
                "title": state.title,
                "template": state.template,
                "params": block.params,
                "data": state.data,
                "hash": state.hash,
                "error": state.error,
            }
        )
    qualified = [e for e in exemptions if not e.absolute]
    return {
        "number": question.number,
        "text": question.text,
        "answer_kind": kind,
        "answer_kind_label": question.get_answer_kind_display() if kind else "",
        "standard_wording": standard,
        "answer": question.answer.strip(),
        "elsewhere_url": question.elsewhere_url,
        "exemptions": [{"section": e.section, "title": e.title} for e in exemptions],
        "public_interest_reasoning": (
            question.public_interest_reasoning.strip() if qualified else ""
        ),
        "blocks": blocks,
    }


def draft_content(letter: Letter) -> tuple[dict[str, Any], list]:
    """The letter's content as it would be issued now, with each live block fetched, and
    the blocks' states (for flags). Reads only."""
    request = letter.request
    organisation = request.organisation
    states: list = []
    questions = []
    if letter.kind in KINDS_WITH_ANSWERS:
        s12 = _s12_values(request)
        for question in request.questions.prefetch_related("exemptions").order_by("number"):
            questions.append(
                question_content(question, organisation=organisation, s12=s12, states=states)
            )
    pit = (
        letter.pit_estimate_on.isoformat()
        if letter.kind == Letter.Kind.REFUSAL_NOTICE and letter.pit_estimate_on
        else ""
    )
    corrects = letter.corrects
    content = {
        "kind": letter.kind,
        "kind_label": letter.get_kind_display(),
        "reference": request.reference,
        "regime": request.regime,
        "request_title": request.title,
        "received_on": register_selectors.date_of_receipt(request.received_at).isoformat(),
        "due_on": request.due_on.isoformat() if request.due_on else "",
        "body": letter.body.strip(),
        "fee_amount": str(letter.fee_amount) if letter.fee_amount is not None else "",
        "pit_estimate_on": pit,
        "review_decision": letter.review_decision,
        "review_decision_label": letter.get_review_decision_display()
        if letter.review_decision
        else "",
        "corrects": (
            {
                "kind_label": corrects.get_kind_display(),
                "issued_on": corrects.issued_on.isoformat() if corrects.issued_on else "",
            }
            if corrects
            else None
        ),
        "questions": questions,
        "publication_notice": letter.kind in KINDS_PUBLISHED,
        "review_rights": letter.kind in KINDS_WITH_REVIEW_RIGHTS,
        "ico_rights": letter.kind in KINDS_PUBLISHED,
        "organisation": organisation_block(organisation),
    }
    return content, states


def addressee_for(request: Request) -> dict[str, Any]:
    """The requester's name and contact details: for their copy only, never frozen."""
    requester = request.requester
    return {
        "name": requester.name,
        "address_lines": _lines(requester.postal_address),
        "email": requester.email,
    }


def requester_details(request: Request) -> list[str]:
    """Every piece of requester detail long enough to recognise, for the leak check."""
    requester = request.requester
    found = [requester.name, requester.email, requester.telephone]
    found += [line for line in _lines(requester.postal_address)]
    return [d for d in (x.strip() for x in found) if len(d) >= 4]


def render_context(
    *, content: dict[str, Any], letter_date: datetime.date, addressee: dict[str, Any] | None
) -> dict[str, Any]:
    """What the template gets. ``addressee`` None renders the anonymised copy."""

    def as_date(value: str):
        return datetime.date.fromisoformat(value) if value else None

    return {
        "c": content,
        "org": content["organisation"],
        "addressee": addressee,
        "anonymised": addressee is None,
        "letter_date": letter_date,
        "received_on": as_date(content["received_on"]),
        "due_on": as_date(content["due_on"]),
        "pit_estimate_on": as_date(content["pit_estimate_on"]),
        "corrects_issued_on": as_date((content.get("corrects") or {}).get("issued_on", "")),
        "title": f"{content['reference']} {content['kind_label']}",
    }


# -- the draft as a lead approves it -------------------------------------------------------


@dataclass
class DraftState:
    """What the officer sees while drafting: the content as it would be issued now, its
    hash, and what stands in the way of approval or issue."""

    letter: Letter
    content: dict[str, Any]
    content_hash: str
    blocks: list[BlockState] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def approval_current(self) -> bool:
        """Approved, and the content is still exactly what was approved."""
        return (
            self.letter.status == Letter.Status.APPROVED
            and self.letter.approved_hash == self.content_hash
        )

    @property
    def flagged_blocks(self) -> list[BlockState]:
        return [b for b in self.blocks if b.changed]


def draft_state(letter: Letter) -> DraftState:
    content, states = draft_content(letter)
    problems = []
    for state in states:
        where = f"question {state.block.question.number}, {state.title}"
        if state.error:
            problems.append(f"{where}: {state.error}")
        elif state.changed:
            problems.append(f"{where}: the register changed since it was reviewed")
        elif not state.reviewed:
            problems.append(f"{where}: not yet reviewed")
    if letter.kind in (Letter.Kind.RESPONSE, Letter.Kind.REFUSAL_NOTICE):
        for q in content["questions"]:
            if not q["answer_kind"]:
                problems.append(f"question {q['number']} has no answer yet")
            elif q["answer_kind"] == "refused_s12" and not q["answer"]:
                # A s.12 refusal should say how the request could be brought within the
                # limit: the duty to advise and assist (s.16; ICO guidance on s.12).
                problems.append(
                    f"question {q['number']} is refused under section 12: write the advice "
                    "and assistance (section 16) as its answer"
                )
    if letter.kind == Letter.Kind.FEES_NOTICE and letter.fee_amount is None:
        problems.append("a fees notice needs the fee")
    if letter.kind == Letter.Kind.REVIEW_OUTCOME and not letter.review_decision:
        problems.append("say whether the review upheld or overturned the response")
    if letter.kind == Letter.Kind.CLARIFICATION and not letter.body.strip():
        problems.append("say what needs clarifying")
    return DraftState(letter, content, data_hash(content), states, problems)
