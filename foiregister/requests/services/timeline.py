"""The timeline and the clock: events that move the status, stop or restart the clock,
and the recomputation of due dates (FOIA s.10; the arithmetic is in ``foiregister.calendar``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from foiregister import calendar
from foiregister.kernel import access, audit
from foiregister.requests import selectors
from foiregister.requests.exceptions import TimelineError, TransitionError
from foiregister.requests.models import (
    DeadlineRecomputation,
    Request,
    RequestEvent,
)

from .contributions import move_default_contribution_deadlines

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
    S.DUPLICATE: set(),
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
    reference: str = "",
    reviewer: Any = None,
) -> RequestEvent:
    """Add an event to the timeline, move the status where the event implies it, and
    recompute the due dates. Nothing is saved if any check fails.

    ``reviewer``, with a request for internal review, names who carries it out (see
    ``check_reviewer``); ``reference`` is the ICO's for a complaint or decision notice."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    event = RequestEvent(
        request=request,
        kind=kind,
        occurred_on=occurred_on,
        details=details,
        target_on=target_on,
        decision=decision,
        fee_amount=fee_amount,
        reference=reference.strip(),
        recorded_by=by,
    )
    _check_event(request, event)
    reviewer_before = request.reviewer_id
    if reviewer is not None:
        if kind != E.REVIEW_REQUESTED:
            raise TimelineError(
                "a reviewer is named with the request for internal review", field="reviewer"
            )
        check_reviewer(request, reviewer)
        request.reviewer = reviewer
    new_status = EVENT_STATUS.get(kind)
    if new_status and new_status != request.status:
        if kind == E.ACKNOWLEDGED and request.status != S.RECEIVED:
            new_status = None  # an acknowledgement after work began does not step back
        else:
            _check_transition(request, new_status)
    event.save()
    before_status, outcome_before = request.status, request.outcome
    if new_status and new_status != request.status:
        request.status = new_status
    if kind == E.WITHDRAWN:
        request.outcome = Request.Outcome.WITHDRAWN
    elif kind == E.LAPSED:
        request.outcome = Request.Outcome.LAPSED
    request.save()
    before = (request.due_on, request.extended_due_on, request.statutory_due_on)
    moved = recompute_clock(request)
    move_default_contribution_deadlines(
        request, old_base=before[0] or before[1] or before[2], by=by
    )
    # The event's facts as plain values, then ``[old, new]`` for the status and for every
    # stored date the event moved (due, statutory, extended, review...), so the row alone
    # shows what the clock said before (the request history reads pairs as changes).
    changes: dict[str, Any] = {"event": kind, "occurred_on": occurred_on}
    if target_on is not None:
        changes["target_on"] = target_on
    if decision:
        changes["decision"] = decision
    if request.status != before_status:
        changes["status"] = [before_status, request.status]
    if request.outcome != outcome_before:
        changes["outcome"] = [outcome_before, request.outcome]
    if reference:
        changes["reference"] = reference.strip()
    if request.reviewer_id != reviewer_before:
        changes["reviewer"] = [
            _username(reviewer_before),
            getattr(request.reviewer, "username", None),
        ]
    audit.record_event(
        action=f"request.event.{kind}",
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={**changes, **moved},
        note=details,
    )
    return event


def _username(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first()


def response_people(request: Request) -> dict[int, str]:
    """Who answered the request first time: its assignee, whoever recorded the response,
    and whoever drafted, approved or issued a response or refusal letter. Read through the
    reverse relation, so the register needs no import of the letters app above it."""
    people: dict[int, str] = {}
    if request.assignee_id:
        people[request.assignee_id] = "the request's assignee"
    for user_id in request.events.filter(kind=E.RESPONSE_SENT).values_list(
        "recorded_by", flat=True
    ):
        if user_id:
            people.setdefault(user_id, "who sent the response")
    letters = getattr(request, "letters", None)
    if letters is not None:
        rows = letters.filter(kind__in=("response", "refusal_notice")).values_list(
            "created_by", "approved_by", "issued_by"
        )
        for drafted, approved, issued in rows:
            for user_id, role in (
                (approved, "the response's approver"),
                (issued, "the response's signatory"),
                (drafted, "who drafted the response"),
            ):
                if user_id:
                    people.setdefault(user_id, role)
    return people


def check_reviewer(request: Request, reviewer: Any) -> None:
    """An internal review is a fresh look (s.45 Code para 5.9): the reviewer may not be the
    original response's assignee, approver or signatory, and must be able to do casework
    for the request's organisation."""
    if (
        not access.colleagues_of(
            reviewer, roles=access.CASEWORK_ROLES, organisation=request.organisation
        )
        .filter(pk=reviewer.pk)
        .exists()
    ):
        raise TimelineError(
            f"{reviewer} is not an FOI officer or lead of {request.organisation}",
            field="reviewer",
        )
    role = response_people(request).get(reviewer.pk)
    if role:
        raise TimelineError(
            f"{reviewer} cannot review this response: they were {role}; an internal review "
            "is carried out by someone who took no part in the original decision",
            field="reviewer",
        )


@transaction.atomic
def assign_reviewer(*, request: Request, reviewer: Any, by: Any) -> Request:
    """Name (or change) who carries out a pending internal review; audited."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.review_due_on is None or request.review_decided_on is not None:
        raise TimelineError("no internal review is in progress", field="reviewer")
    check_reviewer(request, reviewer)
    before = request.reviewer_id
    request.reviewer = reviewer
    request.save(update_fields=["reviewer", "updated_at"])
    audit.record_event(
        action=audit.AuditAction.REQUEST_REVIEWER_ASSIGNED,
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={"reviewer": [_username(before), reviewer.username]},
    )
    return request


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
        action=audit.AuditAction.REQUEST_STATUS,
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
    "review_decided_on",
    "ico_compliance_due_on",
)


def _apply_clock(request: Request, clock: calendar.RequestClock) -> dict[str, list[Any]]:
    changes = {}
    for name in CLOCK_FIELDS:
        new = getattr(clock, name)
        if getattr(request, name) != new:
            changes[name] = [getattr(request, name), new]
            setattr(request, name, new)
    return changes


def recompute_clock(request: Request) -> dict[str, list[Any]]:
    """Store the dates the timeline gives; return ``{field: [old, new]}`` of those moved."""
    moved = _apply_clock(request, clock_for(request))
    if moved:
        request.save(update_fields=[*CLOCK_FIELDS, "updated_at"])
    return moved


RECOMPUTE_CHUNK = 2000


def recompute_due_dates(
    *,
    requests=None,
    by: Any,
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
    changed = 0
    for start in range(0, len(ids), RECOMPUTE_CHUNK):
        with transaction.atomic():
            changed += _recompute_chunk(
                ids[start : start + RECOMPUTE_CHUNK],
                uk=uk,
                england_and_wales=england_and_wales,
                by=by,
                reason=reason,
            )
        if progress is not None:
            progress(min(start + RECOMPUTE_CHUNK, len(ids)), len(ids), changed)
    return changed


def _recompute_chunk(ids, *, uk, england_and_wales, by, reason) -> int:
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
            audit.build_event(
                action=audit.AuditAction.REQUEST_DATES_RECOMPUTED,
                obj=request,
                by=by,
                organisation_id=request.organisation_id,
                changes=diff,
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
        by = job.requested_by or audit.system(f"deadline recomputation {job.pk}")
        changed = recompute_due_dates(by=by, reason=job.reason, progress=progress)
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
