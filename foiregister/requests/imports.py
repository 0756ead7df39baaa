"""Import an existing FOI log (CSV or XLSX, one row per request): check, then one atomic commit.

An FOI office adopting the register has years of requests in a spreadsheet. Each row becomes
a request with the timeline events its dates imply, so its due dates come from the same
statutory clock (``foiregister.calendar.request_clock``) as a request logged here. Every row is
parsed and checked before anything is written; every bad row is reported as
``log.csv line 14, column fee_paid: '2024-03-01' is before the fees notice (2024-03-04)``
and then nothing is written. Rows upsert on ``reference``: a re-import of the same file
changes nothing and writes no audit row; a changed row updates its request (audited, old
and new values). A reference the register numbered itself is never overwritten.

Imported requests are marked ``imported``, have no requester (the kind of requester is kept
in ``requester_kind``) and are never published here. The codes are the import's own
vocabulary, mapped to the model's below (documented in ``docs/foi-log-import.md``).

Line numbers are the spreadsheet's: the header is line 1, the first row line 2.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.db import transaction
from django.utils import timezone

from foiregister import calendar
from foiregister.kernel import audit, jobs
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.jobs import RowError
from foiregister.kernel.models import Organisation
from foiregister.requests import selectors
from foiregister.requests.models import (
    Exemption,
    ImportJob,
    Question,
    Request,
    Requester,
    RequestEvent,
)

logger = logging.getLogger(__name__)

E = RequestEvent.Kind
S = Request.Status
O = Request.Outcome  # noqa: E741

COLUMNS = (
    "reference",
    "regime",
    "received",
    "title",
    "requester_kind",
    "channel",
    "clarification_sought",
    "clarification_received",
    "fee_notice",
    "fee_paid",
    "extension",
    "extension_estimate",
    "responded",
    "outcome",
    "exemptions",
    "review_requested",
    "review_decided",
    "review_outcome",
)
PROGRESS_EVERY = 200  # rows between progress writes
MAX_MB_SETTING = "FOI_IMPORT_MAX_MB"
DEFAULT_MAX_MB = 20

REQUIRED = ("reference", "regime", "received", "title")
DATE_COLUMNS = (
    "received",
    "clarification_sought",
    "clarification_received",
    "fee_notice",
    "fee_paid",
    "extension_estimate",
    "responded",
    "review_requested",
    "review_decided",
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

# The import's vocabulary -> the model's.
REGIMES = {"FOI": Request.Regime.FOI, "EIR": Request.Regime.EIR, "SAR": Request.Regime.SAR}
REQUESTER_KINDS = {k: k for k in Requester.Kind.values}
CHANNELS = {
    "email": Request.Channel.EMAIL,
    "post": Request.Channel.POST,
    "web": Request.Channel.WEB_FORM,
    "other": Request.Channel.OTHER,
}
EXTENSIONS = {"pit": E.PIT_EXTENSION, "eir": E.EIR_EXTENSION}
OUTCOMES = {
    "granted_in_full": O.GRANTED,
    "partially_withheld": O.PARTIAL,
    "withheld_in_full": O.WITHHELD,
    "not_held": O.NOT_HELD,
    "refused_cost": O.REFUSED_COST,
    "refused_vexatious": O.REFUSED_VEXATIOUS,
    "refused_repeated": O.REFUSED_REPEATED,
    "lapsed": O.LAPSED,
    "withdrawn": O.WITHDRAWN,
}
# A withdrawn or lapsed request has no response: its ``responded`` date is the day it was
# withdrawn or lapsed, recorded as that event.
ENDING_EVENT = {"withdrawn": E.WITHDRAWN, "lapsed": E.LAPSED}
REVIEW_OUTCOMES = {
    "upheld": RequestEvent.ReviewDecision.UPHELD,
    "overturned": RequestEvent.ReviewDecision.OVERTURNED,
    "partly": RequestEvent.ReviewDecision.PARTLY,
}
# How the single imported question is answered, from the outcome.
ANSWER_KINDS = {
    O.GRANTED: Question.AnswerKind.PROVIDED,
    O.NOT_HELD: Question.AnswerKind.NOT_HELD,
    O.REFUSED_COST: Question.AnswerKind.REFUSED_S12,
    O.REFUSED_VEXATIOUS: Question.AnswerKind.REFUSED_S14,
    O.REFUSED_REPEATED: Question.AnswerKind.REFUSED_S14,
}
# The events an import writes, in the order they happen on one day; events of other kinds
# (an ICO complaint recorded here later) are left alone by a re-import.
IMPORTED_KINDS = (
    E.CLARIFICATION_SOUGHT,
    E.CLARIFICATION_RECEIVED,
    E.FEES_NOTICE,
    E.FEE_PAID,
    E.PIT_EXTENSION,
    E.EIR_EXTENSION,
    E.RESPONSE_SENT,
    E.WITHDRAWN,
    E.LAPSED,
    E.REVIEW_REQUESTED,
    E.REVIEW_DECIDED,
)
STATUS_OF = {
    E.CLARIFICATION_SOUGHT: S.AWAITING_CLARIFICATION,
    E.CLARIFICATION_RECEIVED: S.IN_PROGRESS,
    E.FEES_NOTICE: S.AWAITING_FEE,
    E.FEE_PAID: S.IN_PROGRESS,
    E.PIT_EXTENSION: S.PIT_EXTENDED,
    E.EIR_EXTENSION: S.IN_PROGRESS,
    E.RESPONSE_SENT: S.RESPONDED,
    E.WITHDRAWN: S.WITHDRAWN,
    E.LAPSED: S.LAPSED,
}


@dataclass
class ImportResult:
    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "committed": self.committed,
        }


class ImportFailed(FoiRegisterError):
    """The file has bad rows; ``result.errors`` lists every one and nothing was written."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{len(result.errors)} bad row(s) in {result.filename}", field="file")
        self.result = result


@dataclass
class Planned:
    """One checked row: the request's fields and timeline as the import would write them."""

    line: int
    reference: str
    fields: dict[str, Any]
    events: list[tuple[str, datetime.date, datetime.date | None, str]]
    exemptions: list[str]
    existing: Request | None = None

    def state(self) -> dict[str, Any]:
        return {**self.fields, "events": self.events, "exemptions": self.exemptions}


# -- reading -------------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> tablib.Dataset:
    """A tablib Dataset from CSV or XLSX bytes (by extension); Excel date cells stay dates."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    if name.endswith(".csv"):
        return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    raise FoiRegisterError(f"{filename}: only .csv and .xlsx files can be imported", field="file")


def _rows(data: tablib.Dataset) -> Iterator[tuple[int, dict[str, Any]]]:
    headers = [str(h or "").strip().lower() for h in (data.headers or [])]
    for index, row in enumerate(data, start=2):
        values = dict(zip(headers, row, strict=False))
        if all(v in (None, "") for v in values.values()):
            continue
        yield index, values


def _text(row: dict, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _normalise_section(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


class _Row:
    """Collects every error of one row instead of stopping at the first."""

    def __init__(self, filename: str, line: int, row: dict) -> None:
        self.filename, self.line, self.row = filename, line, row
        self.errors: list[RowError] = []

    def error(self, column: str, reason: str) -> None:
        self.errors.append(
            RowError(self.filename, self.line, column, self.row.get(column), reason)
        )

    def date(self, column: str) -> datetime.date | None:
        value = self.row.get(column)
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(self.row, column)
        if not text:
            return None
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.error(column, "is not a date (YYYY-MM-DD or DD/MM/YYYY)")
        return None

    def code(self, column: str, mapping: dict[str, Any], *, upper: bool = False) -> Any:
        text = _text(self.row, column)
        if not text:
            return None
        key = text.upper() if upper else text.lower()
        if key not in mapping:
            self.error(column, f"is not one of {', '.join(mapping)}")
            return None
        return mapping[key]


def _check_row(
    r: _Row,
    *,
    today: datetime.date,
    sections: dict[str, str],
    uk: calendar.WorkingDayCalendar,
) -> Planned | None:
    row = r.row
    reference = _text(row, "reference")
    title = _text(row, "title")
    if not reference:
        r.error("reference", "is required")
    elif len(reference) > Request._meta.get_field("reference").max_length:
        r.error("reference", "is longer than 60 characters")
    if not title:
        r.error("title", "is required")
    elif len(title) > Request._meta.get_field("title").max_length:
        r.error("title", "is longer than 300 characters")
    regime = r.code("regime", REGIMES, upper=True)
    if regime is None and not _text(row, "regime"):
        r.error("regime", "is required")
    requester_kind = r.code("requester_kind", REQUESTER_KINDS) or ""
    channel = r.code("channel", CHANNELS) or Request.Channel.OTHER
    extension_code = _text(row, "extension").lower()
    extension = r.code("extension", EXTENSIONS)
    outcome_code = _text(row, "outcome").lower()
    outcome = r.code("outcome", OUTCOMES)
    review_outcome = r.code("review_outcome", REVIEW_OUTCOMES)
    d = {column: r.date(column) for column in DATE_COLUMNS}
    received = d["received"]
    if received is None and not _text(row, "received"):
        r.error("received", "is required")

    for column, day in d.items():
        if day is not None and day > today:
            r.error(column, f"is in the future (today is {today:%Y-%m-%d})")
    if received is not None:
        for column, day in d.items():
            if column != "received" and day is not None and day < received:
                r.error(column, f"is before the request was received ({received:%Y-%m-%d})")

    def before(later: str, earlier: str, what: str) -> None:
        if d[later] is not None and d[earlier] is not None and d[later] < d[earlier]:
            r.error(later, f"is before {what} ({d[earlier]:%Y-%m-%d})")

    if d["clarification_received"] and not d["clarification_sought"]:
        r.error("clarification_received", "has no clarification_sought")
    before("clarification_received", "clarification_sought", "the clarification was sought")
    if d["fee_paid"] and not d["fee_notice"]:
        r.error("fee_paid", "has no fee_notice")
    before("fee_paid", "fee_notice", "the fees notice")
    if extension_code == "eir" and regime != Request.Regime.EIR:
        r.error("extension", "is an EIR extension on a request that is not EIR")
    if extension_code == "pit" and regime != Request.Regime.FOI:
        r.error("extension", "is a public interest extension on a request that is not FOI")
    if d["extension_estimate"] and extension != E.PIT_EXTENSION:
        r.error("extension_estimate", "is given without a pit extension")
    before("responded", "clarification_received", "the clarification it answers")
    if outcome and not d["responded"]:
        r.error("outcome", "is given without a responded date")
    ending = ENDING_EVENT.get(outcome_code)
    exemption_text = _text(row, "exemptions")
    exemptions: list[str] = []
    for part in exemption_text.split(";"):
        if not part.strip():
            continue
        section = sections.get(_normalise_section(part))
        if section is None:
            r.error("exemptions", f"names an unknown section {part.strip()!r}")
        elif section not in exemptions:
            exemptions.append(section)
    if exemptions and outcome == O.GRANTED:
        r.error("exemptions", "are given on a request granted in full")
    if d["review_requested"]:
        if not d["responded"] or ending:
            r.error("review_requested", "is a review of a request with no response")
        before("review_requested", "responded", "the response")
    if d["review_decided"] and not d["review_requested"]:
        r.error("review_decided", "has no review_requested")
    before("review_decided", "review_requested", "the review was requested")
    if d["review_decided"] and review_outcome is None and not _text(row, "review_outcome"):
        r.error("review_outcome", "is required when the review was decided")
    if _text(row, "review_outcome") and not d["review_decided"]:
        r.error("review_outcome", "is given without review_decided")
    if r.errors:
        return None

    events: list[tuple[str, datetime.date, datetime.date | None, str]] = []

    def add(kind: str, day: datetime.date | None, target=None, decision="") -> None:
        if day is not None:
            events.append((kind, day, target, decision))

    add(E.CLARIFICATION_SOUGHT, d["clarification_sought"])
    add(E.CLARIFICATION_RECEIVED, d["clarification_received"])
    add(E.FEES_NOTICE, d["fee_notice"])
    add(E.FEE_PAID, d["fee_paid"])
    if ending:
        add(ENDING_EVENT[outcome_code], d["responded"])
    else:
        add(E.RESPONSE_SENT, d["responded"])
    add(E.REVIEW_REQUESTED, d["review_requested"])
    add(E.REVIEW_DECIDED, d["review_decided"], decision=review_outcome or "")
    if extension:
        # Taken as claimed in time: dated on the 20th working day (or the response, if that
        # came first), never before the clock (re)started.
        clock = calendar.request_clock(
            regime,
            received,
            [calendar.TimelineStep(k, on) for k, on, _, _ in events],
            uk_calendar=uk,
        )
        on = clock.statutory_due_on or clock.clock_started_on
        if d["responded"] and d["responded"] < on:
            on = d["responded"]
        add(extension, max(on, clock.clock_started_on), d["extension_estimate"])
    events.sort(key=lambda e: (e[1], IMPORTED_KINDS.index(e[0])))
    fields = {
        "regime": regime,
        "received": received,
        "title": title,
        "requester_kind": requester_kind,
        "channel": channel,
        "outcome": outcome or "",
    }
    return Planned(r.line, reference, fields, events, sorted(exemptions))


def _current_state(request: Request) -> dict[str, Any]:
    events = sorted(
        (
            (e.kind, e.occurred_on, e.target_on, e.decision)
            for e in request.events.all()
            if e.kind in IMPORTED_KINDS
        ),
        key=lambda e: (e[1], IMPORTED_KINDS.index(e[0])),
    )
    exemptions = sorted({ex.section for q in request.questions.all() for ex in q.exemptions.all()})
    return {
        "regime": request.regime,
        "received": selectors.date_of_receipt(request.received_at),
        "title": request.title,
        "requester_kind": request.requester_kind,
        "channel": request.channel,
        "outcome": request.outcome,
        "events": events,
        "exemptions": exemptions,
    }


def _parse(
    content: bytes,
    filename: str,
    organisation: Organisation,
    *,
    today: datetime.date,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ImportResult, list[Planned]]:
    result = ImportResult(filename=filename)
    try:
        data = read_table(content, filename)
    except FoiRegisterError:
        raise
    except Exception as exc:  # a file tablib cannot read at all: say so, with the file name
        result.errors.append(RowError(filename, 1, "", None, f"cannot be read ({exc})"))
        return result, []
    headers = {str(h or "").strip().lower() for h in (data.headers or [])}
    for column in REQUIRED:
        if column not in headers:
            result.errors.append(RowError(filename, 1, column, None, "is missing from the header"))
    for column in sorted(headers - set(COLUMNS) - {""}):
        result.errors.append(RowError(filename, 1, column, None, "is not a known column"))
    if result.errors:
        return result, []
    sections = {
        _normalise_section(s): s for s in Exemption.objects.values_list("section", flat=True)
    }
    uk = selectors.working_day_calendar()
    planned: list[Planned] = []
    seen: dict[str, int] = {}
    total = len(data)
    for line, row in _rows(data):
        result.rows += 1
        if progress and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows, total)
        r = _Row(filename, line, row)
        reference = _text(row, "reference")
        if reference in seen:
            r.error("reference", f"is repeated (first on line {seen[reference]})")
        elif reference:
            seen[reference] = line
        plan = _check_row(r, today=today, sections=sections, uk=uk)
        result.errors.extend(r.errors)
        if plan is not None:
            planned.append(plan)
    existing = {
        r.reference: r
        for r in Request.objects.filter(reference__in=[p.reference for p in planned])
        .prefetch_related("events", "questions__exemptions")
        .order_by()
    }
    for plan in planned:
        found = existing.get(plan.reference)
        if found is None:
            continue
        if not found.imported:
            result.errors.append(
                RowError(
                    filename,
                    plan.line,
                    "reference",
                    plan.reference,
                    "is a reference the register numbered itself; an import cannot change it",
                )
            )
        elif found.organisation_id != organisation.pk:
            result.errors.append(
                RowError(
                    filename,
                    plan.line,
                    "reference",
                    plan.reference,
                    "is already used by another organisation's request",
                )
            )
        else:
            plan.existing = found
    result.errors.sort(key=lambda e: e.line)
    return result, planned


def _classify(planned: list[Planned]) -> tuple[list[Planned], list[Planned], int]:
    new, changed, unchanged = [], [], 0
    for plan in planned:
        if plan.existing is None:
            new.append(plan)
        elif _current_state(plan.existing) != plan.state():
            changed.append(plan)
        else:
            unchanged += 1
    return new, changed, unchanged


def preview(
    *,
    content: bytes,
    filename: str,
    organisation: Organisation,
    today: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row and say how many requests a commit would create, update or leave
    unchanged; nothing is written."""
    result, planned = _parse(
        content,
        filename,
        organisation,
        today=today or selectors.local_today(),
        progress=progress,
    )
    if not result.errors:
        new, changed, result.unchanged = _classify(planned)
        result.created, result.updated = len(new), len(changed)
    return result


# -- writing -------------------------------------------------------------------------------


def _status(events) -> str:
    status = S.RECEIVED
    for kind, *_ in events:
        status = STATUS_OF.get(kind, status)
    return status


def _apply(request: Request, plan: Planned, uk: calendar.WorkingDayCalendar) -> None:
    f = plan.fields
    request.regime = f["regime"]
    request.received_at = timezone.make_aware(
        datetime.datetime.combine(f["received"], datetime.time(0))
    )
    request.title = f["title"]
    request.requester_kind = f["requester_kind"]
    request.channel = f["channel"]
    request.outcome = f["outcome"]
    request.status = _status(plan.events)
    clock = calendar.request_clock(
        f["regime"],
        f["received"],
        [calendar.TimelineStep(k, on, target) for k, on, target, _ in plan.events],
        uk_calendar=uk,
    )
    for name in (
        "clock_started_on",
        "statutory_due_on",
        "extended_due_on",
        "due_on",
        "responded_on",
        "review_window_closes_on",
        "review_due_on",
    ):
        setattr(request, name, getattr(clock, name))


def _event_rows(request: Request, plan: Planned, by: Any) -> list[RequestEvent]:
    return [
        RequestEvent(
            request=request,
            kind=kind,
            occurred_on=on,
            target_on=target,
            decision=decision,
            details="Imported from the FOI log",
            recorded_by=audit.user_or_none(by),
        )
        for kind, on, target, decision in plan.events
    ]


def _question(request: Request, plan: Planned) -> Question:
    kind = (
        Question.AnswerKind.EXEMPT
        if plan.exemptions
        else ANSWER_KINDS.get(plan.fields["outcome"], "")
    )
    return Question(request=request, number=1, text=plan.fields["title"], answer_kind=kind)


def commit(
    *,
    content: bytes,
    filename: str,
    organisation: Organisation,
    by: Any,
    today: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row, then write them all in one transaction, or none (``ImportFailed``
    lists every bad row). New requests are written in bulk; changed ones are updated with
    their imported events replaced; each created or changed request gets one audit row."""
    result, planned = _parse(
        content,
        filename,
        organisation,
        today=today or selectors.local_today(),
        progress=progress,
    )
    if result.errors:
        raise ImportFailed(result)
    uk = selectors.working_day_calendar()
    exemption_ids = dict(Exemption.objects.values_list("section", "pk"))
    through = Question.exemptions.through
    with transaction.atomic():
        new, changed, result.unchanged = _classify(planned)
        requests = []
        for plan in new:
            request = Request(organisation=organisation, reference=plan.reference, imported=True)
            _apply(request, plan, uk)
            requests.append(request)
        Request.objects.bulk_create(requests, batch_size=1000)
        events, questions, audit_rows = [], [], []
        for request, plan in zip(requests, new, strict=True):
            events.extend(_event_rows(request, plan, by))
            questions.append(_question(request, plan))
            audit_rows.append(
                audit.build_event(
                    action=audit.AuditAction.REQUEST_IMPORTED,
                    obj=request,
                    by=by,
                    organisation_id=organisation.pk,
                    changes={"file": filename, "line": plan.line, **plan.state()},
                )
            )
        for plan in changed:
            request = plan.existing
            before = _current_state(request)
            _apply(request, plan, uk)
            request.save()
            request.events.filter(kind__in=IMPORTED_KINDS).delete()
            events.extend(_event_rows(request, plan, by))
            question = request.questions.filter(number=1).first()
            if question is None:
                questions.append(_question(request, plan))
            else:
                wanted = _question(request, plan)
                question.text, question.answer_kind = wanted.text, wanted.answer_kind
                question.save(update_fields=["text", "answer_kind"])
                question.exemptions.set([exemption_ids[s] for s in plan.exemptions])
            audit_rows.append(
                audit.build_event(
                    action=audit.AuditAction.REQUEST_IMPORT_UPDATED,
                    obj=request,
                    by=by,
                    organisation_id=organisation.pk,
                    changes={
                        "file": filename,
                        "line": plan.line,
                        **audit.diff(audit.plain(before), audit.plain(plan.state())),
                    },
                )
            )
        RequestEvent.objects.bulk_create(events, batch_size=1000)
        Question.objects.bulk_create(questions, batch_size=1000)
        plans = {p.reference: p for p in [*new, *changed]}
        through.objects.bulk_create(
            [
                through(question_id=q.pk, exemption_id=exemption_ids[section])
                for q in questions
                for section in plans[q.request.reference].exemptions
            ],
            batch_size=1000,
        )
        audit.record_bulk(audit_rows)
        result.created, result.updated = len(new), len(changed)
        if progress:
            progress(result.rows, result.rows)
    result.committed = True
    return result


# -- jobs (the admin's upload, preview and commit) ----------------------------------------


def max_upload_bytes() -> int:
    return jobs.max_upload_bytes(MAX_MB_SETTING, DEFAULT_MAX_MB)


def check_size(size: int, filename: str) -> None:
    """``FOI_IMPORT_MAX_MB`` (default 20 MB) is the largest file the admin takes."""
    message = jobs.too_large(size, filename, setting=MAX_MB_SETTING, default_mb=DEFAULT_MAX_MB)
    if message:
        raise FoiRegisterError(message, field="file")


def preview_in_background(size: int) -> bool:
    """Files over ``FOI_IMPORT_PREVIEW_BACKGROUND_KB`` (default 256 KB, some 2,000 rows)
    are checked in Celery rather than in the web request."""
    from django.conf import settings

    return size > float(getattr(settings, "FOI_IMPORT_PREVIEW_BACKGROUND_KB", 256)) * 1024


def create_job(*, organisation: Organisation, filename: str, content: bytes, by: Any) -> ImportJob:
    """Store an uploaded file with its job and check it: here for a small file; otherwise
    the job stays ``uploaded`` and the caller queues ``tasks.preview_import_job`` after the
    transaction commits."""
    check_size(len(content), filename)
    job = ImportJob.objects.create(
        organisation=organisation, filename=filename, content=content, created_by=by
    )
    if not preview_in_background(len(content)):
        run_preview(job.pk)
        job.refresh_from_db()
    return job


def _save_progress(job_id: int, done: int, total: int) -> None:
    jobs.save_progress(ImportJob, job_id, done, total)


def run_preview(job_id: int) -> ImportJob:
    """Check an uploaded job's file (in Celery for a large one), saving progress as it goes;
    every bad row, or the counts a commit would make, land on the job."""
    job = ImportJob.objects.select_related("organisation").get(pk=job_id)
    if job.status != ImportJob.Status.UPLOADED:
        return job
    try:
        result = preview(
            content=bytes(job.content),
            filename=job.filename,
            organisation=job.organisation,
            progress=lambda done, total: _save_progress(job_id, done, total),
        )
    except FoiRegisterError as exc:
        result = ImportResult(filename=job.filename)
        result.errors.append(RowError(job.filename, 1, "", None, exc.message))
    job.status = ImportJob.Status.PREVIEWED
    job.rows_total, job.rows_done = result.rows, result.rows
    job.errors = [e.as_dict() for e in result.errors]
    job.summary = result.summary()
    job.save(update_fields=["status", "rows_total", "rows_done", "errors", "summary"])
    return job


def queue_commit(job: ImportJob) -> bool:
    """Mark a checked, clean job queued for its commit; False if it cannot be committed
    (errors, or already queued or done). The caller queues ``tasks.run_import_job`` after
    the transaction commits."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED, errors=[]).update(
            status=ImportJob.Status.QUEUED, rows_done=0
        )
    )


def run_job(job_id: int, *, by: Any = None) -> ImportJob:
    """Commit a queued job (the Celery task): every row in one transaction, audited as
    ``by`` (the FOI lead who pressed Import; else the one who uploaded it), or nothing (the
    job says why)."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING)
    try:
        result = commit(
            content=bytes(job.content),
            filename=job.filename,
            organisation=job.organisation,
            by=by or job.created_by or audit.system(f"FOI log import job {job.pk}"),
            progress=lambda done, total: _save_progress(job_id, done, total),
        )
    except ImportFailed as failed:  # the register changed since the preview
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            errors=[e.as_dict() for e in failed.result.errors],
            summary=failed.result.summary(),
            rows_done=0,
            finished_at=timezone.now(),
        )
    except Exception as exc:  # nothing was written (atomic); the job says so, the log says why
        logger.exception("FOI log import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            errors=[
                RowError(job.filename, 1, "", None, f"could not be imported ({exc})").as_dict()
            ],
            rows_done=0,
            finished_at=timezone.now(),
        )
    else:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.SUCCEEDED,
            errors=[],
            summary=result.summary(),
            rows_done=result.rows,
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
