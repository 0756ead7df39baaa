"""Taking an earlier answer: what its live blocks would say today for the officer's own
organisation, and, in words, what changed since the earlier letter froze them.

An earlier answer is a plain dict in the shape of an issued letter's frozen content for one
question (``context.question_content``; the disclosure log's ``answers.from_letter`` gives
the same shape for a published response): answer kind, text, link, exemptions, public
interest reasoning and ``blocks``, each ``{"type", "params", "data"}`` with ``data`` the
value frozen at issue. ``describe_changes`` compares two block values and says what moved
("1 contract has ended since (...)"); it reads no database, so it is tested with hand-made
before and after data.

Parameters are re-pointed before a block is re-evaluated: a "live on" date that the block
type defaults to today moves to today (the question is asked again now), and parameters
that name another organisation's own objects (its CDCs, its area code) are dropped with a
note, so the block reports the officer's organisation. When a "live on" date moves, a date
in the answer's text that is exactly the block's old date, written once, moves with it
(``retime_text``), so the prose and the refreshed block agree; a date that cannot be moved
safely is left and named in a note for the officer to check.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from contracts import selectors as contract_selectors
from foiregister.kernel import figures
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.requests.models import Request

from .blocks import REGISTRY
from .models import Letter

#: The letters whose frozen answers are offered again: a response or a refusal notice.
ANSWER_LETTER_KINDS = (Letter.Kind.RESPONSE, Letter.Kind.REFUSAL_NOTICE)

#: Parameters naming an organisation's own objects: re-pointed to the officer's
#: organisation's, or dropped, when the earlier answer is another organisation's.
OWN_OBJECT_PARAMS = {"cdcs_hosted": ("cdcs",), "standardised_imaging_rate": ("area",)}


# -- what changed, in words -----------------------------------------------------------------


def _day(value: Any) -> str:
    if not value:
        return ""
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b %Y}"


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _money(value: Any) -> str:
    try:
        return figures.money(value, empty="withheld")
    except ValueError:
        return str(value)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _contract_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    if "contracts" in data:
        return list(data.get("contracts") or [])
    rows = []
    for supplier in data.get("suppliers") or []:
        rows.extend(supplier.get("contracts") or [])
    return rows


def _contract_key(row: dict[str, Any]) -> str:
    return str(row.get("reference") or f"{row.get('supplier')}|{row.get('title')}")


def _contract_label(row: dict[str, Any]) -> str:
    return ", ".join(str(p) for p in (row.get("supplier"), row.get("title")) if p)


def _as_on(after: dict[str, Any], today: datetime.date | None) -> datetime.date | None:
    value = after.get("active_on") or after.get("on")
    try:
        return datetime.date.fromisoformat(value) if value else today
    except ValueError:
        return today


def _contract_changes(before, after, today) -> list[str]:
    old = {_contract_key(r): r for r in _contract_rows(before)}
    new = {_contract_key(r): r for r in _contract_rows(after)}
    on = _as_on(after, today)
    ended, gone, added, changed = [], [], [], []
    for key, row in old.items():
        if key in new:
            continue
        end = row.get("end_date")
        if end and on and _date(end) is not None and _date(end) < on:
            ended.append(f"{_contract_label(row)}, ended {_day(end)}")
        else:
            gone.append(_contract_label(row))
    for key, row in new.items():
        if key not in old:
            added.append(_contract_label(row))
            continue
        was = old[key]
        label = _contract_label(row)
        if (was.get("value"), was.get("value_withheld")) != (
            row.get("value"),
            row.get("value_withheld"),
        ):
            changed.append(
                f"{label}: value changed from {_money(was.get('value'))} to "
                f"{_money(row.get('value'))}"
            )
        if (was.get("end_date"), was.get("end_date_to_be_agreed")) != (
            row.get("end_date"),
            row.get("end_date_to_be_agreed"),
        ):
            changed.append(
                f"{label}: expiry changed from {_expiry(was)} to {_expiry(row)}",
            )
    out = []
    if ended:
        verb = "has" if len(ended) == 1 else "have"
        out.append(
            f"{_plural(len(ended), 'contract', 'contracts')} {verb} ended since "
            f"({'; '.join(ended)})"
        )
    if gone:
        verb = "is" if len(gone) == 1 else "are"
        out.append(
            f"{_plural(len(gone), 'contract', 'contracts')} {verb} no longer listed "
            f"({'; '.join(gone)})"
        )
    if added:
        out.append(f"{_plural(len(added), 'new contract', 'new contracts')} ({'; '.join(added)})")
    return out + changed


def _expiry(row: dict[str, Any]) -> str:
    if row.get("end_date_to_be_agreed"):
        return "to be agreed"
    return _day(row.get("end_date")) or "no fixed expiry"


def _spend_changes(before, after, today) -> list[str]:
    if before.get("total") == after.get("total"):
        return []
    year = after.get("financial_year") or before.get("financial_year")
    kind = str(after.get("kind_label") or "").lower()
    what = f"total {kind} spend {year}" if kind else f"total spend {year}"
    was = _money(before.get("total")) if before.get("reported") else "none reported"
    now = _money(after.get("total")) if after.get("reported") else "none reported"
    return [f"{what} changed from {was} to {now}"]


def _specialty_changes(before, after, today) -> list[str]:
    old = {s["specialty"]: set(s.get("providers") or []) for s in before.get("specialties") or []}
    new = {s["specialty"]: set(s.get("providers") or []) for s in after.get("specialties") or []}
    out = []
    for name in sorted(set(old) | set(new)):
        joined = sorted(new.get(name, set()) - old.get(name, set()))
        left = sorted(old.get(name, set()) - new.get(name, set()))
        if joined:
            out.append(
                f"{name}: {_plural(len(joined), 'new provider', 'new providers')} "
                f"({', '.join(joined)})"
            )
        if left:
            out.append(f"{name}: {', '.join(left)} no longer listed")
    return out


def _count(value: Any) -> str:
    try:
        return figures.count(value, empty="none")
    except ValueError:
        return str(value)


def _percent(value: Any) -> str:
    try:
        return figures.percent(value, places=1, empty="none")
    except ValueError:
        return str(value)


def _cdc_changes(before, after, today) -> list[str]:
    old = {c["name"]: c for c in before.get("cdcs") or []}
    new = {c["name"]: c for c in after.get("cdcs") or []}
    out = []
    added = [n for n in new if n not in old]
    gone = [n for n in old if n not in new]
    if added:
        out.append(f"{_plural(len(added), 'new CDC', 'new CDCs')} ({'; '.join(added)})")
    if gone:
        verb = "is" if len(gone) == 1 else "are"
        out.append(
            f"{_plural(len(gone), 'CDC', 'CDCs')} {verb} no longer listed ({'; '.join(gone)})"
        )
    for name in [n for n in new if n in old]:
        was = {m["modality"]: m for m in old[name].get("modalities") or []}
        for m in new[name].get("modalities") or []:
            w = was.get(m["modality"])
            label = f"{name}, {m.get('label') or m['modality']}"
            if w is None:
                out.append(f"{label}: newly reported")
                continue
            months, old_months = (
                len(m.get("activity_months") or []),
                len(w.get("activity_months") or []),
            )
            if months != old_months:
                out.append(
                    f"{label}: activity now reported for "
                    f"{_plural(months, 'month', 'months')} (was {old_months})"
                )
            if m.get("actual") != w.get("actual"):
                out.append(
                    f"{label}: activity changed from {_count(w.get('actual'))} to "
                    f"{_count(m.get('actual'))}"
                )
            if m.get("utilisation") != w.get("utilisation"):
                out.append(
                    f"{label}: utilisation changed from {_percent(w.get('utilisation'))} to "
                    f"{_percent(m.get('utilisation'))}"
                )
            if m.get("capacity") != w.get("capacity"):
                out.append(
                    f"{label}: capacity changed from {_count(w.get('capacity'))} to "
                    f"{_count(m.get('capacity'))}"
                )
    return out


def _plan_changes(before, after, today) -> list[str]:
    old = [p.get("title", "") for p in before.get("plans") or []]
    new = [p.get("title", "") for p in after.get("plans") or []]
    out = []
    added = [t for t in new if t not in old]
    gone = [t for t in old if t not in new]
    if added:
        out.append(
            f"{_plural(len(added), 'new plan', 'new plans')} to procure ({'; '.join(added)})"
        )
    if gone:
        verb = "is" if len(gone) == 1 else "are"
        out.append(
            f"{_plural(len(gone), 'plan', 'plans')} {verb} no longer open ({'; '.join(gone)})"
        )
    return out


_DESCRIBERS = {
    "independent_sector_contracts": _contract_changes,
    "live_insourcing_contracts": _contract_changes,
    "spend_total": _spend_changes,
    "insourcing_providers_by_specialty": _specialty_changes,
    "cdcs_hosted": _cdc_changes,
    "planned_procurements": _plan_changes,
}

FIGURES_CHANGED = "figures changed since"


def describe_changes(
    block_type: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    today: datetime.date | None = None,
) -> list[str]:
    """What moved between a block's frozen value (``before``) and its value now
    (``after``), one sentence each; empty when nothing did. ``today`` decides whether a
    contract that is no longer listed has ended (when the data carries no "live on" date).

    Contracts (added, ended, value or expiry changed), spend totals, insourcing providers,
    CDC months and figures and procurement plans are described; any other block that
    differs gives the one sentence ``FIGURES_CHANGED``.
    """
    if before is None or after is None or before == after:
        return []
    describe = _DESCRIBERS.get(block_type)
    found = describe(before, after, today) if describe else []
    return found or [FIGURES_CHANGED]


# -- re-pointing parameters and re-evaluating blocks ---------------------------------------------


@dataclass
class BlockPreview:
    """One block of an earlier answer as it would be taken: the parameters it gets, the
    notes on what was re-pointed or dropped, and what changed since."""

    block_type: str
    title: str
    params: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def usable(self) -> bool:
        return self.params is not None


@dataclass
class AnswerPreview:
    answer: str
    answer_kind: str
    answer_kind_label: str
    elsewhere_url: str
    public_interest_reasoning: str
    exemption_sections: list[str]
    own_organisation: bool
    blocks: list[BlockPreview] = field(default_factory=list)
    #: Said once for the whole answer (e.g. "the figures will be your organisation's").
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[str]:
        return [c for b in self.blocks for c in b.changes]


def _label(kind, name: str) -> str:
    return next((p.label for p in kind.params if p.name == name), name)


def _defaults_to_today(param, today: datetime.date) -> bool:
    """A "live on" date: the block asks about the day it is answered, so a question asked
    again is answered as at today, not as at the earlier letter."""
    return (
        param.kind == "date"
        and callable(param.default)
        and (param.default(today) == today.isoformat())
    )


def repoint_params(
    block_type: str,
    params: dict[str, Any],
    *,
    organisation,
    own_organisation: bool,
    today: datetime.date,
) -> tuple[dict[str, Any] | None, list[str]]:
    """The parameters the block gets on the officer's question, and notes saying what was
    moved or dropped. ``None`` when the block cannot be taken (its type is unknown here, or
    its parameters no longer validate), with the reason in the notes."""
    kind = REGISTRY.get(block_type)
    if kind is None:
        return None, [f"{block_type}: this kind of live block is not available here"]
    params = dict(params or {})
    notes: list[str] = []
    for param in kind.params:
        if _defaults_to_today(param, today) and params.get(param.name):
            if params[param.name] != today.isoformat():
                notes.append(
                    f"{param.label} moved to today ({_day(today)}; was {_day(params[param.name])})"
                )
            params[param.name] = today.isoformat()
    if block_type == "cdcs_hosted" and params.get("cdcs"):
        mine = set(contract_selectors.cdc_names_for(organisation=organisation))
        kept = [n for n in params["cdcs"] if n in mine]
        dropped = [n for n in params["cdcs"] if n not in mine]
        if dropped:
            whose = "not among your organisation's" if own_organisation else "another body's"
            notes.append(
                f"{_label(kind, 'cdcs')}: {', '.join(dropped)} dropped ({whose} CDCs); "
                + (
                    "the block lists the rest"
                    if kept
                    else "the block lists every CDC your organisation hosts or serves"
                )
            )
        params["cdcs"] = kept
    if block_type == "standardised_imaging_rate" and params.get("area") and not own_organisation:
        notes.append(
            f"{_label(kind, 'area')} {params['area']} dropped: the figures will be your "
            f"organisation's ({organisation.ods_code})"
        )
        params["area"] = ""
    try:
        cleaned = kind.clean(params)
    except FoiRegisterError as exc:
        return None, [*notes, f"{kind.title}: cannot be taken ({exc.message})"]
    return cleaned, notes


# -- the answer's text beside its re-pointed blocks ------------------------------------------

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(_MONTHS, 1)}
_MONTH_NUMBER.update({m[:3].lower(): i for i, m in enumerate(_MONTHS, 1)})
_MONTH_NUMBER["sept"] = 9
_FULL_MONTHS = frozenset(m.lower() for m in _MONTHS)
_MONTH_WORD = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
#: The ways an officer writes a date in an answer: "22 July 2025", "22nd Jul 2025",
#: "22/07/2025" (day first, as in the UK) and "2025-07-22". Not inside a longer number.
_DATE_IN_TEXT = re.compile(
    rf"(?<![\w/.-])(?:"
    rf"(?P<day>\d{{1,2}})(?P<suffix>st|nd|rd|th)?\s+(?P<month>{_MONTH_WORD})\.?,?\s+(?P<year>\d{{4}})"
    rf"|(?P<nday>\d{{1,2}})/(?P<nmonth>\d{{1,2}})/(?P<nyear>\d{{4}})"
    rf"|(?P<iyear>\d{{4}})-(?P<imonth>\d{{2}})-(?P<iday>\d{{2}})"
    rf")(?![\w/]|-\d)",
    re.IGNORECASE,
)


def _found_date(match: re.Match) -> datetime.date | None:
    try:
        if match["day"]:
            month = _MONTH_NUMBER[match["month"].lower()]
            return datetime.date(int(match["year"]), month, int(match["day"]))
        if match["nday"]:
            return datetime.date(int(match["nyear"]), int(match["nmonth"]), int(match["nday"]))
        return datetime.date(int(match["iyear"]), int(match["imonth"]), int(match["iday"]))
    except ValueError:  # "31/02/2026" is no date
        return None


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _written_like(match: re.Match, day: datetime.date) -> str:
    """``day`` written the way ``match`` wrote its date: "30 November 2026" for "22 July
    2025", "30th Nov 2026" for "22nd Jul 2025", "30/11/2026", "2026-11-30"."""
    if match["iyear"]:
        return day.isoformat()
    if match["nday"]:
        pad = len(match["nmonth"]) == 2 or match["nday"].startswith("0")
        return (
            f"{day.day:02d}/{day.month:02d}/{day.year}"
            if pad
            else f"{day.day}/{day.month}/{day.year}"
        )
    written = match[0]
    name = _MONTHS[day.month - 1]
    word = match["month"]
    # "May" is both: written in full, so the new month is too.
    month = name if word.lower() in _FULL_MONTHS else name[:3]
    if word.isupper():
        month = month.upper()
    elif word.islower():
        month = month.lower()
    number = (
        f"{day.day:02d}"
        if len(match["day"]) == 2 and match["day"].startswith("0")
        else str(day.day)
    )
    suffix = _ordinal(day.day) if match["suffix"] else ""
    rest = written[written.lower().index(word.lower()) + len(word) :]
    between = rest[: len(rest) - len(match["year"])]
    if month == name and len(name) <= 4:  # "May", "June", "July": no abbreviation's stop
        between = between.lstrip(".")
    return f"{number}{suffix} {month}{between}{day.year}"


def _long(day: datetime.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def retime_text(
    text: str,
    moves: dict[datetime.date, datetime.date],
    *,
    kept: frozenset[datetime.date] | set[datetime.date] = frozenset(),
) -> tuple[str, list[str]]:
    """The answer's text with each date that was a live block's "live on" date (the keys
    of ``moves``) moved to that block's new date, and a note for each.

    Only an exact, unambiguous match is rewritten: the date written once in the text (in
    any of the ways ``_DATE_IN_TEXT`` reads), and not also a date that a block keeps
    (``kept``: another block's period, say), since the text might then mean that one.
    Otherwise the text is left and the note asks the officer to check it: an answer is
    never changed on a guess. Pure: no database, tested with hand-made text."""
    notes: list[str] = []
    if not text or not moves:
        return text, notes
    found: dict[datetime.date, list[re.Match]] = {}
    for match in _DATE_IN_TEXT.finditer(text):
        day = _found_date(match)
        if day in moves:
            found.setdefault(day, []).append(match)
    rewrite: list[tuple[re.Match, datetime.date]] = []
    for old, matches in sorted(found.items()):
        new = moves[old]
        if old in kept:
            notes.append(
                f"Text: {_long(old)} left as it is, because another live block still uses "
                f"that date: check whether it should say {_long(new)}, the date the moved "
                "block now gives its figures for"
            )
        elif len(matches) > 1:
            notes.append(
                f"Text: {_long(old)} appears {len(matches)} times and was left as it is: "
                f"check which should say {_long(new)}, the date the live block now gives its "
                "figures for"
            )
        else:
            (match,) = matches
            rewrite.append((match, new))
            notes.append(
                f"Text: \u201c{match[0]}\u201d changed to \u201c{_written_like(match, new)}\u201d "
                "to match the live block's new date"
            )
    for match, new in sorted(rewrite, key=lambda pair: pair[0].start(), reverse=True):
        text = text[: match.start()] + _written_like(match, new) + text[match.end() :]
    return text, notes


def moved_dates(
    block_type: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> tuple[dict[datetime.date, datetime.date], set[datetime.date]]:
    """A re-pointed block's date parameters: those that moved (old date to new) and those
    it keeps as they were."""
    kind = REGISTRY.get(block_type)
    moved: dict[datetime.date, datetime.date] = {}
    kept: set[datetime.date] = set()
    for param in kind.params if kind else ():
        if param.kind != "date":
            continue
        old, new = _date(before.get(param.name) or ""), _date(after.get(param.name) or "")
        if old is not None and new is not None and old != new:
            moved[old] = new
        elif new is not None:
            kept.add(new)
    return moved, kept


@dataclass
class RepointedAnswer:
    """An earlier answer made the officer's: its text (dates moved with the blocks), each
    earlier block's parameters (``None``: not taken) and notes, and notes on the text."""

    answer: str
    blocks: list[tuple[str, dict[str, Any] | None, list[str]]]
    text_notes: list[str]

    @property
    def notes(self) -> list[str]:
        return [n for _, _, notes in self.blocks for n in notes] + self.text_notes

    @property
    def usable_blocks(self) -> list[tuple[str, dict[str, Any]]]:
        return [(t, p) for t, p, _ in self.blocks if p is not None]


def repoint_answer(
    earlier: dict[str, Any],
    *,
    organisation,
    own_organisation: bool,
    today: datetime.date,
) -> RepointedAnswer:
    """The one rule for an answer given again (a single take, or a batch's copy): each live
    block re-pointed (``repoint_params``), and the text's own mention of a block's old
    "live on" date moved with it (``retime_text``)."""
    blocks = []
    moves: dict[datetime.date, datetime.date] = {}
    kept: set[datetime.date] = set()
    for block in earlier.get("blocks") or []:
        block_type = str(block.get("type") or "")
        before = block.get("params") or {}
        params, notes = repoint_params(
            block_type,
            before,
            organisation=organisation,
            own_organisation=own_organisation,
            today=today,
        )
        blocks.append((block_type, params, notes))
        if params is not None:
            block_moves, block_kept = moved_dates(block_type, before, params)
            moves.update(block_moves)
            kept |= block_kept
    text, text_notes = retime_text(str(earlier.get("answer") or ""), moves, kept=kept)
    return RepointedAnswer(text, blocks, text_notes)


def answer_as_it_stands(question) -> dict[str, Any]:
    """A question's answer as it is now, in the shape of a letter's frozen question (its
    blocks without a frozen value): what a batch copies from its source request."""
    return {
        "number": question.number,
        "text": question.text,
        "answer_kind": question.answer_kind,
        "answer_kind_label": question.get_answer_kind_display() if question.answer_kind else "",
        "answer": question.answer,
        "elsewhere_url": question.elsewhere_url,
        "public_interest_reasoning": question.public_interest_reasoning,
        "exemptions": [
            {"code": e.code, "section": e.section, "title": e.title}
            for e in question.exemptions.all()
        ],
        "blocks": [
            {"type": b.block_type, "params": b.params, "data": None}
            for b in question.live_blocks.order_by("position", "id")
        ],
    }


def preview_earlier_answer(
    earlier: dict[str, Any],
    *,
    organisation,
    own_organisation: bool,
    today: datetime.date,
) -> AnswerPreview:
    """The earlier answer as the officer would take it: its blocks re-pointed and fetched
    for ``organisation`` from today's registers. For the same organisation each block's
    frozen value (if the answer was issued in a letter) is compared with today's, and the
    changes said in words; for another organisation's answer, the figures are simply the
    officer's own, so no comparison is made."""
    preview = AnswerPreview(
        answer=str(earlier.get("answer") or ""),
        answer_kind=str(earlier.get("answer_kind") or ""),
        answer_kind_label=str(earlier.get("answer_kind_label") or ""),
        elsewhere_url=str(earlier.get("elsewhere_url") or ""),
        public_interest_reasoning=str(earlier.get("public_interest_reasoning") or ""),
        exemption_sections=[
            str(e.get("section") or e.get("code") or "") for e in earlier.get("exemptions") or []
        ],
        own_organisation=own_organisation,
    )
    blocks = earlier.get("blocks") or []
    if not own_organisation:
        preview.notes.append(
            "Another organisation's published answer: its text is theirs; check it is true "
            "of your organisation before it is sent."
        )
    if blocks and not own_organisation:
        preview.notes.append(
            "The live blocks will show your own organisation's figures from today's "
            "registers, not the other organisation's."
        )
    repointed = repoint_answer(
        earlier, organisation=organisation, own_organisation=own_organisation, today=today
    )
    preview.answer = repointed.answer
    preview.notes += repointed.text_notes
    for block, (block_type, params, notes) in zip(blocks, repointed.blocks, strict=True):
        kind = REGISTRY.get(block_type)
        shown = BlockPreview(block_type, kind.title if kind else block_type, params, notes=notes)
        preview.blocks.append(shown)
        if params is None or not own_organisation:
            continue
        try:
            now = kind.load(organisation=organisation, params=params)
        except FoiRegisterError as exc:
            shown.error = exc.message
            continue
        before = block.get("data")
        if before is None:
            shown.notes.append(
                "no value was frozen in an issued letter, so there is nothing to compare"
            )
        else:
            shown.changes = describe_changes(block_type, before, now, today=today)
    return preview


def earlier_answer_of(request: Request, number: int) -> tuple[dict[str, Any], Letter | None]:
    """Question ``number`` of an earlier request of the officer's own organisation, as its
    latest issued response or refusal notice froze it (with every block's value at issue),
    or, if none was issued, as the question stands (blocks without a frozen value)."""
    letter = (
        Letter.objects.filter(
            request=request, kind__in=ANSWER_LETTER_KINDS, status=Letter.Status.ISSUED
        )
        .order_by("-issued_at", "-id")
        .first()
    )
    if letter is not None:
        for q in letter.content.get("questions") or []:
            if q.get("number") == number:
                return q, letter
    question = request.questions.prefetch_related("exemptions", "live_blocks").get(number=number)
    return answer_as_it_stands(question), None
