"""Every write to the request register: atomic, validated, audited.

Admin screens, commands, tasks and tests call these, never the ORM directly. The acting
user is passed as ``by``; ``None`` means the system (a scheduled job).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from . import audit, calendar, selectors
from .exceptions import TimelineError, TransitionError, ValidationFailed
from .models import (
    Contribution,
    DeadlineRecomputation,
    Department,
    Exemption,
    Organisation,
    ProclaimedHoliday,
    Question,
    Request,
    Requester,
    RequestEvent,
    RequestLink,
    TimeEntry,
)

S = Request.Status
E = RequestEvent.Kind

# Only the transitions that make sense; every other one is refused with a reason.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.RECEIVED: {
        S.ACKNOWLEDGED,
        S.IN_PROGRESS,
        S.AWAITING_CLARIFICATION,
        S.AWAITING_FEE,
        S.PIT_EXTENDED,
        S.IN_APPROVAL,
        S.RESPONDED,
        S.WITHDRAWN,
    },
    S.ACKNOWLEDGED: {
        S.IN_PROGRESS,
        S.AWAITING_CLARIFICATION,
        S.AWAITING_FEE,
        S.PIT_EXTENDED,
        S.IN_APPROVAL,
        S.RESPONDED,
        S.WITHDRAWN,
    },
    S.IN_PROGRESS: {
        S.AWAITING_CLARIFICATION,
        S.AWAITING_FEE,
        S.PIT_EXTENDED,
        S.IN_APPROVAL,
        S.RESPONDED,
        S.WITHDRAWN,
    },
    S.AWAITING_CLARIFICATION: {S.IN_PROGRESS, S.LAPSED, S.WITHDRAWN},
    S.AWAITING_FEE: {S.IN_PROGRESS, S.LAPSED, S.WITHDRAWN},
    S.PIT_EXTENDED: {S.IN_APPROVAL, S.RESPONDED, S.WITHDRAWN},
    S.IN_APPROVAL: {S.IN_PROGRESS, S.PIT_EXTENDED, S.RESPONDED, S.WITHDRAWN},
    S.RESPONDED: {S.CLOSED},
    S.CLOSED: set(),
    S.LAPSED: set(),
    S.WITHDRAWN: set(),
}

# The status an event moves a request to, where it moves it at all.
EVENT_STATUS: dict[str, str] = {
    E.ACKNOWLEDGED: S.ACKNOWLEDGED,
    E.CLARIFICATION_SOUGHT: S.AWAITING_CLARIFICATION,
    E.CLARIFICATION_RECEIVED: S.IN_PROGRESS,
    E.FEES_NOTICE: S.AWAITING_FEE,
    E.FEE_PAID: S.IN_PROGRESS,
    E.PIT_EXTENSION: S.PIT_EXTENDED,
    E.RESPONSE_SENT: S.RESPONDED,
    E.WITHDRAWN: S.WITHDRAWN,
    E.LAPSED: S.LAPSED,
    E.CLOSED: S.CLOSED,
}

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
    """Fill an organisation's reference pattern, e.g. ``FOI/{mm}{yy}/{seq}`` -> FOI/0925/1434."""
    try:
        return pattern.format(
            yyyy=f"{received:%Y}", yy=f"{received:%y}", mm=f"{received:%m}", seq=sequence
        )
    except (KeyError, ValueError, IndexError) as exc:
        raise ValidationFailed(
            f"reference pattern {pattern!r} is not valid: {exc}", field="reference_pattern"
        ) from exc


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
    _recompute(request)
    audit.record_event(
        action="request.logged",
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
    audit.record_event(
        action="question.added",
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
    if changes:
        audit.record_event(
            action="question.changed",
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
    if changes:
        audit.record_event(
            action="request.changed",
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


# -- the timeline and the clock ------------------------------------------------------------


def _timeline(request: Request, extra: RequestEvent | None = None) -> list[RequestEvent]:
    events = list(request.events.all())
    if extra is not None:
        events.append(extra)
    return sorted(events, key=lambda e: (e.occurred_on, e.pk or 10**12))


def _check_event(request: Request, event: RequestEvent) -> None:
    """Refuse an event that cannot happen at that point, naming the field and the reason."""
    received = selectors.date_of_receipt(request.received_at)
    label = event.get_kind_display().lower()
    if event.occurred_on < received:
        raise TimelineError(
            f"{label} on {event.occurred_on:%d %b %Y} is before the request was received "
            f"({received:%d %b %Y})",
            field="occurred_on",
        )
    if event.occurred_on > selectors.local_today():
        raise TimelineError(f"{label} is dated in the future", field="occurred_on")
    timeline = _timeline(request)
    if event.kind in EVENT_STATUS and event.kind != E.ACKNOWLEDGED:
        # A step that moves the status cannot be dated before one that already moved it:
        # the timeline and the status would tell different stories (e.g. closed before the
        # response was sent).
        later = [
            e
            for e in timeline
            if e.kind in EVENT_STATUS
            and e.kind != E.ACKNOWLEDGED
            and e.occurred_on > event.occurred_on
        ]
        if later:
            last = later[-1]
            raise TimelineError(
                f"{label} on {event.occurred_on:%d %b %Y} is before the "
                f"{last.get_kind_display().lower()} already recorded on "
                f"{last.occurred_on:%d %b %Y}",
                field="occurred_on",
            )
    earlier = [e for e in timeline if e.occurred_on <= event.occurred_on]
    kinds = {e.kind for e in earlier}
    awaiting_clarification = awaiting_fee = False
    for e in earlier:
        if e.kind in (E.CLARIFICATION_SOUGHT, E.CLARIFICATION_RECEIVED):
            awaiting_clarification = e.kind == E.CLARIFICATION_SOUGHT
        if e.kind in (E.FEES_NOTICE, E.FEE_PAID):
            awaiting_fee = e.kind == E.FEES_NOTICE
    if event.kind == E.CLARIFICATION_RECEIVED and not awaiting_clarification:
        raise TimelineError("clarification received before it was sought", field="occurred_on")
    if event.kind == E.FEE_PAID and not awaiting_fee:
        raise TimelineError("fee received without a fees notice", field="occurred_on")
    if event.kind == E.PIT_EXTENSION:
        if request.regime != Request.Regime.FOI:
            raise TimelineError(
                "a public interest extension applies to FOI requests only", field="kind"
            )
        if event.target_on is None:
            raise TimelineError(
                "give the estimate of the decision date sent to the requester", field="target_on"
            )
        if event.target_on <= event.occurred_on:
            raise TimelineError("the estimate must be after the extension", field="target_on")
    if event.kind == E.EIR_EXTENSION and request.regime != Request.Regime.EIR:
        raise TimelineError(
            "the 40 working day extension applies to EIR requests only", field="kind"
        )
    if event.kind == E.SAR_EXTENSION and request.regime != Request.Regime.SAR:
        raise TimelineError(
            "the two-month extension applies to subject access requests only", field="kind"
        )
    if event.kind == E.REVIEW_REQUESTED and E.RESPONSE_SENT not in kinds:
        raise TimelineError("an internal review needs a response to review", field="occurred_on")
    if event.kind == E.REVIEW_DECIDED:
        if E.REVIEW_REQUESTED not in kinds:
            raise TimelineError("no internal review was requested", field="kind")
        if not event.decision:
            raise TimelineError(
                "say whether the review upheld or overturned the response", field="decision"
            )
    if event.kind == E.ICO_DECISION and E.ICO_COMPLAINT not in kinds:
        raise TimelineError("no ICO complaint was recorded", field="kind")


@transaction.atomic
def record_timeline_event(
    *,
    request: Request,
    kind: str,
    occurred_on: datetime.date,
    by: Any,
    details: str = "",
    target_on: datetime.date | None = None,
    decision: str = "",
    fee_amount: Decimal | None = None,
) -> RequestEvent:
    """Add an event to the timeline, move the status where the event implies it, and
    recompute the due dates. Nothing is saved if any check fails."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    event = RequestEvent(
        request=request,
        kind=kind,
        occurred_on=occurred_on,
        details=details,
        target_on=target_on,
        decision=decision,
        fee_amount=fee_amount,
        recorded_by=by,
    )
    _check_event(request, event)
    new_status = EVENT_STATUS.get(kind)
    if new_status and new_status != request.status:
        if kind == E.ACKNOWLEDGED and request.status != S.RECEIVED:
            new_status = None  # an acknowledgement after work began does not step back
        else:
            _check_transition(request, new_status)
    event.save()
    if new_status and new_status != request.status:
        request.status = new_status
    if kind == E.WITHDRAWN:
        request.outcome = Request.Outcome.WITHDRAWN
    elif kind == E.LAPSED:
        request.outcome = Request.Outcome.LAPSED
    request.save()
    before = (request.due_on, request.extended_due_on, request.statutory_due_on)
    _recompute(request)
    _move_default_contribution_deadlines(
        request, old_base=before[0] or before[1] or before[2], by=by
    )
    audit.record_event(
        action=f"request.event.{kind}",
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={
            "event": kind,
            "occurred_on": occurred_on,
            "status": request.status,
            "due_on": request.due_on,
            "target_on": target_on,
            "decision": decision,
        },
        note=details,
    )
    return event


def _default_internal_deadline(
    due: datetime.date, asked_on: datetime.date, cal: calendar.WorkingDayCalendar
) -> datetime.date:
    """10 working days before the due date, but never before the department was asked."""
    return max(
        asked_on,
        calendar.subtract_working_days(due, calendar.CONTRIBUTION_LEAD_WORKING_DAYS, calendar=cal),
    )


def _move_default_contribution_deadlines(
    request: Request, *, old_base: datetime.date | None, by: Any
) -> None:
    """When the timeline moves the due date (a clarification restarts the clock, an
    extension or a fee moves it), departments still working to the default deadline get
    the default for the new date; a deadline the officer chose is left alone."""
    new_base = request.due_on
    if old_base is None or new_base is None or old_base == new_base:
        return
    cal = selectors.working_day_calendar()
    for contribution in request.contributions.filter(
        status=Contribution.Status.ASKED
    ).select_related("department"):
        if contribution.internal_due_on != _default_internal_deadline(
            old_base, contribution.asked_on, cal
        ):
            continue
        moved = _default_internal_deadline(new_base, contribution.asked_on, cal)
        if moved == contribution.internal_due_on:
            continue
        audit.record_event(
            action="contribution.changed",
            obj=request,
            by=by,
            organisation_id=request.organisation_id,
            changes={
                "department": contribution.department.name,
                "internal_due_on": [contribution.internal_due_on, moved],
            },
            note="the request's due date moved; the default deadline follows it",
        )
        contribution.internal_due_on = moved
        contribution.save(update_fields=["internal_due_on"])


def _check_transition(request: Request, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[request.status]:
        raise TransitionError(
            f"a request that is {request.get_status_display().lower()} cannot become "
            f"{S(to).label.lower()}",
            field="status",
        )


# The event a status change stands for, so the timeline (and so the clock) never disagrees
# with the status: "awaiting clarification" stops the clock, "responded" opens the review
# window, and so on.
STATUS_EVENT: dict[str, str] = {
    S.ACKNOWLEDGED: E.ACKNOWLEDGED,
    S.AWAITING_CLARIFICATION: E.CLARIFICATION_SOUGHT,
    S.AWAITING_FEE: E.FEES_NOTICE,
    S.RESPONDED: E.RESPONSE_SENT,
    S.WITHDRAWN: E.WITHDRAWN,
    S.LAPSED: E.LAPSED,
    S.CLOSED: E.CLOSED,
}
# Back to work from a stopped clock: the clarification or the fee has arrived.
RESUME_EVENT: dict[str, str] = {
    S.AWAITING_CLARIFICATION: E.CLARIFICATION_RECEIVED,
    S.AWAITING_FEE: E.FEE_PAID,
}


@transaction.atomic
def change_status(
    *,
    request: Request,
    to: str,
    by: Any,
    note: str = "",
    on: datetime.date | None = None,
) -> Request:
    """Move a request along its workflow.

    A status that an event implies (responded, awaiting clarification, withdrawn...) is
    recorded as that event, dated ``on`` (default today), so the stored due dates follow:
    setting "responded" by hand must still open the requester's review window, and
    "awaiting clarification" must still stop the clock. A public interest extension needs
    the estimate given to the requester, so it is refused here: record it as an event.
    """
    request = Request.objects.select_for_update().get(pk=request.pk)
    _check_transition(request, to)
    if to == S.PIT_EXTENDED:
        raise TransitionError(
            "record the public interest extension as an event, with the estimate of the "
            "decision date given to the requester",
            field="to",
        )
    kind = RESUME_EVENT.get(request.status) if to == S.IN_PROGRESS else STATUS_EVENT.get(to)
    if kind is not None:
        record_timeline_event(
            request=request,
            kind=kind,
            occurred_on=on or selectors.local_today(),
            by=by,
            details=note,
        )
        return Request.objects.get(pk=request.pk)
    before = request.status
    request.status = to
    request.save(update_fields=["status", "updated_at"])
    audit.record_event(
        action="request.status",
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={"status": [before, to]},
        note=note,
    )
    return request


def clock_for(request: Request, *, extra_holidays=None) -> calendar.RequestClock:
    """How the request's dates are worked out, from its stored timeline."""
    return calendar.request_clock(
        request.regime,
        selectors.date_of_receipt(request.received_at),
        [calendar.TimelineStep(e.kind, e.occurred_on, e.target_on) for e in _timeline(request)],
        extra_holidays=selectors.proclaimed_holidays()
        if extra_holidays is None
        else extra_holidays,
    )


CLOCK_FIELDS = (
    "clock_started_on",
    "statutory_due_on",
    "extended_due_on",
    "due_on",
    "responded_on",
    "review_window_closes_on",
    "review_due_on",
)


def _apply_clock(request: Request, clock: calendar.RequestClock) -> dict[str, list[Any]]:
    changes = {}
    for name in CLOCK_FIELDS:
        new = getattr(clock, name)
        if getattr(request, name) != new:
            changes[name] = [getattr(request, name), new]
            setattr(request, name, new)
    return changes


def _recompute(request: Request) -> None:
    if _apply_clock(request, clock_for(request)):
        request.save(update_fields=[*CLOCK_FIELDS, "updated_at"])


RECOMPUTE_CHUNK = 2000


def recompute_due_dates(
    *,
    requests=None,
    by: Any = None,
    reason: str = "",
    progress: Callable[[int, int, int], None] | None = None,
) -> int:
    """Recompute the stored dates of every request with a running clock (open, or answered
    with its review window or internal review still running), or of those given, and audit
    each change. Run when the holiday table changes: other tools leave in-flight deadlines wrong
    when a holiday is proclaimed late. Returns how many requests changed.

    Works in chunks of 2,000 requests, each in its own transaction, so progress can be
    reported between them; a chunk is written whole or not at all, and running it again
    changes nothing. Requests whose new dates are the same are updated in one statement.
    """
    extra = selectors.proclaimed_holidays()
    uk = calendar.WorkingDayCalendar(extra_holidays=extra)
    england_and_wales = calendar.WorkingDayCalendar(
        extra_holidays=extra, nations=calendar.ENGLAND_AND_WALES
    )
    qs = (
        requests
        if requests is not None
        else selectors.requests_with_running_clocks(today=selectors.local_today())
    )
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    actor_id, actor = (str(by.pk), by.get_username()) if by else ("", "system")
    changed = 0
    for start in range(0, len(ids), RECOMPUTE_CHUNK):
        with transaction.atomic():
            changed += _recompute_chunk(
                ids[start : start + RECOMPUTE_CHUNK],
                uk=uk,
                england_and_wales=england_and_wales,
                actor=(actor_id, actor),
                reason=reason,
            )
        if progress is not None:
            progress(min(start + RECOMPUTE_CHUNK, len(ids)), len(ids), changed)
    return changed


def _recompute_chunk(ids, *, uk, england_and_wales, actor, reason) -> int:
    qs = (
        Request.objects.filter(pk__in=ids)
        .select_for_update(of=("self",))
        .prefetch_related("events")
        .only(
            "pk", "regime", "received_at", "organisation_id", "reference", "title", *CLOCK_FIELDS
        )
    )
    groups: dict[tuple, list[int]] = {}
    rows = []
    for request in qs:
        clock = calendar.request_clock(
            request.regime,
            selectors.date_of_receipt(request.received_at),
            [
                calendar.TimelineStep(e.kind, e.occurred_on, e.target_on)
                for e in sorted(request.events.all(), key=lambda e: (e.occurred_on, e.pk))
            ],
            uk_calendar=uk,
            england_and_wales_calendar=england_and_wales,
        )
        diff = _apply_clock(request, clock)
        if not diff:
            continue
        groups.setdefault(tuple(getattr(clock, f) for f in CLOCK_FIELDS), []).append(request.pk)
        rows.append(
            audit.AuditEvent(
                actor_id=actor[0],
                actor=actor[1],
                action="request.dates_recomputed",
                object_type=Request._meta.label,
                object_id=str(request.pk),
                object_repr=str(request)[:300],
                organisation_id=str(request.organisation_id),
                changes={k: [audit._plain(v) for v in pair] for k, pair in diff.items()},
                note=reason,
            )
        )
    now = timezone.now()
    for values, pks in groups.items():
        Request.objects.filter(pk__in=pks).update(
            **dict(zip(CLOCK_FIELDS, values, strict=True)), updated_at=now
        )
    audit.record_bulk(rows)
    return len(rows)


def queue_deadline_recomputation(*, reason: str, by: Any) -> DeadlineRecomputation:
    """Record that every open deadline must be recomputed; the caller queues
    ``tasks.run_deadline_recomputation`` with ``transaction.on_commit``."""
    return DeadlineRecomputation.objects.create(reason=reason[:300], requested_by=by)


def run_deadline_recomputation(*, recomputation_id: int) -> DeadlineRecomputation:
    """Work a queued recomputation, saving progress after each chunk so the admin shows it."""
    job = DeadlineRecomputation.objects.get(pk=recomputation_id)
    if job.status == DeadlineRecomputation.Status.DONE:
        return job
    job.status = DeadlineRecomputation.Status.RUNNING
    job.total = selectors.requests_with_running_clocks(today=selectors.local_today()).count()
    job.save(update_fields=["status", "total"])

    def progress(done: int, total: int, changed: int) -> None:
        DeadlineRecomputation.objects.filter(pk=job.pk).update(
            done=done, total=total, changed=changed
        )

    try:
        changed = recompute_due_dates(by=job.requested_by, reason=job.reason, progress=progress)
    except Exception as exc:
        DeadlineRecomputation.objects.filter(pk=job.pk).update(
            status=DeadlineRecomputation.Status.FAILED,
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise
    DeadlineRecomputation.objects.filter(pk=job.pk).update(
        status=DeadlineRecomputation.Status.DONE,
        changed=changed,
        done=job.total,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


@transaction.atomic
def add_proclaimed_holiday(
    *,
    date: datetime.date,
    name: str,
    by: Any,
    nations: str = "ENG,WLS,SCT,NIR",
    source: str = "",
    recompute: bool = True,
) -> tuple[ProclaimedHoliday, int]:
    """Record a newly proclaimed bank holiday and move every open deadline it affects
    (at once, or, with ``recompute=False``, by the caller queueing a recomputation)."""
    valid = set(calendar.UK_NATIONS)
    codes = [n.strip().upper() for n in nations.split(",") if n.strip()]
    if not codes or set(codes) - valid:
        raise ValidationFailed(
            f"nations must be some of {', '.join(calendar.UK_NATIONS)}", field="nations"
        )
    if ProclaimedHoliday.objects.filter(date=date).exists():
        raise ValidationFailed(f"{date:%d %b %Y} is already in the table", field="date")
    holiday = ProclaimedHoliday.objects.create(
        date=date, name=name, nations=",".join(codes), source=source
    )
    audit.record_event(
        action="holiday.added",
        obj=holiday,
        by=by,
        changes={"date": date, "name": name, "nations": holiday.nations},
    )
    changed = recompute_due_dates(by=by, reason=f"holiday added: {holiday}") if recompute else 0
    return holiday, changed


@transaction.atomic
def remove_proclaimed_holiday(
    *, holiday: ProclaimedHoliday, by: Any, recompute: bool = True
) -> int:
    audit.record_event(
        action="holiday.removed",
        obj=holiday,
        by=by,
        changes={"date": holiday.date, "name": holiday.name},
    )
    label = str(holiday)
    holiday.delete()
    return recompute_due_dates(by=by, reason=f"holiday removed: {label}") if recompute else 0


# -- contributions, time, links ----------------------------------------------------------


@transaction.atomic
def ask_department(
    *,
    request: Request,
    department: Department,
    questions: Iterable[Question],
    by: Any,
    asked_on: datetime.date | None = None,
    internal_due_on: datetime.date | None = None,
) -> Contribution:
    """Ask a department for answers, with its own deadline: by default 10 working days
    before the statutory one, so the office has time to collate and approve."""
    if department.organisation_id != request.organisation_id:
        raise ValidationFailed(
            "the department belongs to another organisation", field="department"
        )
    asked_on = asked_on or selectors.local_today()
    if internal_due_on is None:
        # The date the request is due now (the extended one after an extension). While the
        # clock is stopped (awaiting clarification or a fee) there is none: the stored
        # statutory date is stale, since clarification restarts the clock.
        base = request.due_on
        if base is None:
            raise ValidationFailed(
                "the request has no due date while its clock is stopped (awaiting "
                "clarification or a fee): give the department's deadline",
                field="internal_due_on",
            )
        internal_due_on = _default_internal_deadline(
            base, asked_on, selectors.working_day_calendar()
        )
    questions = list(questions)
    if any(q.request_id != request.pk for q in questions):
        raise ValidationFailed("a question belongs to another request", field="questions")
    contribution = Contribution.objects.create(
        request=request,
        department=department,
        asked_on=asked_on,
        internal_due_on=internal_due_on,
    )
    contribution.questions.set(questions)
    if request.allocated_at is None:
        request.allocated_at = timezone.now()
        request.save(update_fields=["allocated_at", "updated_at"])
    audit.record_event(
        action="contribution.asked",
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={
            "department": department.name,
            "internal_due_on": internal_due_on,
            "questions": [q.number for q in questions],
        },
    )
    return contribution


@transaction.atomic
def record_contribution(
    *,
    contribution: Contribution,
    answer: str,
    by: Any,
    status: str = Contribution.Status.ANSWERED,
    answered_on: datetime.date | None = None,
) -> Contribution:
    contribution.answer = answer
    contribution.status = status
    contribution.answered_on = answered_on or selectors.local_today()
    contribution.save()
    audit.record_event(
        action="contribution.answered",
        obj=contribution.request,
        by=by,
        organisation_id=contribution.request.organisation_id,
        changes={"department": contribution.department.name, "status": status},
        note=answer[:500],
    )
    return contribution


CONTRIBUTION_FIELDS = ("asked_on", "internal_due_on", "status", "answer", "answered_on")


@transaction.atomic
def update_contribution(
    *,
    contribution: Contribution,
    by: Any,
    questions: Iterable[Question] | None = None,
    **fields: Any,
) -> Contribution:
    """Change a department's contribution (its deadline, status, answer or questions); every
    change is audited with its old and new value, on the request's history."""
    unknown = set(fields) - set(CONTRIBUTION_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}", field=None)
    contribution = Contribution.objects.select_related("request", "department").get(
        pk=contribution.pk
    )
    before = audit.snapshot(contribution, CONTRIBUTION_FIELDS)
    before["questions"] = sorted(contribution.questions.values_list("number", flat=True))
    for name, value in fields.items():
        setattr(contribution, name, value)
    if contribution.internal_due_on is None:
        raise ValidationFailed("give the department's deadline", field="internal_due_on")
    if contribution.status != Contribution.Status.ASKED and contribution.answered_on is None:
        contribution.answered_on = selectors.local_today()
    if contribution.answered_on and contribution.answered_on < contribution.asked_on:
        raise ValidationFailed(
            f"answered on {contribution.answered_on:%d %b %Y}, before the department was "
            f"asked ({contribution.asked_on:%d %b %Y})",
            field="answered_on",
        )
    contribution.save()
    after = audit.snapshot(contribution, CONTRIBUTION_FIELDS)
    if questions is not None:
        questions = list(questions)
        if any(q.request_id != contribution.request_id for q in questions):
            raise ValidationFailed("a question belongs to another request", field="questions")
        contribution.questions.set(questions)
        after["questions"] = sorted(q.number for q in questions)
    else:
        after["questions"] = before["questions"]
    changes = audit.diff(before, after)
    if changes:
        audit.record_event(
            action="contribution.changed",
            obj=contribution.request,
            by=by,
            organisation_id=contribution.request.organisation_id,
            changes={"department": contribution.department.name, **changes},
        )
    return contribution


@transaction.atomic
def log_time(
    *,
    request: Request,
    person: Any,
    hours: Decimal,
    activity: str,
    worked_on: datetime.date,
    by: Any,
) -> TimeEntry:
    if Decimal(hours) <= 0:
        raise ValidationFailed("hours must be more than zero", field="hours")
    entry = TimeEntry.objects.create(
        request=request, person=person, hours=hours, activity=activity, worked_on=worked_on
    )
    audit.record_event(
        action="request.time_logged",
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={"person": person.get_username(), "hours": hours, "activity": activity},
    )
    return entry


TIME_ENTRY_FIELDS = ("person", "worked_on", "activity", "hours")


@transaction.atomic
def correct_time_entry(*, entry: TimeEntry, by: Any, **fields: Any) -> TimeEntry:
    """Correct a mistyped time entry (3 hours for 0.3, the wrong activity). The entry is
    kept, with its old and new values in the audit history, because the s.12 estimate a
    refusal relies on is built from these rows."""
    unknown = set(fields) - set(TIME_ENTRY_FIELDS)
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))}", field=None)
    if "hours" in fields and Decimal(fields["hours"]) <= 0:
        raise ValidationFailed("hours must be more than zero", field="hours")
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    before = audit.snapshot(entry, TIME_ENTRY_FIELDS)
    for name, value in fields.items():
        setattr(entry, name, value)
    try:
        entry.full_clean(exclude=["request"])
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(f"{field}: {' '.join(messages)}", field=field) from exc
    entry.save()
    entry.refresh_from_db()  # hours as stored (2 places), so 3 -> 3.00 is no change
    changes = audit.diff(before, audit.snapshot(entry, TIME_ENTRY_FIELDS))
    if changes:
        audit.record_event(
            action="request.time_corrected",
            obj=entry.request,
            by=by,
            organisation_id=entry.request.organisation_id,
            changes=changes,
        )
    return entry


def validate_link(*, request: Request, other: Request) -> None:
    """The checks ``link_requests`` makes, also used by the admin's inline so the officer
    sees the reason on the field."""
    if request.pk == other.pk:
        raise ValidationFailed("a request cannot be linked to itself", field="to_request")
    if (
        RequestLink.objects.filter(from_request=other, to_request=request).exists()
        or RequestLink.objects.filter(from_request=request, to_request=other).exists()
    ):
        raise ValidationFailed(
            f"{request.reference} and {other.reference} are already linked", field="to_request"
        )


@transaction.atomic
def link_requests(*, request: Request, other: Request, kind: str, by: Any) -> RequestLink:
    validate_link(request=request, other=other)
    link = RequestLink.objects.create(from_request=request, to_request=other, kind=kind)
    for obj in (request, other):
        audit.record_event(
            action="request.linked",
            obj=obj,
            by=by,
            organisation_id=obj.organisation_id,
            changes={"kind": kind, "with": (other if obj is request else request).reference},
        )
    return link


@transaction.atomic
def create_requester(
    *, organisation: Organisation, name: str, by: Any, **fields: Any
) -> Requester:
    requester = Requester.objects.create(organisation=organisation, name=name, **fields)
    audit.record_event(
        action="requester.created", obj=requester, by=by, organisation_id=organisation.pk
    )
    return requester


# -- roles -------------------------------------------------------------------------------

# Role -> (app label, model or "*", actions). Apps added later (letters, disclosure) are
# covered by their app label; custom permissions are named explicitly.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    selectors.FOI_OFFICER: [
        ("foiregister", "*", ("view", "add", "change")),
        ("foiregister", "organisation", ("view",)),
        ("foiregister", "exemption", ("view",)),
        ("foiregister", "proclaimedholiday", ("view",)),
        ("foiregister", "auditevent", ("view",)),
        ("letters", "*", ("view", "add", "change")),
        ("disclosure", "*", ("view",)),
        ("contracts", "*", ("view",)),
        ("metrics", "*", ("view",)),
    ],
    selectors.FOI_LEAD: [
        ("foiregister", "*", ("view", "add", "change")),
        ("foiregister", "organisation", ("view", "change")),
        ("foiregister", "exemption", ("view",)),
        ("foiregister", "proclaimedholiday", ("view",)),
        ("foiregister", "auditevent", ("view",)),
        ("letters", "*", ("view", "add", "change", "approve")),
        ("disclosure", "*", ("view", "add", "change", "publish")),
        ("contracts", "*", ("view",)),
        ("metrics", "*", ("view",)),
    ],
    selectors.COMMISSIONER: [
        ("contracts", "*", ("view", "add", "change")),
        ("metrics", "*", ("view", "add", "change")),
        ("foiregister", "organisation", ("view",)),
        ("foiregister", "auditevent", ("view",)),
    ],
    # Runs the install (users, organisations, the holiday table, exemptions, registers)
    # but not FOI casework: requests and requesters are for FOI officers and leads, the
    # same rule as ``selectors.requests_visible_to``.
    selectors.ADMINISTRATOR: [
        ("foiregister", "organisation", ("view", "add", "change")),
        ("foiregister", "department", ("view", "add", "change")),
        ("foiregister", "exemption", ("view", "add", "change")),
        ("foiregister", "proclaimedholiday", ("view", "add", "change", "delete")),
        ("foiregister", "deadlinerecomputation", ("view",)),
        ("foiregister", "auditevent", ("view",)),
        ("contracts", "*", ("view", "add", "change")),
        ("metrics", "*", ("view", "add", "change")),
        ("auth", "user", ("view", "add", "change")),
        ("auth", "group", ("view",)),
    ],
}


def ensure_roles() -> None:
    """Create the four groups with exactly their permissions (idempotent; run after every
    migrate). No role may delete a request, question or event: nothing is hard-deleted."""
    from django.contrib.auth.models import Group, Permission

    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        # A model named on its own line takes exactly those actions; "*" covers the rest.
        named = {(app, model) for app, model, _ in grants if model != "*"}
        codenames: set[int] = set()
        for app_label, model, actions in grants:
            qs = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                qs = qs.filter(content_type__model=model)
            else:
                for app, excluded in named:
                    if app == app_label:
                        qs = qs.exclude(content_type__model=excluded)
            for perm in qs.select_related("content_type"):
                action = perm.codename.split("_", 1)[0]
                if action in actions:
                    codenames.add(perm.pk)
        group.permissions.set(codenames)


# -- reminders ----------------------------------------------------------------------------


def send_deadline_reminders(*, today: datetime.date) -> int:
    """Email each assignee and each organisation's FOI leads the requests due within 5
    working days and those overdue, and the internal reviews likewise (the s.45 code's 20
    working days), one message per person. Returns messages sent."""
    from django.conf import settings
    from django.core.mail import send_mass_mail

    cal = selectors.working_day_calendar()
    due_soon = selectors.requests_due_within(
        today=today, working_days=settings.FOI_DUE_SOON_WORKING_DAYS
    )
    overdue = selectors.overdue_requests(today=today)
    per_person: dict[str, list[str]] = {}

    def remind(request: Request, what: str, due_on: datetime.date) -> None:
        days = calendar.working_days_between(today, due_on, calendar=cal)
        line = f"{request.reference} {request.title}: {what} {due_on:%a %d %b %Y} " + (
            f"({-days} working days late)" if days < 0 else f"({days} working days left)"
        )
        recipients = {u.email for u in selectors.foi_leads_of(request.organisation) if u.email}
        if request.assignee and request.assignee.email:
            recipients.add(request.assignee.email)
        for email in recipients:
            per_person.setdefault(email, []).append(line)

    for request in (
        (due_soon | overdue).select_related("assignee", "organisation").order_by("due_on")
    ):
        remind(request, "due", request.due_on)
    reviews = selectors.internal_reviews_due_within(
        today=today, working_days=settings.FOI_DUE_SOON_WORKING_DAYS
    )
    for request in reviews.select_related("assignee", "organisation").order_by("review_due_on"):
        remind(request, "internal review due", request.review_due_on)
    messages = [
        (
            f"FOI deadlines: {len(lines)} due soon or overdue",
            "Requests and internal reviews due within "
            f"{settings.FOI_DUE_SOON_WORKING_DAYS} working days or overdue on "
            f"{today:%a %d %b %Y}:\n\n" + "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
        for email, lines in sorted(per_person.items())
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
