"""Logging a request and keeping its questions and answers: references, validation of
answers, and edits to the request's own fields."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from foiregister.kernel import audit, hooks, references
from foiregister.requests import selectors
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import (
    Exemption,
    Organisation,
    Question,
    Request,
    Requester,
)

from .timeline import recompute_clock

REQUEST_EDITABLE_FIELDS = (
    "title",
    "body",
    "channel",
    "assignee",
    "outcome",
    "topic",
    "s12_estimate_hours",
)
QUESTION_FIELDS = (
    "number",
    "text",
    "answer",
    "answer_kind",
    "elsewhere_url",
    "public_interest_reasoning",
)


# -- references ---------------------------------------------------------------------------


def format_reference(pattern: str, *, received: datetime.date, sequence: int) -> str:
    """Fill an organisation's reference pattern, e.g. ``FOI/{mm}{yy}/{seq}`` -> FOI/0925/1434;
    only the documented placeholders, within the reference column (``kernel.references``)."""
    try:
        return references.fill_reference_pattern(
            pattern,
            received=received,
            sequence=sequence,
            max_length=Request._meta.get_field("reference").max_length,
        )
    except references.ReferencePatternError as exc:
        raise ValidationFailed(str(exc), field="reference_pattern") from exc


def _next_reference(organisation: Organisation, received: datetime.date) -> str:
    """Take the organisation's next number under a row lock, so two officers logging at
    once never get the same one, and a number once issued is never reused."""
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for _ in range(1000):
        sequence = org.next_sequence
        org.next_sequence += 1
        reference = format_reference(org.reference_pattern, received=received, sequence=sequence)
        if not Request.objects.filter(reference=reference).exists():
            break
    org.save(update_fields=["next_sequence"])
    return reference


# -- requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInput:
    text: str
    answer: str = ""
    answer_kind: str = ""
    elsewhere_url: str = ""
    exemption_codes: tuple[str, ...] = ()
    public_interest_reasoning: str = ""


# Called as ``function(request)``, inside the same transaction, when a request's text or its
# questions changed: the intake's matching index registers here (its ``AppConfig.ready``),
# so a request logged or edited by hand is found by the next round robin, without this
# layer importing the one above it (docs/adr/0009-named-hooks.md).
text_changed: hooks.Hook[Any] = hooks.Hook("requests: text changed")


@transaction.atomic
def log_request(
    *,
    organisation: Organisation,
    requester: Requester,
    title: str,
    received_at: datetime.datetime,
    by: Any,
    body: str = "",
    regime: str = Request.Regime.FOI,
    channel: str = Request.Channel.EMAIL,
    questions: Iterable[QuestionInput | str] = (),
    assignee: Any = None,
    topic: str = "",
    reference: str | None = None,
) -> Request:
    """Log a request the day it arrives: its reference, its questions and its clock.

    ``reference`` is only for importing requests logged elsewhere (the seed letters); new
    requests take the organisation's next number.
    """
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    validate_new_request(
        organisation=organisation, requester=requester, title=title, received_at=received_at
    )
    received = selectors.date_of_receipt(received_at)
    if reference:
        if Request.objects.filter(reference=reference).exists():
            raise ValidationFailed(f"reference {reference} is already used", field="reference")
    else:
        reference = _next_reference(organisation, received)
    request = Request.objects.create(
        organisation=organisation,
        reference=reference,
        regime=regime,
        received_at=received_at,
        channel=channel,
        title=title.strip(),
        body=body,
        requester=requester,
        assignee=assignee,
        allocated_at=timezone.now() if assignee else None,
        topic=topic,
    )
    for number, q in enumerate(questions, start=1):
        _create_question(request, number, q if isinstance(q, QuestionInput) else QuestionInput(q))
    recompute_clock(request)
    text_changed.call(request)
    audit.record_event(
        action=audit.AuditAction.REQUEST_LOGGED,
        obj=request,
        by=by,
        organisation_id=organisation.pk,
        changes=audit.snapshot(request, ("reference", "regime", "received_at", "title", "due_on")),
    )
    return request


def validate_new_request(
    *,
    organisation: Organisation,
    requester: Requester | None,
    title: str,
    received_at: datetime.datetime,
) -> None:
    """The checks ``log_request`` makes before writing, also used by the admin form so an
    officer sees the error on the field instead of a failed save."""
    if requester is not None and requester.organisation_id != organisation.pk:
        raise ValidationFailed("the requester belongs to another organisation", field="requester")
    if not (title or "").strip():
        raise ValidationFailed("a request needs a title", field="title")
    received = selectors.date_of_receipt(received_at)
    if received > selectors.local_today():
        raise ValidationFailed(
            f"received on {received:%d %b %Y}, which is in the future", field="received_at"
        )


def _exemptions_for(codes: Iterable[str]) -> list[Exemption]:
    codes = [c.strip() for c in codes if c.strip()]
    found = {e.code: e for e in Exemption.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationFailed(
            f"unknown exemption section {', '.join(unknown)}", field="exemptions"
        )
    return [found[c] for c in codes]


def validate_answer(
    *, answer_kind: str, elsewhere_url: str, exemptions: list[Exemption], reasoning: str
) -> None:
    K = Question.AnswerKind
    if answer_kind == K.ELSEWHERE and not elsewhere_url:
        raise ValidationFailed(
            "an answer available elsewhere (s.21) needs the link to it", field="elsewhere_url"
        )
    if answer_kind == K.EXEMPT and not exemptions:
        raise ValidationFailed("an exempt answer needs the sections applied", field="exemptions")
    if answer_kind != K.EXEMPT and exemptions:
        raise ValidationFailed(
            "exemptions apply only to an answer marked exempt", field="exemptions"
        )
    qualified = [e for e in exemptions if not e.absolute]
    if answer_kind == K.EXEMPT and qualified and not reasoning.strip():
        raise ValidationFailed(
            f"{', '.join(e.section for e in qualified)} is qualified: give the public "
            "interest reasoning",
            field="public_interest_reasoning",
        )


def _create_question(request: Request, number: int, q: QuestionInput) -> Question:
    if not q.text.strip():
        raise ValidationFailed(f"question {number} has no text", field="questions")
    exemptions = _exemptions_for(q.exemption_codes)
    validate_answer(
        answer_kind=q.answer_kind,
        elsewhere_url=q.elsewhere_url,
        exemptions=exemptions,
        reasoning=q.public_interest_reasoning,
    )
    question = Question.objects.create(
        request=request,
        number=number,
        text=q.text,
        answer=q.answer,
        answer_kind=q.answer_kind,
        elsewhere_url=q.elsewhere_url,
        public_interest_reasoning=q.public_interest_reasoning,
    )
    question.exemptions.set(exemptions)
    return question


@transaction.atomic
def add_question(*, request: Request, text: str, by: Any, **answer: Any) -> Question:
    number = (
        request.questions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    question = _create_question(request, number, QuestionInput(text=text, **answer))
    text_changed.call(request)
    audit.record_event(
        action=audit.AuditAction.QUESTION_ADDED,
        obj=question,
        by=by,
        organisation_id=request.organisation_id,
        changes={"request": request.reference, "number": number, "text": text},
    )
    return question


@transaction.atomic
def update_question(
    *, question: Question, by: Any, exemption_codes: Iterable[str] | None = None, **fields: Any
) -> Question:
    """Change a question or its answer; the change is audited field by field."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}", field=None)
    before = audit.snapshot(question, QUESTION_FIELDS)
    before["exemptions"] = sorted(question.exemptions.values_list("code", flat=True))
    for name, value in fields.items():
        setattr(question, name, value)
    exemptions = (
        _exemptions_for(exemption_codes)
        if exemption_codes is not None
        else list(question.exemptions.all())
    )
    validate_answer(
        answer_kind=question.answer_kind,
        elsewhere_url=question.elsewhere_url,
        exemptions=exemptions,
        reasoning=question.public_interest_reasoning,
    )
    question.save()
    question.exemptions.set(exemptions)
    after = audit.snapshot(question, QUESTION_FIELDS)
    after["exemptions"] = sorted(e.code for e in exemptions)
    changes = audit.diff(before, after)
    if "text" in changes:
        text_changed.call(question.request)
    if changes:
        audit.record_event(
            action=audit.AuditAction.QUESTION_CHANGED,
            obj=question,
            by=by,
            organisation_id=question.request.organisation_id,
            changes=changes,
        )
    return question


@transaction.atomic
def update_request(*, request: Request, by: Any, **fields: Any) -> Request:
    """Change a request's editable fields. A first assignee records when it was allocated,
    because slow allocation is what makes requests late."""
    unknown = set(fields) - set(REQUEST_EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))} here")
    before = audit.snapshot(request, REQUEST_EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(request, name, value)
    if not request.title.strip():
        raise ValidationFailed("a request needs a title", field="title")
    if request.assignee_id and request.allocated_at is None:
        request.allocated_at = timezone.now()
    request.save()
    changes = audit.diff(before, audit.snapshot(request, REQUEST_EDITABLE_FIELDS))
    if "body" in changes:
        text_changed.call(request)
    if changes:
        audit.record_event(
            action=audit.AuditAction.REQUEST_CHANGED,
            obj=request,
            by=by,
            organisation_id=request.organisation_id,
            changes=changes,
        )
    return request


def allocation_delay(request: Request) -> datetime.timedelta | None:
    """Time from receipt to allocation."""
    if request.allocated_at is None:
        return None
    return request.allocated_at - request.received_at
