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
in ``requester_kind``; a column of requester details is refused, never read). The codes are
the import's own vocabulary, mapped to the model's below (documented in
``docs/foi-log-import.md``).

A disclosure log carries the questions and answers too, in one of two layouts (chosen by the
header): a row per question (``question_number``, ``question``, ``answer``, ``answer_kind``;
rows sharing a reference are one request, whose columns are given once) or a row per
request (``request_text`` and ``response_text``, split at their numbered lists). Higher
layers extend the commit with steps run in its transaction (ADR 0001: the higher one extends
the lower): intake sketches every imported request for round-robin matching, the disclosure
log publishes those a ``published`` column marks. A step's errors name file, line and
column like the rows' own, and undo the whole import.

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
from foiregister.kernel import audit, hooks, jobs
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
# A row per question (rows sharing a reference are one request) ...
QUESTION_COLUMNS = ("question_number", "question", "answer", "answer_kind")
# ... or a row per request, its questions and answers split at their numbered lists.
TEXT_COLUMNS = ("request_text", "response_text")
# Either layout, or the plain log: put the request on the public disclosure log.
PUBLISHED_COLUMN = "published"
KNOWN_COLUMNS = (*COLUMNS, *QUESTION_COLUMNS, *TEXT_COLUMNS, PUBLISHED_COLUMN)
# The columns of the request itself: in the row-per-question layout given once per reference
# (on any of its rows; the same value if repeated). Exemptions there belong to each question.
REQUEST_COLUMNS = tuple(
    c for c in (*COLUMNS, PUBLISHED_COLUMN) if c not in ("reference", "exemptions")
)
# Words in a column name that mean details of a requester: such a column is refused, so
# nothing about a requester is read from a log, stored, or published.
REQUESTER_WORDS = (
    "requester",
    "applicant",
    "name",
    "email",
    "e-mail",
    "address",
    "phone",
    "postcode",
    "sender",
)
LAYOUT_LOG, LAYOUT_QUESTIONS, LAYOUT_TEXTS = "log", "questions", "texts"
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
# How a question's answer may be described in the file: the model's own codes.
ANSWER_KIND_CODES = {k: k for k in Question.AnswerKind.values if k}
YES = {"yes", "y", "true", "1", "published"}
NO = {"no", "n", "false", "0", ""}
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
    layout: str = LAYOUT_LOG
    requests: int = 0
    questions: int = 0
    answers: int = 0
    published: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        summary = {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "committed": self.committed,
        }
        if self.layout != LAYOUT_LOG:
            summary |= {
                "layout": self.layout,
                "requests": self.requests,
                "questions": self.questions,
                "answers": self.answers,
            }
        if self.published:
            summary["published"] = self.published
        return summary


class ImportFailed(FoiRegisterError):
    """The file has bad rows; ``result.errors`` lists every one and nothing was written."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{len(result.errors)} bad row(s) in {result.filename}", field="file")
        self.result = result


@dataclass
class PlannedQuestion:
    """One question and its answer as the import would write it, and where it came from."""

    number: int
    text: str
    answer: str
    answer_kind: str
    exemptions: list[str]
    line: int
    question_column: str = "question"
    answer_column: str = "answer"

    def state(self) -> tuple:
        return (self.number, self.text, self.answer, self.answer_kind, self.exemptions)


@dataclass
class Planned:
    """One checked request (a row, or the rows sharing a reference): its fields, timeline
    and questions as the import would write them."""

    line: int
    reference: str
    fields: dict[str, Any]
    events: list[tuple[str, datetime.date, datetime.date | None, str]]
    exemptions: list[str]
    existing: Request | None = None
    # None: the plain log's one question (the title); else the file's questions and answers.
    questions: list[PlannedQuestion] | None = None
    body: str = ""
    published: bool = False
    published_line: int = 0

    def where(self, location: str) -> tuple[int, str]:
        """The file's line and column of a published field ("question 2", "answer 2",
        "title"), for an error a step finds in it."""
        parts = location.split()
        if len(parts) >= 2 and parts[0] in ("question", "answer") and parts[1].isdigit():
            for q in self.questions or []:
                if q.number == int(parts[1]):
                    column = q.question_column if parts[0] == "question" else q.answer_column
                    return q.line, column
            if self.questions is None and parts[0] == "question":
                return self.line, "title"
        if location in ("title", "reference"):
            return self.line, location
        return self.line, ""

    def published_texts(self) -> list[tuple[str, str]]:
        """(text, location) of every field the file puts on a published entry, located as
        the disclosure log's check names them."""
        texts = [(self.reference, "reference"), (self.fields["title"], "title")]
        if self.questions is None:
            return [*texts, (self.fields["title"], "question 1")]
        for q in self.questions:
            texts += [(q.text, f"question {q.number}"), (q.answer, f"answer {q.number}")]
        return texts

    def state(self) -> dict[str, Any]:
        state = {**self.fields, "events": self.events, "exemptions": self.exemptions}
        if self.questions is not None:
            state["body"] = self.body
            state["questions"] = [q.state() for q in self.questions]
        return state


@dataclass
class ImportedRequest:
    """What an extending step is given of each request in a committed file (written now or
    unchanged): the request, its text for matching, where each question came from."""

    request: Request
    plan: Planned
    written: bool

    @property
    def line(self) -> int:
        return self.plan.line

    @property
    def question_texts(self) -> list[str]:
        if self.plan.questions is None:
            return [self.plan.fields["title"]]
        return [q.text for q in self.plan.questions]

    @property
    def text(self) -> str:
        """What intake's matcher reads, as ``intake.services.request_text`` builds it."""
        return "\n".join([self.plan.body, *self.question_texts])

    def where(self, location: str) -> tuple[int, str]:
        return self.plan.where(location)


# A higher layer extends every commit from its ``AppConfig.ready`` (ADR 0009) with
# ``step(imported=[ImportedRequest...], filename=..., by=...)``, run in the import's
# transaction after the rows are written; the ``RowError``s it returns fail the whole
# import. A step's ``check(planned=[Planned...], filename=..., organisation=...)``, if it
# has one, runs in the preview (nothing written) so the lead sees the step's errors before
# importing. Each is registered under the step's name.
commit_steps: hooks.Hook[list[RowError]] = hooks.Hook("requests.imports: commit step")
preview_checks: hooks.Hook[list[RowError]] = hooks.Hook("requests.imports: preview check")


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

    def __init__(
        self, filename: str, line: int, row: dict, lines: dict[str, int] | None = None
    ) -> None:
        self.filename, self.line, self.row = filename, line, row
        # A request's column given on a later row of its reference: that row's line.
        self.lines = lines or {}
        self.errors: list[RowError] = []

    def error(self, column: str, reason: str) -> None:
        line = self.lines.get(column, self.line)
        self.errors.append(RowError(self.filename, line, column, self.row.get(column), reason))

    def sections(self, column: str, sections: dict[str, str]) -> list[str]:
        """The exemptions named in ``column`` (``s.40(2); s.43(2)``), each known."""
        found: list[str] = []
        for part in _text(self.row, column).split(";"):
            if not part.strip():
                continue
            section = sections.get(_normalise_section(part))
            if section is None:
                self.error(column, f"names an unknown section {part.strip()!r}")
            elif section not in found:
                found.append(section)
        return sorted(found)

    def whole_number(self, column: str) -> int | None:
        value = self.row.get(column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = _text(self.row, column)
        if not text:
            return None
        if not re.fullmatch(r"\d{1,4}", str(value).strip()) or int(text) < 1:
            self.error(column, "is not a whole number from 1")
            return None
        return int(text)

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
    exemptions = r.sections("exemptions", sections)
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
    published_text = _text(row, PUBLISHED_COLUMN).lower()
    published = published_text in YES
    if published_text not in YES | NO:
        r.error(PUBLISHED_COLUMN, "is not yes or no")
    if published and (not d["responded"] or ending):
        r.error(
            PUBLISHED_COLUMN,
            "is a request with no response: only a response can be published on the "
            "disclosure log",
        )
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
    return Planned(
        r.line,
        reference,
        fields,
        events,
        sorted(exemptions),
        published=published,
        published_line=r.lines.get(PUBLISHED_COLUMN, r.line),
    )


# -- questions and answers ------------------------------------------------------------------

_NUMBERED = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\(?(\d{1,2})[.):]\s+(\S.*)$", re.IGNORECASE)


def numbered_items(text: str, *, join: str = " ") -> list[str]:
    """The items of the numbered list in ``text`` ("1.", "2)", "(3)", "Q4."), numbered 1, 2,
    3... in order, each with its following lines (a bulleted list inside an answer stays
    in it). A line starting with any other number ("2024. The ...") continues the item, so
    a year or a figure never starts one. No list: []."""
    items: list[list[str]] = []
    for line in text.splitlines():
        match = _NUMBERED.match(line)
        if match and int(match.group(1)) == len(items) + 1:
            items.append([match.group(2).strip()])
        elif items and line.strip():
            items[-1].append(line.strip())
    return [join.join(item).strip() for item in items]


def _default_kind(answer: str, exemptions: list[str], outcome: str) -> str:
    """Exempt when exemptions are named, provided when there is an answer, otherwise what
    the request's outcome says of an unanswered question (not held, refused)."""
    if exemptions:
        return Question.AnswerKind.EXEMPT
    if answer:
        return Question.AnswerKind.PROVIDED
    return ANSWER_KINDS.get(outcome, "")


def _merge_request_columns(
    filename: str, reference: str, rows: list[tuple[int, dict]]
) -> tuple[dict[str, Any], dict[str, int], list[RowError]]:
    """A reference's request columns from its rows: each given once (on any row), or the
    same on every row that gives it; a disagreement names both lines."""
    first_line, first = rows[0]
    merged = dict(first)
    merged.pop("exemptions", None)
    given_on = {c: first_line for c in REQUEST_COLUMNS if _text(first, c)}
    errors: list[RowError] = []
    for line, row in rows[1:]:
        for column in REQUEST_COLUMNS:
            value = _text(row, column)
            if not value:
                continue
            if column not in given_on:
                merged[column], given_on[column] = row.get(column), line
            elif value != _text(merged, column):
                errors.append(
                    RowError(
                        filename,
                        line,
                        column,
                        row.get(column),
                        f"disagrees with line {given_on[column]} ({_text(merged, column)!r}) "
                        f"for {reference}: give a request's columns once, or the same on "
                        "each of its rows",
                    )
                )
    return merged, given_on, errors


def _question_rows(
    filename: str,
    reference: str,
    rows: list[tuple[int, dict]],
    *,
    outcome: str,
    sections: dict[str, str],
) -> tuple[list[PlannedQuestion], list[RowError]]:
    """The row-per-question layout: each row with a question is one, numbered by
    ``question_number`` or, left empty, one after the last."""
    questions: list[PlannedQuestion] = []
    errors: list[RowError] = []
    numbers: dict[int, int] = {}
    for line, row in rows:
        r = _Row(filename, line, row)
        text, answer = _text(row, "question"), _text(row, "answer")
        if not text:
            if answer:
                r.error("answer", "is an answer without a question")
            else:
                for column in ("question_number", "answer_kind", "exemptions"):
                    if _text(row, column):
                        r.error(column, "is given on a row without a question")
            errors.extend(r.errors)
            continue
        number = r.whole_number("question_number")
        if number is None and not _text(row, "question_number"):
            number = max(numbers, default=0) + 1
        if number is not None and number in numbers:
            r.error(
                "question_number",
                f"repeats question {number} of {reference} (line {numbers[number]})",
            )
        exemptions = r.sections("exemptions", sections)
        kind = r.code("answer_kind", ANSWER_KIND_CODES)
        if kind is None:
            kind = _default_kind(answer, exemptions, outcome)
        if kind == Question.AnswerKind.EXEMPT and not exemptions and not r.errors:
            r.error("answer_kind", "is exempt but the row names no exemptions")
        if number is not None and not r.errors:
            numbers[number] = line
            questions.append(PlannedQuestion(number, text, answer, kind, exemptions, line))
        errors.extend(r.errors)
    questions.sort(key=lambda q: q.number)
    return questions, errors


def _text_questions(
    r: _Row, *, outcome: str, exemptions: list[str]
) -> tuple[str, list[PlannedQuestion] | None]:
    """The row-per-request layout: ``request_text`` is the request's full text, its
    numbered list the questions (no list: one question); ``response_text``'s numbered list
    the answers, one per question (one question: the whole response). The row's
    exemptions stay on question 1, as in the plain log."""
    request_text = _text(r.row, "request_text")
    response_text = _text(r.row, "response_text")
    if not request_text:
        if response_text:
            r.error("response_text", "is an answer without a question (request_text is empty)")
        return "", None
    texts = numbered_items(request_text) or [re.sub(r"\s+", " ", request_text)]
    answers = [""] * len(texts)
    if response_text:
        if len(texts) == 1:
            answers = [response_text]
        else:
            found = numbered_items(response_text, join="\n")
            if len(found) == len(texts):
                answers = found
            elif found:
                r.error(
                    "response_text",
                    f"has {len(found)} numbered answers for the {len(texts)} numbered "
                    f"questions of request_text: number its answers 1. to {len(texts)}",
                )
            else:
                r.error(
                    "response_text",
                    f"is one answer for the {len(texts)} numbered questions of request_text: "
                    f"number its answers 1. to {len(texts)}, one per question",
                )
    questions = []
    for number, (text, answer) in enumerate(zip(texts, answers, strict=True), start=1):
        sections = exemptions if number == 1 else []
        questions.append(
            PlannedQuestion(
                number,
                text,
                answer,
                _default_kind(answer, sections, outcome),
                sections,
                r.line,
                "request_text",
                "response_text",
            )
        )
    return request_text, questions


def _current_state(request: Request, *, with_questions: bool = False) -> dict[str, Any]:
    events = sorted(
        (
            (e.kind, e.occurred_on, e.target_on, e.decision)
            for e in request.events.all()
            if e.kind in IMPORTED_KINDS
        ),
        key=lambda e: (e[1], IMPORTED_KINDS.index(e[0])),
    )
    exemptions = sorted({ex.section for q in request.questions.all() for ex in q.exemptions.all()})
    state = {
        "regime": request.regime,
        "received": selectors.date_of_receipt(request.received_at),
        "title": request.title,
        "requester_kind": request.requester_kind,
        "channel": request.channel,
        "outcome": request.outcome,
        "events": events,
        "exemptions": exemptions,
    }
    if with_questions:
        state["body"] = request.body
        state["questions"] = [
            (
                q.number,
                q.text,
                q.answer,
                q.answer_kind,
                sorted(e.section for e in q.exemptions.all()),
            )
            for q in sorted(request.questions.all(), key=lambda q: q.number)
        ]
    return state


def _check_header(headers: set[str], filename: str, errors: list[RowError]) -> str:
    """Which layout the header is (the plain log, a row per question, a row per request);
    a missing, unknown or requester column, or two layouts mixed, is an error on line 1."""

    def error(column: str, reason: str) -> None:
        errors.append(RowError(filename, 1, column, None, reason))

    for column in REQUIRED:
        if column not in headers:
            error(column, "is missing from the header")
    for column in sorted(headers - set(KNOWN_COLUMNS) - {""}):
        if any(word in column for word in REQUESTER_WORDS):
            error(
                column,
                "looks like requester data: an import never reads a requester's details (private, "
                "and imported history may be published); delete the column and upload again",
            )
        else:
            error(column, "is not a known column")
    by_question = headers & set(QUESTION_COLUMNS)
    by_request = headers & set(TEXT_COLUMNS)
    if by_question and by_request:
        error(
            sorted(by_request)[0],
            "mixes a row per request (request_text, response_text) with a row per question "
            "(question_number, question, answer, answer_kind): use one layout",
        )
        return LAYOUT_LOG
    if by_question:
        if "question" not in headers:
            error("question", "is missing from the header (a row per question needs it)")
        return LAYOUT_QUESTIONS
    if by_request:
        if "request_text" not in headers:
            error("request_text", "is missing from the header (response_text answers it)")
        return LAYOUT_TEXTS
    return LAYOUT_LOG


def _check_request(
    filename: str,
    reference: str,
    rows: list[tuple[int, dict]],
    *,
    layout: str,
    today: datetime.date,
    sections: dict[str, str],
    uk: calendar.WorkingDayCalendar,
    errors: list[RowError],
) -> Planned | None:
    """Check one request's row (or rows, a row per question), adding every error found."""
    if layout != LAYOUT_QUESTIONS:
        line, row = rows[0]
        r = _Row(filename, line, row)
        plan = _check_row(r, today=today, sections=sections, uk=uk)
        body, questions = "", None
        if layout == LAYOUT_TEXTS:
            body, questions = _text_questions(
                r,
                outcome=plan.fields["outcome"] if plan else "",
                exemptions=plan.exemptions if plan else [],
            )
        errors.extend(r.errors)
        if plan is None or r.errors:
            return None
        plan.body, plan.questions = body, questions
        return plan
    merged, given_on, merge_errors = _merge_request_columns(filename, reference, rows)
    r = _Row(filename, rows[0][0], merged, given_on)
    plan = _check_row(r, today=today, sections=sections, uk=uk)
    outcome = _text(merged, "outcome").lower()
    questions, question_errors = _question_rows(
        filename,
        reference,
        rows,
        outcome=plan.fields["outcome"] if plan else OUTCOMES.get(outcome, ""),
        sections=sections,
    )
    found = [*merge_errors, *r.errors, *question_errors]
    if plan is not None and not found:
        union = sorted({s for q in questions for s in q.exemptions})
        if union and plan.fields["outcome"] == O.GRANTED:
            first = next(q for q in questions if q.exemptions)
            found.append(
                RowError(
                    filename,
                    first.line,
                    "exemptions",
                    ", ".join(first.exemptions),
                    "are given on a request granted in full",
                )
            )
        plan.exemptions = union
        plan.questions = questions or None
    errors.extend(found)
    return None if found else plan


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
    result.layout = _check_header(headers, filename, result.errors)
    if result.errors:
        return result, []
    sections = {
        _normalise_section(s): s for s in Exemption.objects.values_list("section", flat=True)
    }
    uk = selectors.working_day_calendar()
    planned: list[Planned] = []
    total = len(data)
    # Rows of one request: one row each, or (a row per question) every row of its reference.
    groups: dict[str, list[tuple[int, dict]]] = {}
    for line, row in _rows(data):
        result.rows += 1
        if progress and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows, total)
        reference = _text(row, "reference")
        if reference in groups and result.layout != LAYOUT_QUESTIONS:
            first = groups[reference][0][0]
            result.errors.append(
                RowError(
                    filename, line, "reference", reference, f"is repeated (first on line {first})"
                )
            )
            continue
        groups.setdefault(reference or f"\0{line}", []).append((line, row))
    for key, rows in groups.items():
        reference = "" if key.startswith("\0") else key
        plan = _check_request(
            filename,
            reference,
            rows,
            layout=result.layout,
            today=today,
            sections=sections,
            uk=uk,
            errors=result.errors,
        )
        if plan is not None:
            planned.append(plan)
    result.requests = len(planned)
    result.questions = sum(len(p.questions or ()) for p in planned)
    result.answers = sum(1 for p in planned for q in p.questions or () if q.answer)
    result.published = sum(1 for p in planned if p.published)
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
        if found.organisation_id != organisation.pk:
            result.errors.append(
                RowError(
                    filename,
                    plan.line,
                    "reference",
                    plan.reference,
                    "is already used by another organisation's request",
                )
            )
        elif not found.imported:
            result.errors.append(
                RowError(
                    filename,
                    plan.line,
                    "reference",
                    plan.reference,
                    "is a reference the register numbered itself; an import cannot change it",
                )
            )
        else:
            plan.existing = found
    result.errors.sort(key=lambda e: e.line)
    return result, planned


def _classify(planned: list[Planned]) -> tuple[list[Planned], list[Planned], list[Planned]]:
    new, changed, unchanged = [], [], []
    for plan in planned:
        if plan.existing is None:
            new.append(plan)
        elif (
            _current_state(plan.existing, with_questions=plan.questions is not None)
            != plan.state()
        ):
            changed.append(plan)
        else:
            unchanged.append(plan)
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
        for errors in preview_checks.call(
            planned=planned, filename=filename, organisation=organisation
        ):
            result.errors.extend(errors)
    result.errors.sort(key=lambda e: e.line)
    if not result.errors:
        new, changed, unchanged = _classify(planned)
        result.created, result.updated, result.unchanged = len(new), len(changed), len(unchanged)
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
    if plan.questions is not None:
        request.body = plan.body
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


def _questions(request: Request, plan: Planned) -> list[tuple[Question, list[str]]]:
    """The questions to create, each with the sections of its exemptions."""
    if plan.questions is None:
        return [(_question(request, plan), plan.exemptions)]
    return [
        (
            Question(
                request=request,
                number=q.number,
                text=q.text,
                answer=q.answer,
                answer_kind=q.answer_kind,
            ),
            q.exemptions,
        )
        for q in plan.questions
    ]


def _update_questions(
    request: Request, plan: Planned, exemption_ids: dict[str, int]
) -> list[tuple[Question, list[str]]]:
    """Bring a re-imported request's questions to the file's: the plain log changes
    question 1's text and answer kind only (an answer written here since is kept); a file
    with questions and answers sets each question it numbers and removes those it no
    longer has. Returns the questions still to create."""
    existing = {q.number: q for q in request.questions.all()}
    wanted = _questions(request, plan)
    to_create = []
    for question, sections in wanted:
        found = existing.pop(question.number, None)
        if found is None:
            to_create.append((question, sections))
            continue
        found.text, found.answer_kind = question.text, question.answer_kind
        fields = ["text", "answer_kind"]
        if plan.questions is not None:
            found.answer = question.answer
            fields.append("answer")
        found.save(update_fields=fields)
        found.exemptions.set([exemption_ids[s] for s in sections])
    if plan.questions is not None and existing:
        Question.objects.filter(pk__in=[q.pk for q in existing.values()]).delete()
    return to_create


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
        new, changed, unchanged = _classify(planned)
        result.unchanged = len(unchanged)
        requests = []
        for plan in new:
            request = Request(organisation=organisation, reference=plan.reference, imported=True)
            _apply(request, plan, uk)
            requests.append(request)
        Request.objects.bulk_create(requests, batch_size=1000)
        events, audit_rows = [], []
        questions: list[tuple[Question, list[str]]] = []
        for request, plan in zip(requests, new, strict=True):
            events.extend(_event_rows(request, plan, by))
            questions.extend(_questions(request, plan))
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
            before = _current_state(request, with_questions=plan.questions is not None)
            _apply(request, plan, uk)
            request.save()
            request.events.filter(kind__in=IMPORTED_KINDS).delete()
            events.extend(_event_rows(request, plan, by))
            questions.extend(_update_questions(request, plan, exemption_ids))
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
        Question.objects.bulk_create([q for q, _ in questions], batch_size=1000)
        through.objects.bulk_create(
            [
                through(question_id=q.pk, exemption_id=exemption_ids[section])
                for q, sections in questions
                for section in sections
            ],
            batch_size=1000,
        )
        audit.record_bulk(audit_rows)
        result.created, result.updated = len(new), len(changed)
        imported = [
            *(ImportedRequest(r, p, written=True) for r, p in zip(requests, new, strict=True)),
            *(ImportedRequest(p.existing, p, written=True) for p in changed),
            *(ImportedRequest(p.existing, p, written=False) for p in unchanged),
        ]
        for errors in commit_steps.call(imported=imported, filename=filename, by=by):
            result.errors.extend(errors)
        if result.errors:
            result.errors.sort(key=lambda e: (e.line, e.column))
            raise ImportFailed(result)  # undoes every row: this is the import's transaction
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
    jobs.record_preview(job, result, rows_done=result.rows)
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
        jobs.record_failure(
            ImportJob, job_id, failed.result.errors, summary=failed.result.summary()
        )
    except Exception as exc:  # nothing was written (atomic); the job says so, the log says why
        logger.exception("FOI log import job %s failed", job_id)
        jobs.record_failure(
            ImportJob,
            job_id,
            [RowError(job.filename, 1, "", None, f"could not be imported ({exc})")],
        )
    else:
        jobs.record_success(ImportJob, job_id, result)
    job.refresh_from_db()
    return job
