"""Every write about letters: draft, edit, approve, issue, email, batch issue. Atomic and
audited; callers (admin, tasks, demo, tests) never write letter rows themselves.

The rule that matters most: what the FOI lead approves is exactly what is issued. Approval
stores the hash of the draft's content (answers, standard wording, the data of every live
block); an edit through these services withdraws it, and issuing recomputes the hash and
refuses if anything moved since, including a register figure changed by someone else.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from foiregister.kernel import access, audit
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.models import Organisation
from foiregister.requests import selectors as register_selectors
from foiregister.requests import services as register_services
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import Exemption, Question, Request, RequestEvent

from . import context, reuse, selectors, wording
from .blocks import data_hash, get_block
from .context import addressee_for, render_context, requester_details
from .exceptions import LetterError, LetterImmutable
from .models import (
    AnswerBlock,
    AnswerWording,
    BatchIssue,
    Letter,
    LetterComment,
    LetterDocument,
    QuestionWording,
)
from .render import letter_filename, render_letter_pdf

logger = logging.getLogger(__name__)

K = Letter.Kind
E = RequestEvent.Kind
APPROVE_PERMISSION = "letters.approve_letter"
LETTER_FIELDS = ("body", "fee_amount", "pit_estimate_on", "review_decision")
ANSWER_FIELDS = ("answer", "answer_kind", "elsewhere_url", "public_interest_reasoning")


def _audit(action: str, letter: Letter, by: Any, **changes: Any) -> None:
    audit.record_event(
        action=action,
        obj=letter,
        by=by,
        organisation_id=letter.request.organisation_id,
        changes={"letter": letter.pk, "kind": letter.kind, **changes},
    )


def _source_as_named_for(source_request: Request, organisation_id: int) -> str:
    """The batch's source as an audit row of ``organisation_id`` names it: its reference
    in its own body's log; in another body's, only whose it is (that body's staff may
    not read the request, so not its reference either)."""
    if source_request.organisation_id == organisation_id:
        return source_request.reference
    return f"a request of {source_request.organisation}"


def _refuse_if_issued(letter: Letter) -> None:
    if letter.status == Letter.Status.DISCARDED:
        raise LetterError(
            f"{letter} was discarded on {letter.discarded_at:%d %b %Y}: start a new draft",
            field=None,
        )
    if letter.is_issued:
        raise LetterImmutable(
            f"{letter} was issued on {letter.issued_on:%d %b %Y} and cannot be changed: "
            "draft a correction that refers to it",
            field=None,
        )


def _require_casework_access(obj: Any, by: Any, *, via: str, what: str) -> None:
    """Refuse an object the acting user picked but does not act for (a request, question,
    letter, block or organisation of another body): the one access gate, checked here too
    so that no screen or command that forgets it can write another body's letters.
    A named system actor (``audit.system(...)``: a scheduled job) acts for every body;
    ``by=None`` is refused, as the audit refuses it."""
    if isinstance(by, audit.SystemActor):
        return
    if by is None:
        raise LetterError("say who is acting: by= a user or audit.system(...)", field=None)
    if not access.may_act_on(obj, by, via=via, roles=access.CASEWORK_ROLES):
        raise LetterError(
            f"{by.get_username()} does not act for the organisation of {what}", field=None
        )


def _require_letter_access(letter: Letter, by: Any) -> None:
    _require_casework_access(letter, by, via="request__organisation", what=f"letter {letter.pk}")


def _require_block_access(block: AnswerBlock, by: Any) -> None:
    _require_casework_access(
        block, by, via="question__request__organisation", what=f"live block {block.pk}"
    )


def _lock(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().select_related("request").get(pk=letter.pk)


# -- drafting ----------------------------------------------------------------------------


@transaction.atomic
def draft_letter(
    *,
    request: Request,
    kind: str,
    by: Any,
    body: str = "",
    fee_amount: Decimal | None = None,
    pit_estimate_on: datetime.date | None = None,
    review_decision: str = "",
    corrects: Letter | None = None,
    batch: BatchIssue | None = None,
) -> Letter:
    """Start a letter. A correction names the issued letter it corrects, which stays as it
    was sent."""
    _require_casework_access(request, by, via="organisation", what=f"request {request.pk}")
    if kind not in K.values:
        raise ValidationFailed(f"unknown letter kind {kind!r}", field="kind")
    if corrects is not None:
        if corrects.request_id != request.pk:
            raise ValidationFailed("a correction must be for the same request", field="corrects")
        if not corrects.is_issued:
            raise ValidationFailed(
                "only an issued letter needs a correction; edit the draft instead",
                field="corrects",
            )
    if batch is None:
        existing = _open_letter(request, kind, corrects)
        if existing is not None:
            raise ValidationFailed(
                f"{request.reference} already has a {existing.get_kind_display().lower()} "
                f"being drafted (letter {existing.pk}): finish or discard it first",
                field="kind",
            )
    letter = Letter.objects.create(
        request=request,
        kind=kind,
        body=body,
        fee_amount=fee_amount,
        pit_estimate_on=pit_estimate_on,
        review_decision=review_decision,
        corrects=corrects,
        batch=batch,
        created_by=by,
    )
    _audit(
        audit.AuditAction.LETTER_DRAFTED,
        letter,
        by,
        request=request.reference,
        corrects=corrects.pk if corrects else None,
    )
    return letter


def _open_letter(request: Request, kind: str, corrects: Letter | None) -> Letter | None:
    """The request's open (draft or approved, not issued or discarded) letter of ``kind``
    correcting ``corrects``, or None. Locks the request row first, so two clicks on the
    same Draft link at once still make one draft."""
    Request.objects.select_for_update().filter(pk=request.pk).first()
    return (
        Letter.objects.filter(
            request=request, kind=kind, corrects=corrects, status__in=Letter.OPEN_STATUSES
        )
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def open_draft(
    *, request: Request, kind: str, by: Any, corrects: Letter | None = None
) -> tuple[Letter, bool]:
    """The request's letter of ``kind`` being drafted, or a new draft if there is none:
    one draft per kind until it is issued or discarded. Returns ``(letter, created)``."""
    _require_casework_access(request, by, via="organisation", what=f"request {request.pk}")
    existing = _open_letter(request, kind, corrects)
    if existing is not None:
        return existing, False
    return draft_letter(request=request, kind=kind, corrects=corrects, by=by), True


def _comment(letter: Letter, kind: str, by: Any, text: str = "") -> LetterComment:
    return LetterComment.objects.create(letter=letter, kind=kind, text=text.strip(), by=by)


@transaction.atomic
def discard_letter(*, letter: Letter, by: Any, reason: str = "") -> Letter:
    """Set a draft aside: it is kept, marked discarded, with who and why, so the request's
    history still shows it, and a new draft of its kind may be started. Never an issued
    letter (that needs a correction)."""
    _require_letter_access(letter, by)
    letter = _lock(letter)
    _refuse_if_issued(letter)
    letter.status = Letter.Status.DISCARDED
    letter.discarded_at = timezone.now()
    letter.discarded_by = by
    letter.approved_by = None
    letter.approved_at = None
    letter.approved_hash = ""
    letter.save(
        update_fields=[
            "status",
            "discarded_at",
            "discarded_by",
            "approved_by",
            "approved_at",
            "approved_hash",
            "updated_at",
        ]
    )
    _comment(letter, LetterComment.Kind.DISCARDED, by, reason)
    _audit(audit.AuditAction.LETTER_DISCARDED, letter, by, reason=reason.strip())
    return letter


@transaction.atomic
def return_letter(*, letter: Letter, by: Any, comment: str) -> Letter:
    """An FOI lead sends the draft back to the officer with what to change, from whichever
    page (the response workspace, the batch page): the comment is kept in the letter's
    conversation (the officer sees it on the workspace), any approval is withdrawn, and a
    request waiting "in approval" goes back "in progress", off the lead's approvals and
    back with the officer, who sends it for approval again (or, for a batch letter,
    answers in the conversation) once it is changed."""
    if not by.has_perm(APPROVE_PERMISSION):
        raise LetterError(f"{by.get_username()} may not approve or return letters", field=None)
    _require_letter_access(letter, by)
    if not comment.strip():
        raise ValidationFailed("say what the officer should change", field="comment")
    letter = _lock(letter)
    _refuse_if_issued(letter)
    _comment(letter, LetterComment.Kind.RETURNED, by, comment)
    _withdraw(letter, by=by, reason="returned to the officer")
    _audit(audit.AuditAction.LETTER_RETURNED, letter, by, comment=comment.strip())
    request = Request.objects.get(pk=letter.request_id)
    if request.status == Request.Status.IN_APPROVAL:
        what = letter.get_kind_display().lower()
        register_services.change_status(
            request=request,
            to=Request.Status.IN_PROGRESS,
            by=by,
            note=(f"batch {letter.batch_id}: " if letter.batch_id else "")
            + f"{what} returned to the officer",
        )
    return letter


@transaction.atomic
def comment_on_letter(*, letter: Letter, by: Any, comment: str) -> LetterComment:
    """A reply in the conversation about a draft (the officer answering a return)."""
    _require_letter_access(letter, by)
    if not comment.strip():
        raise ValidationFailed("the comment is empty", field="comment")
    letter = _lock(letter)
    _refuse_if_issued(letter)
    row = _comment(letter, LetterComment.Kind.COMMENT, by, comment)
    _audit(audit.AuditAction.LETTER_COMMENTED, letter, by, comment=comment.strip())
    return row


#: Letters an officer may issue without a lead where the organisation allows it
#: (``Organisation.officers_issue_routine_letters``).
ROUTINE_KINDS = frozenset({Letter.Kind.ACKNOWLEDGEMENT, Letter.Kind.CLARIFICATION})


def may_approve(letter: Letter, user: Any) -> bool:
    """A lead approves any letter; an officer approves (by issuing) an acknowledgement or
    a clarification request when their organisation allows it."""
    if user.has_perm(APPROVE_PERMISSION):
        return True
    return (
        letter.kind in ROUTINE_KINDS
        and letter.corrects_id is None
        and letter.request.organisation.officers_issue_routine_letters
    )


def _withdraw(letter: Letter, *, by: Any, reason: str) -> None:
    """Withdraw an approval in the caller's transaction; a draft is left as it is."""
    if letter.status != Letter.Status.APPROVED:
        return
    approved_by = letter.approved_by
    letter.status = Letter.Status.DRAFT
    letter.approved_by = None
    letter.approved_at = None
    letter.approved_hash = ""
    letter.save(
        update_fields=["status", "approved_by", "approved_at", "approved_hash", "updated_at"]
    )
    _audit(
        audit.AuditAction.LETTER_APPROVAL_WITHDRAWN,
        letter,
        by,
        reason=reason,
        approved_by=approved_by.get_username() if approved_by else "",
    )


def _withdraw_for_request(request: Request, *, by: Any, reason: str) -> None:
    for letter in Letter.objects.select_for_update().filter(
        request=request, status=Letter.Status.APPROVED
    ):
        _withdraw(letter, by=by, reason=reason)


@transaction.atomic
def withdraw_approval(*, letter: Letter, by: Any, reason: str = "") -> Letter:
    _require_letter_access(letter, by)
    letter = _lock(letter)
    _refuse_if_issued(letter)
    _withdraw(letter, by=by, reason=reason or "withdrawn")
    return letter


@transaction.atomic
def update_letter(*, letter: Letter, by: Any, **fields: Any) -> Letter:
    """Change a draft's own text or figures; an approval is withdrawn."""
    _require_letter_access(letter, by)
    unknown = set(fields) - set(LETTER_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}", field=None)
    letter = _lock(letter)
    _refuse_if_issued(letter)
    before = audit.snapshot(letter, LETTER_FIELDS)
    for name, value in fields.items():
        setattr(letter, name, value)
    changes = audit.diff(before, audit.snapshot(letter, LETTER_FIELDS))
    if not changes:
        return letter
    letter.save(update_fields=[*fields, "updated_at"])
    _audit(audit.AuditAction.LETTER_CHANGED, letter, by, **changes)
    _withdraw(letter, by=by, reason="the letter was edited")
    return letter


@transaction.atomic
def set_answer(
    *, question: Question, by: Any, exemption_codes: Iterable[str] | None = None, **fields: Any
) -> Question:
    """Answer or re-answer a question (text, answer kind, link, public interest reasoning,
    exemptions) and withdraw the approval of any letter of its request, which would now
    say something different."""
    _require_casework_access(
        question, by, via="request__organisation", what=f"question {question.pk}"
    )
    unknown = set(fields) - set(ANSWER_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}", field=None)
    question = register_services.update_question(
        question=question, by=by, exemption_codes=exemption_codes, **fields
    )
    _withdraw_for_request(
        question.request, by=by, reason=f"question {question.number} was re-answered"
    )
    return question


@transaction.atomic
def set_question_wording(*, question: Question, by: Any, text: str, standard: str) -> bool:
    """Keep the officer's edit of the standard wording for the question's current answer
    kind (``standard`` is the wording as it would print unedited); the same text as the
    standard, or none, removes the edit. Withdraws approvals when it changes. Returns
    whether anything changed."""
    _require_casework_access(
        question, by, via="request__organisation", what=f"question {question.pk}"
    )
    kind = question.answer_kind
    text = text.strip()
    if not kind or kind == Question.AnswerKind.PROVIDED:
        return False
    unknown = wording.unknown_placeholders(text)
    if unknown:
        raise ValidationFailed(
            f"unknown placeholder {', '.join('{' + u + '}' for u in unknown)}",
            field="standard_wording",
        )
    row = QuestionWording.objects.select_for_update().filter(question=question, answer_kind=kind)
    before = row.values_list("text", flat=True).first()
    if not text or " ".join(text.split()) == " ".join(standard.split()):
        if before is None:
            return False
        row.delete()
        after = None
    else:
        if before == text:
            return False
        QuestionWording.objects.update_or_create(
            question=question, answer_kind=kind, defaults={"text": text}
        )
        after = text
    audit.record_event(
        action=audit.AuditAction.LETTER_WORDING_SET,
        obj=question,
        by=by,
        organisation_id=question.request.organisation_id,
        changes={"question": question.number, "answer_kind": kind, "text": [before, after]},
    )
    _withdraw_for_request(
        question.request, by=by, reason=f"question {question.number}'s wording was edited"
    )
    return True


@transaction.atomic
def add_block(
    *,
    question: Question,
    block_type: str,
    params: dict[str, Any],
    by: Any,
    position: int | None = None,
) -> AnswerBlock:
    """Add a live block to an answer; its parameters are checked against the type's
    schema, and the block starts unreviewed."""
    _require_casework_access(
        question, by, via="request__organisation", what=f"question {question.pk}"
    )
    kind = get_block(block_type)
    cleaned = kind.clean(params)
    if position is None:
        last = question.live_blocks.order_by("-position").values_list("position", flat=True)
        position = (last.first() or 0) + 1
    block = AnswerBlock.objects.create(
        question=question, block_type=block_type, params=cleaned, position=position
    )
    audit.record_event(
        action=audit.AuditAction.LETTER_BLOCK_ADDED,
        obj=block,
        by=by,
        organisation_id=question.request.organisation_id,
        changes={"question": question.number, "block_type": block_type, "params": cleaned},
    )
    _withdraw_for_request(question.request, by=by, reason="a live block was added")
    return block


@transaction.atomic
def change_block(*, block: AnswerBlock, params: dict[str, Any], by: Any) -> AnswerBlock:
    """Change a block's parameters: it needs reviewing again, and any approval of its
    request's letters is withdrawn. Compares with the stored row, not the object passed
    (an admin form has already set the new parameters on it)."""
    _require_block_access(block, by)
    block = (
        AnswerBlock.objects.select_for_update()
        .select_related("question__request")
        .get(pk=block.pk)
    )
    cleaned = get_block(block.block_type).clean(params)
    if cleaned == block.params:
        return block
    before = block.params
    block.params = cleaned
    block.reviewed_hash = ""
    block.reviewed_at = None
    block.reviewed_by = None
    block.save()
    audit.record_event(
        action=audit.AuditAction.LETTER_BLOCK_CHANGED,
        obj=block,
        by=by,
        organisation_id=block.question.request.organisation_id,
        changes={"params": [before, cleaned]},
    )
    _withdraw_for_request(block.question.request, by=by, reason="a live block was changed")
    return block


@transaction.atomic
def remove_block(*, block: AnswerBlock, by: Any) -> None:
    """Issued letters keep their frozen copy of the block, so removing it from the answer
    changes only drafts."""
    _require_block_access(block, by)
    request = block.question.request
    audit.record_event(
        action=audit.AuditAction.LETTER_BLOCK_REMOVED,
        obj=block,
        by=by,
        organisation_id=request.organisation_id,
        changes={"block_type": block.block_type, "params": block.params},
    )
    block.delete()
    _withdraw_for_request(request, by=by, reason="a live block was removed")


@transaction.atomic
def review_blocks(*, blocks: Iterable[AnswerBlock], by: Any) -> int:
    """Record that an officer has looked at each block's current data: store its hash, so
    a later change in the register is flagged. Returns how many were reviewed."""
    count = 0
    for block in blocks:
        _require_block_access(block, by)
        state = selectors.block_state(block)
        if state.error:
            raise LetterError(
                f"question {block.question.number}, {state.title}: {state.error}",
                field="blocks",
            )
        block.reviewed_hash = state.hash
        block.reviewed_at = timezone.now()
        block.reviewed_by = by
        block.save(update_fields=["reviewed_hash", "reviewed_at", "reviewed_by"])
        audit.record_event(
            action=audit.AuditAction.LETTER_BLOCK_REVIEWED,
            obj=block,
            by=by,
            organisation_id=block.question.request.organisation_id,
            changes={"hash": state.hash},
        )
        count += 1
    return count


def review_letter_blocks(*, letter: Letter, by: Any) -> int:
    _require_letter_access(letter, by)
    blocks = AnswerBlock.objects.filter(question__request=letter.request)
    return review_blocks(blocks=blocks, by=by)


@transaction.atomic
def set_answer_wording(
    *, organisation: Organisation, answer_kind: str, text: str, by: Any
) -> AnswerWording:
    """Set an organisation's own standard wording for an answer kind. Only the fixed
    placeholders are allowed, so wording is text, never code."""
    _require_casework_access(organisation, by, via="pk", what=str(organisation))
    if answer_kind not in wording.DEFAULTS:
        raise ValidationFailed(
            f"{answer_kind!r} has no standard wording; choose one of "
            f"{', '.join(wording.DEFAULTS)}",
            field="answer_kind",
        )
    unknown = wording.unknown_placeholders(text)
    if unknown:
        raise ValidationFailed(
            f"unknown placeholder {', '.join('{' + u + '}' for u in unknown)}; allowed: "
            f"{', '.join('{' + p + '}' for p in wording.PLACEHOLDERS)}",
            field="text",
        )
    if not text.strip():
        raise ValidationFailed("the wording is empty", field="text")
    row, created = AnswerWording.objects.select_for_update().get_or_create(
        organisation=organisation, answer_kind=answer_kind, defaults={"text": text}
    )
    before = "" if created else row.text
    if not created:
        row.text = text
        row.save()
    audit.record_event(
        action=audit.AuditAction.LETTER_WORDING_SET,
        obj=row,
        by=by,
        organisation_id=organisation.pk,
        changes={"answer_kind": answer_kind, "text": [before, text]},
    )
    for request in Request.objects.filter(
        organisation=organisation, letters__status=Letter.Status.APPROVED
    ).distinct():
        _withdraw_for_request(request, by=by, reason=f"the {answer_kind} wording changed")
    return row


# -- approval ----------------------------------------------------------------------------


@transaction.atomic
def approve_letter(*, letter: Letter, by: Any, seen_hash: str | None = None) -> Letter:
    """An FOI lead approves the draft exactly as it would be issued now. Refused while a
    live block is unreviewed, unavailable or changed since review, or an answer is missing.

    ``seen_hash`` is the content hash of the version the lead read (the letter page sends
    it): if the draft moved since, the lead has not seen what they would approve."""
    _require_letter_access(letter, by)
    letter = _lock(letter)
    if not may_approve(letter, by):
        raise LetterError(f"{by.get_username()} may not approve letters", field=None)
    _refuse_if_issued(letter)
    state = context.draft_state(letter)
    if seen_hash is not None and seen_hash != state.content_hash:
        raise LetterError(
            f"{letter} changed after you opened it (an answer, a wording or a register "
            "figure): read it again before approving",
            field=None,
        )
    if state.problems:
        raise LetterError("cannot approve: " + "; ".join(state.problems), field=None)
    letter.status = Letter.Status.APPROVED
    letter.approved_by = by
    letter.approved_at = timezone.now()
    letter.approved_hash = state.content_hash
    letter.save(
        update_fields=["status", "approved_by", "approved_at", "approved_hash", "updated_at"]
    )
    _comment(letter, LetterComment.Kind.APPROVED, by)
    _audit(
        audit.AuditAction.LETTER_APPROVED,
        letter,
        by,
        content_hash=state.content_hash,
        as_lead=by.has_perm(APPROVE_PERMISSION),
    )
    return letter


# -- issuing -----------------------------------------------------------------------------


def _timeline_event(letter: Letter) -> dict[str, Any] | None:
    """The timeline event a letter records, or None for a correction (the original's
    response date stands; the correction is audited)."""
    if letter.corrects_id:
        return None
    if letter.kind == K.ACKNOWLEDGEMENT:
        return {"kind": E.ACKNOWLEDGED}
    if letter.kind == K.CLARIFICATION:
        return {"kind": E.CLARIFICATION_SOUGHT}
    if letter.kind == K.FEES_NOTICE:
        return {"kind": E.FEES_NOTICE, "fee_amount": letter.fee_amount}
    if letter.kind == K.REFUSAL_NOTICE and letter.pit_estimate_on:
        return {"kind": E.PIT_EXTENSION, "target_on": letter.pit_estimate_on}
    if letter.kind in (K.RESPONSE, K.REFUSAL_NOTICE):
        return {"kind": E.RESPONSE_SENT}
    if letter.kind == K.REVIEW_OUTCOME:
        return {"kind": E.REVIEW_DECIDED, "decision": letter.review_decision}
    return None


def _outcome(questions: list[dict[str, Any]], *, refusal: bool = False) -> str:
    """The request's outcome, for FOI statistics, from the answer kinds. A refusal notice
    refuses the request as a whole: s.14 (vexatious or repeated) before s.12 (cost, which
    covers the aggregated request) before exemptions."""
    kinds = {q["answer_kind"] for q in questions}
    O = Request.Outcome  # noqa: E741, N806
    if not kinds or "" in kinds:
        return ""
    if refusal and "refused_s14" in kinds:
        return O.REFUSED_VEXATIOUS
    if refusal and "refused_s12" in kinds:
        return O.REFUSED_COST
    if kinds == {"refused_s12"}:
        return O.REFUSED_COST
    if kinds == {"refused_s14"}:
        return O.REFUSED_VEXATIOUS
    if kinds == {"not_held"}:
        return O.NOT_HELD
    if "exempt" in kinds:
        return O.WITHHELD if kinds == {"exempt"} else O.PARTIAL
    return O.GRANTED


def _check_anonymised(letter: Letter, content: dict[str, Any]) -> None:
    """Refuse to issue if an answer quotes the requester: the published copy would name
    them. FOI is applicant-blind."""
    text = repr(content).lower()
    for detail in requester_details(letter.request):
        if detail.lower() in text:
            raise LetterError(
                "the letter's text contains the requester's details, so the anonymised "
                "copy would identify them: remove them from the answers",
                field=None,
            )


def _document(letter: Letter, variant: str, data: bytes, filename: str) -> LetterDocument:
    return LetterDocument.objects.create(
        letter=letter,
        variant=variant,
        filename=filename,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


@transaction.atomic
def issue_letter(*, letter: Letter, by: Any, issued_on: datetime.date | None = None) -> Letter:
    """Render both PDFs from the approved content, store them with their SHA-256 and the
    frozen content, record the timeline event and the response date. All or nothing: the
    PDFs live in the database and commit with the letter.

    The email to the requester is the caller's to queue on commit (``tasks.email_letter``),
    so a mail server that is down never undoes an issued letter."""
    _require_letter_access(letter, by)
    letter = _lock(letter)
    if letter.is_issued:
        raise LetterImmutable(f"{letter} is already issued", field=None)
    if letter.status != Letter.Status.APPROVED:
        raise LetterError(f"{letter} has not been approved", field=None)
    state = context.draft_state(letter)
    if state.content_hash != letter.approved_hash:
        raise LetterError(
            f"{letter} changed since it was approved (an answer, a wording or a register "
            "figure): it needs approving again",
            field=None,
        )
    content = state.content
    _check_anonymised(letter, content)
    issued_on = issued_on or register_selectors.local_today()
    sequence = (
        Letter.objects.filter(
            request=letter.request, kind=letter.kind, status=Letter.Status.ISSUED
        ).count()
        + 1
    )
    filename = letter_filename(
        reference=letter.request.reference, kind=letter.kind, sequence=sequence
    )
    requester_pdf = render_letter_pdf(
        render_context(
            content=content, letter_date=issued_on, addressee=addressee_for(letter.request)
        )
    )
    public_pdf = render_letter_pdf(
        render_context(content=content, letter_date=issued_on, addressee=None)
    )
    event = _timeline_event(letter)
    if event is not None:
        register_services.record_timeline_event(
            request=letter.request,
            occurred_on=issued_on,
            by=by,
            details=f"letter {letter.pk}: {letter.get_kind_display().lower()}",
            **event,
        )
    final_refusal = letter.kind == K.REFUSAL_NOTICE and not letter.pit_estimate_on
    if (letter.kind == K.RESPONSE or final_refusal) and not letter.corrects_id:
        request = Request.objects.get(pk=letter.request_id)
        outcome = _outcome(content["questions"], refusal=final_refusal)
        if outcome and not request.outcome:
            register_services.update_request(request=request, outcome=outcome, by=by)
    requester_doc = _document(letter, LetterDocument.Variant.REQUESTER, requester_pdf, filename)
    public_doc = _document(
        letter,
        LetterDocument.Variant.PUBLIC,
        public_pdf,
        letter_filename(
            reference=letter.request.reference,
            kind=letter.kind,
            sequence=sequence,
            anonymised=True,
        ),
    )
    letter.status = Letter.Status.ISSUED
    letter.issued_by = by
    letter.issued_at = timezone.now()
    letter.issued_on = issued_on
    letter.content = content
    letter.content_hash = state.content_hash
    letter.save()
    _audit(
        audit.AuditAction.LETTER_ISSUED,
        letter,
        by,
        issued_on=issued_on,
        content_hash=state.content_hash,
        requester_sha256=requester_doc.sha256,
        public_sha256=public_doc.sha256,
        filename=filename,
        corrects=letter.corrects_id,
    )
    return letter


@transaction.atomic
def email_letter(*, letter: Letter, by: Any) -> bool:
    """Send the requester their copy, the PDF attached. Returns False, and audits why,
    when the requester gave no email address (the letter goes by post)."""
    letter = _lock(letter)
    if not letter.is_issued:
        raise LetterError(f"{letter} is not issued yet", field=None)
    if letter.emailed_at is not None:
        return True
    requester = letter.request.requester
    if not requester.email:
        _audit(
            audit.AuditAction.LETTER_NOT_EMAILED,
            letter,
            by,
            reason="the requester has no email address",
        )
        return False
    document = selectors.requester_pdf_for(letter)
    organisation = letter.request.organisation
    message = EmailMessage(
        subject=f"{letter.request.reference}: {letter.get_kind_display().lower()}",
        body=(
            f"Dear {requester.name},\n\nPlease find attached our "
            f"{letter.get_kind_display().lower()} to your request {letter.request.reference}."
            f"\n\n{organisation.signatory_name or 'Freedom of Information Team'}\n"
            f"{organisation.name}\n"
        ),
        from_email=organisation.foi_email or None,
        to=[requester.email],
    )
    message.attach(document.filename, bytes(document.data), document.content_type)
    message.send(fail_silently=False)
    letter.emailed_at = timezone.now()
    letter.save(update_fields=["emailed_at"])
    _audit(audit.AuditAction.LETTER_EMAILED, letter, by, filename=document.filename)
    return True


def record_email_failure(*, letter: Letter, by: Any, reason: str) -> None:
    """The mail server refused or could not be reached: say so where the officer looks
    (the workspace's letter list reads this), in its own transaction so it survives the
    failed send."""
    with transaction.atomic():
        _audit(audit.AuditAction.LETTER_EMAIL_FAILED, letter, by, reason=reason[:300])


# -- batch issue -------------------------------------------------------------------------
#
# A round robin answered once: the source request's answers and live blocks are copied
# into each other request's open response draft (its own, reused; a new one only if it
# has none), each organisation's letters are approved by that organisation's FOI lead,
# and the batch run issues the approved ones, each letter in its own transaction. The
# starter needs casework access to every request (an FOI officer of a support unit who
# works for several bodies); a lead who ticks "approve my organisations' letters"
# approves those of the bodies they lead as the run drafts them. The others wait, their
# requests "in approval" on their lead's My work, until that lead approves them on the
# batch page (which queues the run that issues them) or returns them to the officer.

BATCH_READY_STATUSES = (
    Request.Status.RECEIVED,
    Request.Status.ACKNOWLEDGED,
    Request.Status.IN_PROGRESS,
    Request.Status.PIT_EXTENDED,
)
ALREADY_ANSWERED = "already answered; not issued again"


def _check_same_questions(source: Request, target: Request) -> None:
    problems = selectors.question_mismatches(source, target)
    if problems:
        raise ValidationFailed("; ".join(problems), field="requests")


@transaction.atomic
def copy_answers(
    *, source: Request, target: Request, by: Any, today: datetime.date | None = None
) -> dict[int, list[str]]:
    """Give ``target`` the answers and live blocks of ``source``, question by question
    (matched by number, the text compared tolerantly), each through ``replace_answer``, as
    a single earlier answer is taken: blocks re-pointed (a "live on" date moved to
    ``today``, another body's CDCs or area dropped), so they fetch the target
    organisation's own figures as at today. Returns the notes on what was moved or
    dropped, by question number (only questions with any)."""
    for request in (source, target):
        _require_casework_access(request, by, via="organisation", what=f"request {request.pk}")
    _check_same_questions(source, target)
    today = today or register_selectors.local_today()
    targets = {q.number: q for q in target.questions.all()}
    notes: dict[int, list[str]] = {}
    for question in source.questions.prefetch_related("exemptions", "live_blocks"):
        _, question_notes = replace_answer(
            question=targets[question.number],
            earlier=reuse.answer_as_it_stands(question),
            own_organisation=source.organisation_id == target.organisation_id,
            by=by,
            today=today,
        )
        if question_notes:
            notes[question.number] = question_notes
    return notes


def _refuse_outside_casework(request: Request, by: Any) -> None:
    """A batch names each request the starter may not act for, with its organisation: the
    starter picked it, so naming it tells them nothing new."""
    if not access.may_act_on(request, by, via="organisation", roles=access.CASEWORK_ROLES):
        raise LetterError(
            f"{by.get_username()} has no FOI casework role in {request.organisation}: "
            f"{request.reference} cannot be part of this batch (its own FOI team answers it)",
            field="requests",
        )


@transaction.atomic
def start_batch_issue(
    *,
    source_request: Request,
    requests: Iterable[Request],
    by: Any,
    issued_on: datetime.date | None = None,
    approve_own: bool = False,
) -> BatchIssue:
    """Set up a batch: every request must be one the starter does casework for and ask
    the same questions as the source, so a mismatch is found before anything is copied.
    Every problem is reported at once. ``approve_own`` (for an FOI lead) approves the
    letters of the organisations the starter leads as they are drafted."""
    if by is None or isinstance(by, audit.SystemActor):
        raise LetterError("a batch is started by a person: by= a user", field=None)
    targets = list({r.pk: r for r in requests if r.pk != source_request.pk}.values())
    for request in (source_request, *targets):
        _refuse_outside_casework(request, by)
    if not targets:
        raise ValidationFailed("choose at least one other request", field="requests")
    if approve_own and not by.has_perm(APPROVE_PERMISSION):
        raise ValidationFailed(
            f"{by.get_username()} is not an FOI lead, so approves no organisation's letters: "
            "untick 'approve my organisations' letters'",
            field="approve_own",
        )
    unanswered = source_request.questions.filter(answer_kind="").values_list("number", flat=True)
    if unanswered:
        raise ValidationFailed(
            f"{source_request.reference} question {', '.join(map(str, unanswered))} has no "
            "answer to copy",
            field="source_request",
        )
    problems = [p for t in targets for p in selectors.question_mismatches(source_request, t)]
    for target in targets:
        elsewhere = (
            Letter.objects.filter(
                request=target,
                kind=K.RESPONSE,
                corrects__isnull=True,
                status__in=Letter.OPEN_STATUSES,
                batch__isnull=False,
            )
            .values_list("batch_id", flat=True)
            .first()
        )
        if elsewhere is not None:
            problems.append(
                f"{target.reference}'s response draft is in batch {elsewhere}: issue or "
                "discard it there first"
            )
    if problems:
        raise ValidationFailed("; ".join(problems), field="requests")
    batch = BatchIssue.objects.create(
        source_request=source_request,
        total=len(targets),
        created_by=by,
        issued_on=issued_on,
        approve_own=approve_own,
    )
    batch.requests.set(targets)
    by_organisation: dict[int, list[str]] = {}
    for target in sorted(targets, key=lambda t: t.reference):
        by_organisation.setdefault(target.organisation_id, []).append(target.reference)
    by_organisation.setdefault(source_request.organisation_id, [])
    for organisation_id, references in by_organisation.items():
        # One row per organisation, so each body's audit log shows its part of the batch.
        audit.record_event(
            action=audit.AuditAction.LETTER_BATCH_STARTED,
            obj=batch,
            by=by,
            organisation_id=organisation_id,
            changes={
                "source": _source_as_named_for(source_request, organisation_id),
                "requests": references,
                "approve_own": approve_own,
                "issued_on": issued_on,
            },
        )
    return batch


def _prepare_one(batch: BatchIssue, target: Request, by: Any) -> Letter:
    """Copy the source's answers into ``target``'s open response draft (reused; new only
    if there is none), review its live blocks against the target organisation's figures,
    and either approve it (a starter who leads that organisation and asked to) or put the
    request in approval for its own lead. One transaction: all of it or nothing."""
    with transaction.atomic():
        target = Request.objects.select_for_update().get(pk=target.pk)
        existing = Letter.objects.filter(batch=batch, request=target).first()
        if existing is not None:  # another run drafted it meanwhile
            return existing
        if not target.is_open:
            raise LetterError(
                f"{target.reference} is {target.get_status_display().lower()}: it needs no "
                "response",
                field=None,
            )
        notes = copy_answers(
            source=batch.source_request,
            target=target,
            by=by,
            today=register_selectors.local_today(),
        )
        letter = _open_letter(target, K.RESPONSE, None)
        reused = letter is not None
        if letter is None:
            letter = draft_letter(request=target, kind=K.RESPONSE, by=by, batch=batch)
        else:
            if letter.batch_id is not None and letter.batch_id != batch.pk:
                raise LetterError(
                    f"{target.reference}'s response draft is in batch {letter.batch_id}",
                    field=None,
                )
            letter.batch = batch
            letter.save(update_fields=["batch", "updated_at"])
        review_letter_blocks(letter=letter, by=by)
        letter.refresh_from_db()
        approve = batch.approve_own and selectors.leads_for(by, target.organisation)
        _audit(
            audit.AuditAction.LETTER_BATCH_DRAFTED,
            letter,
            by,
            batch=batch.pk,
            source=_source_as_named_for(batch.source_request, target.organisation_id),
            reused_draft=reused,
            approved_at_start=approve,
            notes={str(number): found for number, found in notes.items()},
        )
        if notes:
            # Said where the officer and the lead read the letter (its conversation on the
            # workspace), before anyone approves it.
            _comment(
                letter,
                LetterComment.Kind.COMMENT,
                by,
                f"Answers copied from {batch.source_request.reference} by batch {batch.pk}; "
                "live blocks re-pointed to this organisation as at today:\n"
                + "\n".join(
                    f"Question {number}: {note}"
                    for number, found in sorted(notes.items())
                    for note in found
                ),
            )
        if approve:
            return approve_letter(letter=letter, by=by)
        if target.status in BATCH_READY_STATUSES:
            register_services.change_status(
                request=target,
                to=Request.Status.IN_APPROVAL,
                by=by,
                note=f"batch {batch.pk}: the response awaits the FOI lead's approval",
            )
        return letter


def _issue_approved(batch: BatchIssue, letter: Letter, by: Any) -> Letter | None:
    """Issue one approved letter in its own transaction (``issue_letter``, which locks the
    letter and refuses one already issued). None when another run issued it meanwhile."""
    try:
        return issue_letter(letter=letter, by=by, issued_on=batch.issued_on)
    except LetterImmutable:
        if Letter.objects.filter(pk=letter.pk, status=Letter.Status.ISSUED).exists():
            return None
        raise


def _issue_one(batch: BatchIssue, target: Request, by: Any) -> Letter | None:
    """One request of a batch: its letter drafted (once), then issued if approved. The
    draft and the issue each commit on their own, so a letter that fails at issue keeps
    its copied answers and approval for the next run."""
    letter = Letter.objects.filter(batch=batch, request=target).first()
    if letter is None:
        letter = _prepare_one(batch, target, by)
    if letter.status == Letter.Status.APPROVED:
        return _issue_approved(batch, letter, by)
    return None


def run_batch_issue(
    *, batch: BatchIssue, on_issued: Callable[[Letter], None] | None = None
) -> BatchIssue:
    """Draft every letter of the batch not yet drafted and issue every approved letter not
    yet issued. Each letter commits on its own, and progress is saved after each, so a
    failure part-way leaves every letter fully issued or not at all, and running the
    batch again issues only what is approved and not yet issued: never twice.

    Not atomic as a whole, on purpose. Errors are recorded per request on the batch (and
    logged), not swallowed. The batch ends done (every letter issued), waiting (some
    letters await their lead's approval) or finished with failures, naming each.
    ``on_issued`` is called after each letter commits (the task queues its email).

    Letters are issued in the name of the batch's starter, who acts for every one of its
    requests; each letter's approval names the lead who approved it."""
    by = batch.created_by
    BatchIssue.objects.filter(pk=batch.pk).update(status=BatchIssue.Status.RUNNING, errors=[])
    errors: list[dict[str, str]] = []
    for target in batch.requests.order_by("reference"):
        letter = Letter.objects.filter(batch=batch, request=target).first()
        if letter is not None and letter.status in (
            Letter.Status.ISSUED,
            Letter.Status.DISCARDED,
        ):
            continue
        if (
            letter is None
            and Letter.objects.filter(
                request=target, kind=K.RESPONSE, status="issued", corrects__isnull=True
            ).exists()
        ):
            errors.append({"request": target.reference, "error": ALREADY_ANSWERED})
        else:
            try:
                issued = _issue_one(batch, target, by)
            except Exception as exc:  # recorded on the batch and logged, never swallowed
                logger.exception("batch %s: %s failed", batch.pk, target.reference)
                message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                errors.append({"request": target.reference, "error": message})
            else:
                if issued is not None and on_issued is not None:
                    on_issued(issued)
        _save_progress(batch, errors)
    batch.refresh_from_db()
    waiting = batch.letters.filter(status__in=Letter.OPEN_STATUSES).count()
    if batch.failed:
        batch.status = BatchIssue.Status.FAILED
    elif waiting:
        batch.status = BatchIssue.Status.WAITING
    else:
        batch.status = BatchIssue.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    audit.record_event(
        action=audit.AuditAction.LETTER_BATCH_FINISHED,
        obj=batch,
        by=by,
        organisation_id=batch.source_request.organisation_id,
        changes={
            "done": batch.done,
            "total": batch.total,
            "awaiting_approval": waiting,
            "errors": errors,
        },
    )
    return batch


def _save_progress(batch: BatchIssue, errors: list[dict[str, str]]) -> None:
    issued = Letter.objects.filter(batch=batch, status=Letter.Status.ISSUED).count()
    already = sum(1 for e in errors if e["error"] == ALREADY_ANSWERED)
    BatchIssue.objects.filter(pk=batch.pk).update(
        done=issued + already, failed=len(errors) - already, errors=errors
    )


def approve_batch_letters(
    *,
    batch: BatchIssue,
    by: Any,
    organisation: Organisation | None = None,
    letters: Iterable[int] | None = None,
    seen_hashes: dict[int, str] | None = None,
) -> tuple[list[Letter], list[str]]:
    """An FOI lead approves the batch's letters awaiting approval: those of one
    ``organisation`` or the ``letters`` named. Only an organisation's own lead approves
    its letters: a letter of an organisation ``by`` does not lead refuses the whole call
    before anything is approved. Each approval commits on its own (``approve_letter``,
    with the content hash the lead saw, so a letter that moved since is refused and
    named). Returns the letters approved and the refusals. The caller queues the run
    that issues them."""
    if not by.has_perm(APPROVE_PERMISSION):
        raise LetterError(
            f"{by.get_username()} is not an FOI lead and may not approve letters", field=None
        )
    waiting = batch.letters.filter(status=Letter.Status.DRAFT).select_related(
        "request__organisation"
    )
    if organisation is not None:
        waiting = waiting.filter(request__organisation=organisation)
    if letters is not None:
        waiting = waiting.filter(pk__in=list(letters))
    waiting = list(waiting.order_by("request__reference"))
    for letter in waiting:
        org = letter.request.organisation
        if not selectors.leads_for(by, org):
            raise LetterError(
                f"{by.get_username()} is not an FOI lead of {org}: {letter.request.reference}"
                f" is approved by {org}'s own lead",
                field=None,
            )
    seen_hashes = seen_hashes or {}
    approved, refused = [], []
    for letter in waiting:
        try:
            approved.append(
                approve_letter(letter=letter, by=by, seen_hash=seen_hashes.get(letter.pk))
            )
        except FoiRegisterError as exc:
            refused.append(f"{letter.request.reference}: {exc.message}")
    return approved, refused


@transaction.atomic
def send_for_approval(*, letter: Letter, by: Any) -> Request:
    """The officer puts a draft before the FOI lead: its request moves to "in approval",
    where the lead's My work lists it (a status change, audited and on the timeline)."""
    _refuse_if_issued(letter)
    request = Request.objects.get(pk=letter.request_id)
    if request.status not in BATCH_READY_STATUSES:
        raise LetterError(
            f"{request.reference} is {request.get_status_display().lower()}: only a request "
            "received, acknowledged or in progress is sent for approval",
            field=None,
        )
    return register_services.change_status(
        request=request,
        to=Request.Status.IN_APPROVAL,
        by=by,
        note=f"{letter.get_kind_display().lower()} awaits the FOI lead's approval",
    )


__all__ = [
    "add_block",
    "approve_batch_letters",
    "approve_letter",
    "change_block",
    "comment_on_letter",
    "discard_letter",
    "copy_answers",
    "data_hash",
    "draft_letter",
    "email_letter",
    "issue_letter",
    "open_draft",
    "record_email_failure",
    "remove_block",
    "review_blocks",
    "return_letter",
    "review_letter_blocks",
    "run_batch_issue",
    "send_for_approval",
    "set_answer",
    "set_answer_wording",
    "set_question_wording",
    "start_batch_issue",
    "update_letter",
    "withdraw_approval",
]


# -- taking an earlier answer --------------------------------------------------------------


@transaction.atomic
def replace_answer(
    *,
    question: Question,
    earlier: dict[str, Any],
    own_organisation: bool,
    by: Any,
    today: datetime.date,
) -> tuple[int, list[str]]:
    """Give ``question`` an answer given before (one question of a letter's frozen content,
    a published response, or a batch's source request as it stands: the shape of
    ``reuse.answer_as_it_stands``): its kind, text, link, reasoning and exemptions, and its
    live blocks in place of the question's own, re-pointed to the question's organisation
    (``reuse.repoint_answer``: a "live on" date moves to ``today``, another body's CDCs or
    area are dropped, and a date in the text that was a block's old "live on" date moves
    with it when the match is exact and unambiguous). The one rule behind "Use this
    earlier answer" and a batch's copy; every step is the ordinary audited service.
    Returns how many blocks were added and the notes saying what was moved, dropped or
    left for the officer to check."""
    _require_casework_access(
        question, by, via="request__organisation", what=f"question {question.pk}"
    )
    kind = str(earlier.get("answer_kind") or "")
    if not kind:
        raise ValidationFailed(
            f"question {earlier.get('number') or question.number} has no answer to take",
            field=None,
        )
    organisation = question.request.organisation
    sections = [str(e.get("section") or "") for e in earlier.get("exemptions") or []]
    codes = [str(e["code"]) for e in earlier.get("exemptions") or [] if e.get("code")]
    if len(codes) < len(sections):
        codes = list(
            Exemption.objects.filter(section__in=[s for s in sections if s]).values_list(
                "code", flat=True
            )
        )
    repointed = reuse.repoint_answer(
        earlier, organisation=organisation, own_organisation=own_organisation, today=today
    )
    question = set_answer(
        question=question,
        by=by,
        answer=repointed.answer,
        answer_kind=kind,
        elsewhere_url=str(earlier.get("elsewhere_url") or ""),
        public_interest_reasoning=str(earlier.get("public_interest_reasoning") or ""),
        exemption_codes=codes,
    )
    for block in list(question.live_blocks.all()):
        remove_block(block=block, by=by)
    added = 0
    for block_type, params in repointed.usable_blocks:
        add_block(question=question, block_type=block_type, params=params, by=by)
        added += 1
    return added, repointed.notes


@transaction.atomic
def take_earlier_answer(
    *,
    question: Question,
    earlier: dict[str, Any],
    source: str,
    own_organisation: bool,
    by: Any,
    today: datetime.date,
) -> list[str]:
    """The officer's click on "Use this earlier answer": ``replace_answer`` (the answer and
    its live blocks, re-pointed so they show today's figures of the officer's own
    registers), and the taking itself audited with its source and the notes. Returns the
    notes, for the page to show.

    ``earlier`` is one question of an issued letter's frozen content, or of a published
    response as the public sees it (``reuse.earlier_answer_of``; the disclosure log's
    ``public_answers``): never another body's unpublished answer. ``source`` names it for
    the audit ("FOI/0925/1434", "published response FOI-123 of Dudley ICB")."""
    _require_casework_access(
        question, by, via="request__organisation", what=f"question {question.pk}"
    )
    if not str(earlier.get("answer_kind") or ""):
        raise ValidationFailed(f"{source} question has no answer to take", field=None)
    added, notes = replace_answer(
        question=question,
        earlier=earlier,
        own_organisation=own_organisation,
        by=by,
        today=today,
    )
    question.refresh_from_db()
    audit.record_event(
        action=audit.AuditAction.LETTER_ANSWER_TAKEN,
        obj=question,
        by=by,
        organisation_id=question.request.organisation_id,
        changes={
            "question": question.number,
            "from": source,
            "blocks": added,
            "notes": notes,
        },
        object_repr=f"{question.request.reference} question {question.number}",
    )
    return notes


__all__ += ["replace_answer", "take_earlier_answer"]
