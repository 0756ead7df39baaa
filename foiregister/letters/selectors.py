"""Every read about letters. Officers reach letters only through ``letters_visible_to``; the
public disclosure log reaches only anonymised documents, through ``anonymised_pdf_for``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from foiregister.kernel.audit import AuditAction
from foiregister.kernel.models import AuditEvent, Organisation
from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Question, Request

from . import wording
from .blocks import data_hash, get_block
from .exceptions import LetterError
from .models import (
    AnswerBlock,
    AnswerWording,
    BatchIssue,
    Letter,
    LetterDocument,
    QuestionWording,
)


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


def question_wording(question: Question, answer_kind: str) -> str | None:
    """The officer's own edit of the standard wording for this question and kind."""
    return (
        QuestionWording.objects.filter(question=question, answer_kind=answer_kind)
        .values_list("text", flat=True)
        .first()
    )


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


def batches_visible_to(user) -> QuerySet[BatchIssue]:
    return BatchIssue.objects.filter(
        source_request__in=register_selectors.requests_visible_to(user)
    )


def email_state(letter: Letter) -> str:
    """How the requester's copy went out, for the officer: sent, not sent and why (no
    address, or the mail server refused it), waiting, or by post. Empty before issue."""
    if not letter.is_issued:
        return ""
    if letter.emailed_at:
        return f"emailed {letter.emailed_at:%d %b %Y %H:%M}"
    failure = (
        AuditEvent.objects.filter(
            object_type=Letter._meta.label,
            object_id=str(letter.pk),
            action__in=[AuditAction.LETTER_NOT_EMAILED, AuditAction.LETTER_EMAIL_FAILED],
        )
        .order_by("-at", "-id")
        .first()
    )
    if failure is not None:
        return f"NOT emailed: {failure.changes.get('reason', 'see the audit log')}"
    return "not emailed yet"
