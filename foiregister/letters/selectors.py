"""Every read about letters. Officers reach letters only through ``letters_visible_to``; the
public disclosure log reaches only anonymised documents, through ``anonymised_pdf_for``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from foiregister import selectors as register_selectors
from foiregister.models import Organisation, Question, Request

from . import wording
from .blocks import data_hash, get_block
from .exceptions import LetterError
from .models import AnswerBlock, AnswerWording, BatchIssue, Letter, LetterDocument


def letters_visible_to(user) -> QuerySet[Letter]:
    """The single gate for officers: letters of requests they may see."""
    return Letter.objects.filter(request__in=register_selectors.requests_visible_to(user))


def letters_for_request(request: Request) -> QuerySet[Letter]:
    return Letter.objects.filter(request=request).order_by("created_at", "id")


def issued_letters(request: Request) -> QuerySet[Letter]:
    return letters_for_request(request).filter(status=Letter.Status.ISSUED)


def anonymised_pdf_for(
    request: Request, *, kind: str = Letter.Kind.RESPONSE
) -> LetterDocument | None:
    """The anonymised PDF to publish for ``request``: that of its latest issued letter of
    ``kind`` (a correction supersedes the letter it corrects), or None if none is issued.

    This is the only document the disclosure log should serve: it names no requester in
    its text, its metadata or its file name."""
    return (
        LetterDocument.objects.filter(
            letter__request=request,
            letter__kind=kind,
            letter__status=Letter.Status.ISSUED,
            variant=LetterDocument.Variant.PUBLIC,
        )
        .order_by("-letter__issued_at", "-letter_id")
        .first()
    )


def anonymised_pdfs_for(request: Request) -> QuerySet[LetterDocument]:
    """Every anonymised document of ``request``'s issued letters, oldest first."""
    return LetterDocument.objects.filter(
        letter__request=request,
        letter__status=Letter.Status.ISSUED,
        variant=LetterDocument.Variant.PUBLIC,
    ).order_by("letter__issued_at", "letter_id")


def requester_pdf_for(letter: Letter) -> LetterDocument | None:
    return letter.documents.filter(variant=LetterDocument.Variant.REQUESTER).first()


def standard_wording(*, organisation: Organisation, answer_kind: str) -> str:
    """The organisation's wording for an answer kind, or the default."""
    own = (
        AnswerWording.objects.filter(organisation=organisation, answer_kind=answer_kind)
        .values_list("text", flat=True)
        .first()
    )
    return own if own is not None else wording.DEFAULTS.get(answer_kind, "")


def blocks_for_question(question: Question) -> QuerySet[AnswerBlock]:
    return question.live_blocks.order_by("position", "id")


@dataclass
class BlockState:
    """A block's live data and whether it moved since an officer last reviewed it."""

    block: AnswerBlock
    title: str
    template: str
    data: dict[str, Any] | None
    hash: str
    error: str = ""

    @property
    def reviewed(self) -> bool:
        return bool(self.block.reviewed_hash)

    @property
    def changed(self) -> bool:
        """Reviewed once, but the register's data is no longer what was reviewed."""
        return self.reviewed and self.hash != self.block.reviewed_hash

    @property
    def needs_review(self) -> bool:
        return bool(self.error) or not self.reviewed or self.changed


def block_state(block: AnswerBlock, *, organisation: Organisation | None = None) -> BlockState:
    organisation = organisation or block.question.request.organisation
    kind = get_block(block.block_type)
    try:
        data = kind.load(organisation=organisation, params=block.params)
    except LetterError as exc:
        return BlockState(block, kind.title, kind.template, None, "", error=exc.message)
    return BlockState(block, kind.title, kind.template, data, data_hash(data))


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
    from .context import draft_content  # context builds on these selectors

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


def batches_visible_to(user) -> QuerySet[BatchIssue]:
    return BatchIssue.objects.filter(
        source_request__in=register_selectors.requests_visible_to(user)
    )
