"""Every read about letters. Officers reach letters only through ``letters_visible_to``; the
public disclosure log reaches only anonymised documents, through ``anonymised_pdf_for``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from foiregister.kernel import access
from foiregister.kernel.audit import AuditAction
from foiregister.kernel.models import AuditEvent, Organisation
from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Question, Request, RequestLink

from . import wording
from .blocks import data_hash, get_block
from .exceptions import LetterError
from .models import (
    AnswerBlock,
    AnswerWording,
    BatchIssue,
    Letter,
    LetterComment,
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
    """Batches with a request the user may see: the source, or one of the requests it
    answers (an organisation's lead sees the batch that awaits their approval)."""
    visible = register_selectors.requests_visible_to(user)
    ids = BatchIssue.objects.filter(
        Q(source_request__in=visible) | Q(requests__in=visible)
    ).values("pk")
    return BatchIssue.objects.filter(pk__in=ids)


def leads_for(user: Any, organisation: Organisation) -> bool:
    """Whether ``user`` approves letters for ``organisation``: an FOI lead (the approve
    permission) who acts for it. A role is held install-wide and membership says for
    whom, so a support unit's lead who is a member of two bodies leads both, and a lead
    of one body never approves another's letters."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm("letters.approve_letter") and access.may_act_on(
        organisation, user, via="pk", roles=access.CASEWORK_ROLES
    )


_PUNCTUATION = re.compile(r"[^\w\s]")


def normalised_question(text: str) -> str:
    """A question's text for comparison across a round robin's copies: letter case,
    punctuation and spacing differ between one body's form and another's, the question
    does not."""
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def question_mismatches(source: Request, target: Request) -> list[str]:
    """Why ``target`` cannot take ``source``'s answers, one message per question, naming
    the request and the question; empty when they ask the same questions (matched by
    number, text compared by ``normalised_question``)."""
    ours = dict(source.questions.values_list("number", "text"))
    theirs = dict(target.questions.values_list("number", "text"))
    if len(ours) != len(theirs):
        return [
            f"{target.reference} has {len(theirs)} questions, {source.reference} has {len(ours)}"
        ]
    problems = []
    for number in sorted(set(ours) | set(theirs)):
        if number not in theirs:
            problems.append(f"{target.reference} has no question {number}")
        elif number not in ours:
            problems.append(f"{target.reference} question {number} is not in {source.reference}")
        elif normalised_question(ours[number]) != normalised_question(theirs[number]):
            problems.append(
                f"{target.reference} question {number} differs from {source.reference}'s: "
                f"{_short(theirs[number])!r} is not {_short(ours[number])!r}"
            )
    return problems


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def round_robin_of(request: Request, user: Any) -> QuerySet[Request]:
    """The open requests ``user`` may see that belong to ``request``'s round robin: those
    linked to it as one (``RequestLink`` kind round robin, followed link to link), and
    those of any of the user's organisations that ask the same questions (compared as
    ``normalised_question`` does). Not the request itself."""
    linked = {request.pk}
    frontier = {request.pk}
    while frontier:
        pairs = RequestLink.objects.filter(kind=RequestLink.Kind.ROUND_ROBIN).filter(
            Q(from_request__in=frontier) | Q(to_request__in=frontier)
        )
        found = {pk for pair in pairs.values_list("from_request", "to_request") for pk in pair}
        frontier = found - linked
        linked |= found
    visible = register_selectors.requests_visible_to(user).filter(status__in=Request.OPEN_STATUSES)
    wanted = [
        normalised_question(t)
        for t in request.questions.order_by("number").values_list("text", flat=True)
    ]
    same = set()
    if wanted:
        candidates = visible.exclude(pk__in=linked).prefetch_related("questions")
        for other in candidates:
            texts = [
                normalised_question(q.text)
                for q in sorted(other.questions.all(), key=lambda q: q.number)
            ]
            if texts == wanted:
                same.add(other.pk)
    return (
        visible.filter(pk__in=(linked | same) - {request.pk})
        .select_related("organisation")
        .order_by("organisation__name", "reference")
    )


#: How many answered requests the batch start page lists at once; more are found by search.
BATCH_SOURCES_SHOWN = 25


def batch_sources(user: Any, *, query: str = "") -> QuerySet[Request]:
    """The requests whose answers a batch may copy: of the organisations ``user`` does FOI
    casework for (the access gate), with questions and every one answered, newest first.
    ``query`` narrows them: each of its words must be in the reference, the title, the
    request's text or one of its questions (case ignored), so "0925 insourcing" finds
    FOI/0925/1434 among hundreds."""
    unanswered = Question.objects.filter(request=OuterRef("pk"), answer_kind="")
    answered = Question.objects.filter(request=OuterRef("pk"))
    found = (
        register_selectors.requests_visible_to(user)
        .filter(Exists(answered))
        .exclude(Exists(unanswered))
    )
    for word in query.split()[:10]:
        found = found.filter(
            Q(reference__icontains=word)
            | Q(title__icontains=word)
            | Q(body__icontains=word)
            | Q(pk__in=Question.objects.filter(text__icontains=word).values("request_id"))
        )
    return found.select_related("organisation").order_by("-received_at", "-pk")


@dataclass
class BatchRow:
    """One request of a batch as the batch page shows it. ``content_hash`` is filled by
    the page for a letter a lead may approve: the version the lead is shown."""

    request: Request
    letter: Letter | None
    state: str  # pending, awaiting, returned, approved, issued, failed, skipped
    label: str
    reason: str = ""
    content_hash: str = ""


BATCH_STATE_ORDER = ("pending", "awaiting", "returned", "approved", "issued", "failed", "skipped")
BATCH_STATE_WORDS = {
    "pending": "not drafted yet",
    "awaiting": "awaiting approval",
    "returned": "returned to the officer",
    "approved": "approved",
    "issued": "issued",
    "failed": "failed",
    "skipped": "not issued by this batch",
}


@dataclass
class BatchOrganisation:
    organisation: Organisation
    rows: list[BatchRow]
    viewer_leads: bool

    @property
    def awaiting(self) -> list[BatchRow]:
        return [r for r in self.rows if r.state in ("awaiting", "returned")]

    @property
    def summary(self) -> str:
        """E.g. "3 requests: 1 awaiting approval, 2 issued"."""
        counts = [
            f"{n} {BATCH_STATE_WORDS[state]}"
            for state in BATCH_STATE_ORDER
            if (n := sum(1 for r in self.rows if r.state == state))
        ]
        total = len(self.rows)
        return f"{total} request{'' if total == 1 else 's'}: {', '.join(counts)}"


def batch_progress(batch: BatchIssue, user: Any) -> list[BatchOrganisation]:
    """The batch's requests that ``user`` may see, by organisation, each with its letter's
    state: not drafted yet, awaiting approval by the organisation's lead (or returned to
    the officer), approved, issued, or failed with the reason the last run recorded."""
    visible = register_selectors.requests_visible_to(user)
    requests = (
        batch.requests.filter(pk__in=visible.values("pk"))
        .select_related("organisation")
        .order_by("organisation__name", "reference")
    )
    letters = {
        letter.request_id: letter
        for letter in batch.letters.select_related("request__organisation", "approved_by")
    }
    errors = {e["request"]: e["error"] for e in batch.errors}
    last_turn = {}
    for comment in LetterComment.objects.filter(letter__batch=batch).order_by("at", "id"):
        last_turn[comment.letter_id] = comment
    groups: dict[int, BatchOrganisation] = {}
    for request in requests:
        org = request.organisation
        if org.pk not in groups:
            groups[org.pk] = BatchOrganisation(org, [], leads_for(user, org))
        letter = letters.get(request.pk)
        error = errors.get(request.reference, "")
        groups[org.pk].rows.append(_batch_row(request, letter, error, last_turn, org))
    return list(groups.values())


def _batch_row(request, letter, error, last_turn, org) -> BatchRow:
    S = Letter.Status  # noqa: N806
    if letter is None:
        if error and "already answered" in error:
            return BatchRow(request, None, "skipped", "Already answered", error)
        if error:
            return BatchRow(request, None, "failed", "Failed", error)
        return BatchRow(request, None, "pending", "Not drafted yet")
    if letter.status == S.ISSUED:
        return BatchRow(request, letter, "issued", f"Issued {letter.issued_on:%d %b %Y}")
    if letter.status == S.DISCARDED:
        return BatchRow(request, letter, "skipped", "Draft discarded")
    if letter.status == S.APPROVED:
        by = letter.approved_by.get_username() if letter.approved_by else ""
        if error:
            return BatchRow(request, letter, "failed", f"Approved by {by}; issue failed", error)
        return BatchRow(request, letter, "approved", f"Approved by {by}; to be issued")
    turn = last_turn.get(letter.pk)
    if turn is not None and turn.kind == LetterComment.Kind.RETURNED:
        return BatchRow(request, letter, "returned", "Returned to the officer", turn.text)
    return BatchRow(
        request, letter, "awaiting", f"Awaiting approval by the FOI lead of {org.name}", error
    )


def batch_letters_awaiting(user: Any) -> QuerySet[Letter]:
    """Draft letters of batches that wait for ``user``'s approval: of the organisations
    the user leads (``leads_for``), not returned to the officer (or answered since). None
    for someone who is not a lead."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("letters.approve_letter"):
        return Letter.objects.none()
    last_turn = (
        LetterComment.objects.filter(letter=OuterRef("pk")).order_by("-at", "-id").values("kind")
    )
    return (
        letters_visible_to(user)
        .filter(batch__isnull=False, status=Letter.Status.DRAFT)
        .annotate(last_turn=Subquery(last_turn[:1]))
        # A letter the lead returned is the officer's until they answer in the conversation.
        .filter(Q(last_turn__isnull=True) | ~Q(last_turn=LetterComment.Kind.RETURNED))
        .select_related("request__organisation", "batch")
        .order_by("request__due_on", "request__reference")
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
