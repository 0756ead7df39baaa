"""Every read of the disclosure log. ``public_disclosure_log()`` is the only public gate:
public views, the API, the feed and the sitemap start from it (MuckRock's ``get_public``)."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from foiregister import calendar
from foiregister.intake import matching
from foiregister.intake.mail import split_questions
from foiregister.kernel import fulltext
from foiregister.kernel.models import Organisation
from foiregister.letters import selectors as letter_selectors
from foiregister.letters.models import Letter, LetterDocument
from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Request, RequestLink

from . import answers, checks
from .models import (
    AcceptedFinding,
    DisclosureLogEntry,
    PrivateName,
    PublishedAttachment,
    SearchIndexEntry,
)

# The regulator's published helpline, quoted in every response letter's rights paragraph.
ICO_HELPLINE = "0303 123 1113"

PUBLISHABLE_STATUSES = (Request.Status.RESPONDED, Request.Status.CLOSED)
PUBLISH_PERMISSION = "disclosure.publish_response"

# Markers PostgreSQL puts around matches in a headline; the view escapes the text and
# then turns them into <mark>, so an answer's own markup never reaches the page as HTML.
HIGHLIGHT_START = "\u27ea"
HIGHLIGHT_STOP = "\u27eb"

# The letters a response is published with: its response, or its refusal notice (s.12,
# s.14, exemptions), whichever was issued last; a correction supersedes what it corrects.
PUBLISHED_LETTER_KINDS = (Letter.Kind.RESPONSE, Letter.Kind.REFUSAL_NOTICE)


def public_disclosure_log() -> QuerySet[DisclosureLogEntry]:
    """The single public gate: published, not withdrawn."""
    return DisclosureLogEntry.objects.filter(withdrawn_at__isnull=True).select_related(
        "organisation"
    )


def public_entry(public_id: str) -> DisclosureLogEntry | None:
    return public_disclosure_log().filter(public_id=public_id).first()


def _filtered(qs: QuerySet, **filters: Any) -> QuerySet:
    """The public filters; the entries and the search index name these columns alike."""
    if filters.get("organisation") is not None:
        qs = qs.filter(organisation=filters["organisation"])
    if filters.get("published_from"):
        qs = qs.filter(published_at__date__gte=filters["published_from"])
    if filters.get("published_to"):
        qs = qs.filter(published_at__date__lte=filters["published_to"])
    for name in ("topic", "regime", "outcome"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    return qs


def _list_columns(qs: QuerySet[DisclosureLogEntry]) -> QuerySet[DisclosureLogEntry]:
    """The list and the API list never show these; the detail page reads public_entry()."""
    return qs.defer("questions", "search_document")


# The list, newest response first (the date the organisation answered), then newest
# published; the index ``disclosure_live_responded`` serves it.
LIST_ORDER = (
    F("responded_on").desc(nulls_last=True),
    F("published_at").desc(),
    F("id").desc(),
)

# A search ranks at most this many matches, its newest, and counts to "1,000+".
RANKED_OF_BROAD = 1_000


class RankedSearch:
    """The live entries matching a full-text search, best first, as the paginators use a
    queryset: ``count()``, ``capped_count()`` and slices.

    Ranking and counting read only the narrow search index (``SearchIndexEntry``), which
    holds live entries alone; a slice then reads its entries through the public gate, so a
    row the gate refuses is never shown even if the index were behind.

    A broad search (more than ``RANKED_OF_BROAD`` matches) is ranked among its
    ``RANKED_OF_BROAD`` newest matches only, and its count stops there ("1,000+"):
    ``ts_rank`` reads every position of every query word in every match, and with 100,000
    responses searches matching 5,000 and 20,000 took 60-200 ms to rank and count in full,
    against 10-30 ms for their newest 1,000. The pages say that older matches need more
    words or a filter (``ranked_among_newest``)."""

    @property
    def count_cap(self) -> int:
        return RANKED_OF_BROAD

    def __init__(self, rows: QuerySet[SearchIndexEntry], *, q: str):
        self._rows = rows
        self._q = q
        self._matches: int | None = None

    def count(self) -> int:
        return self._rows.order_by().count()

    def capped_count(self, cap: int | None = None) -> int:
        """Matches up to ``count_cap`` + 1 (or ``cap``, if lower): no ranking, and
        PostgreSQL stops reading there. Counted once."""
        if self._matches is None:
            self._matches = self._rows.order_by().values("pk")[: RANKED_OF_BROAD + 1].count()
        return self._matches if cap is None else min(self._matches, cap)

    @property
    def ranked_among_newest(self) -> int | None:
        """``RANKED_OF_BROAD`` for a broad search, else None (every match is ranked)."""
        return RANKED_OF_BROAD if self.capped_count() > RANKED_OF_BROAD else None

    def _ids(self, key: slice) -> list[int]:
        if self.ranked_among_newest is None:
            query = SearchQuery(self._q, config="english", search_type="websearch")
            ranked = self._rows.annotate(rank=SearchRank(F("vector"), query)).order_by(
                "-rank", "-published_at", "-entry_id"
            )
            return list(ranked.values_list("entry_id", flat=True)[key])
        start, stop, _ = key.indices(RANKED_OF_BROAD)
        if stop <= start:
            return []
        newest = (
            self._rows.order_by("-published_at", "-entry_id")
            .values("entry_id", "published_at", "vector")[:RANKED_OF_BROAD]
            .query
        )
        sql, params = newest.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.entry_id FROM ({sql}) c ORDER BY ts_rank(c.vector, "
                "websearch_to_tsquery('english'::regconfig, %s)) DESC, "
                "c.published_at DESC, c.entry_id DESC LIMIT %s OFFSET %s",
                [*params, self._q, stop - start, start],
            )
            return [row[0] for row in cursor.fetchall()]

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        ids = self._ids(key)
        entries = _list_columns(public_disclosure_log()).in_bulk(ids)
        return [entries[pk] for pk in ids if pk in entries]

    def __iter__(self):
        return iter(self[:])


def search_disclosure_log(
    *,
    q: str = "",
    organisation: Organisation | None = None,
    published_from: datetime.date | None = None,
    published_to: datetime.date | None = None,
    topic: str = "",
    regime: str = "",
    outcome: str = "",
) -> QuerySet[DisclosureLogEntry] | RankedSearch:
    """The public list, filtered, newest response first. With ``q`` on PostgreSQL, ranked by
    full-text search (websearch syntax, English stemming) on the search index's stored,
    weighted vector and its GIN index (a ``RankedSearch``); headlines are
    ``search_headlines`` for the page shown. On SQLite, the demo run, a plain substring
    match in date order."""
    filters = {
        "organisation": organisation,
        "published_from": published_from,
        "published_to": published_to,
        "topic": topic,
        "regime": regime,
        "outcome": outcome,
    }
    q = q.strip()
    if q and connection.vendor == "postgresql":
        query = SearchQuery(q, config="english", search_type="websearch")
        rows = _filtered(SearchIndexEntry.objects.all(), **filters).filter(vector=query)
        return RankedSearch(rows, q=q)
    qs = _list_columns(_filtered(public_disclosure_log(), **filters))
    if q:
        qs = qs.filter(search_document__icontains=q)
    return qs.order_by(*LIST_ORDER)


def search_headlines(*, q: str, ids: list[int]) -> dict[int, str]:
    """Matching extracts for the entries of the page shown, by id, the matches between
    ``HIGHLIGHT_START`` and ``HIGHLIGHT_STOP``: a headline reads the whole document (the
    answers, standard wording and frozen blocks included), so it is computed for these rows
    only, never for every match. PostgreSQL's ``ts_headline``; on SQLite (the demo run) the
    text around the first match of the search as typed."""
    q = q.strip()
    if not q or not ids:
        return {}
    if connection.vendor != "postgresql":
        rows = public_disclosure_log().filter(pk__in=ids).values_list("pk", "search_document")
        found = {pk: _substring_headline(text, q) for pk, text in rows}
        return {pk: headline for pk, headline in found.items() if headline}
    query = SearchQuery(q, config="english", search_type="websearch")
    rows = (
        public_disclosure_log()
        .filter(pk__in=ids)
        .annotate(
            headline=SearchHeadline(
                "search_document",
                query,
                config="english",
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_fragments=2,
                max_words=30,
                min_words=10,
            )
        )
        .values_list("pk", "headline")
    )
    return dict(rows)


HEADLINE_CONTEXT = 90


def _substring_headline(text: str, q: str) -> str:
    """About 30 words around the first case-insensitive occurrence of ``q`` in ``text``,
    each occurrence marked; '' when there is none. The markers are taken out of the text
    first, so only a match is ever highlighted."""
    text = " ".join(text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "").split())
    lowered, needle = text.lower(), q.lower()
    at = lowered.find(needle)
    if at < 0:
        return ""
    start = max(0, at - HEADLINE_CONTEXT)
    stop = min(len(text), at + len(needle) + HEADLINE_CONTEXT)
    if start > 0:
        space = text.find(" ", start, at)
        start = space + 1 if space >= 0 else start
    if stop < len(text):
        space = text.rfind(" ", at + len(needle), stop)
        stop = space if space >= 0 else stop
    out, pos = [], start
    while True:
        hit = lowered.find(needle, pos, stop)
        if hit < 0 or hit + len(needle) > stop:
            out.append(text[pos:stop])
            break
        out += [text[pos:hit], HIGHLIGHT_START, text[hit : hit + len(needle)], HIGHLIGHT_STOP]
        pos = hit + len(needle)
    return ("... " if start > 0 else "") + "".join(out) + (" ..." if stop < len(text) else "")


# A skip scan: one index probe per distinct topic, not a read of every live entry.
_TOPICS_SQL = """
WITH RECURSIVE t(topic) AS (
    (SELECT topic FROM disclosure_disclosurelogentry
     WHERE withdrawn_at IS NULL AND topic > '' ORDER BY topic LIMIT 1)
    UNION ALL
    SELECT (SELECT e.topic FROM disclosure_disclosurelogentry e
            WHERE e.withdrawn_at IS NULL AND e.topic > t.topic ORDER BY e.topic LIMIT 1)
    FROM t WHERE t.topic IS NOT NULL
)
SELECT topic FROM t WHERE topic IS NOT NULL
"""


def public_topics() -> list[str]:
    """Topics of live entries, for the filter. The same gate as ``public_disclosure_log()``
    (not withdrawn); on PostgreSQL read with a skip scan over ``disclosure_live_topic``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_TOPICS_SQL)
            return [row[0] for row in cursor.fetchall()]
    return list(
        public_disclosure_log()
        .exclude(topic="")
        .order_by("topic")
        .values_list("topic", flat=True)
        .distinct()
    )


def public_organisations() -> QuerySet[Organisation]:
    """NHS bodies are public authorities: their names and codes are public."""
    return Organisation.objects.order_by("name")


def organisations_with_responses() -> QuerySet[Organisation]:
    """Organisations with a live response, for the list's filter: a choice that can only
    give "no responses" is not offered."""
    live = public_disclosure_log().filter(organisation=OuterRef("pk"))
    return public_organisations().filter(Exists(live))


def public_outcomes() -> list[tuple[str, str]]:
    """The outcomes of live responses, in the register's order, for the filter."""
    present = set(public_disclosure_log().values_list("outcome", flat=True).distinct())
    return [
        (value, label) for value, label in Request.Outcome.choices if value and value in present
    ]


def may_publish_now(user, request: Request) -> bool:
    """Whether ``user`` can publish ``request`` from its page now: a responded or closed
    request with no live entry, and ``user`` an FOI lead of its organisation (the rule
    ``services.publish_response`` enforces)."""
    if not getattr(user, "is_authenticated", False) or request.status not in PUBLISHABLE_STATUSES:
        return False
    if not user.has_perm(PUBLISH_PERMISSION):
        return False
    if not user.is_superuser and not request.organisation.members.filter(pk=user.pk).exists():
        return False
    live = DisclosureLogEntry.objects.filter(request=request, withdrawn_at__isnull=True)
    return not live.exists()


def round_robin_entries(entry: DisclosureLogEntry) -> QuerySet[DisclosureLogEntry]:
    """The same round-robin request as answered by other bodies in this install: published
    ones only, whichever side recorded the link."""
    links = RequestLink.objects.filter(kind=RequestLink.Kind.ROUND_ROBIN)
    ids = set(
        links.filter(from_request_id=entry.request_id).values_list("to_request_id", flat=True)
    ) | set(links.filter(to_request_id=entry.request_id).values_list("from_request_id", flat=True))
    return (
        public_disclosure_log()
        .filter(request_id__in=ids)
        .exclude(pk=entry.pk)
        .order_by("organisation__name")
    )


def public_attachments(entry: DisclosureLogEntry) -> QuerySet[PublishedAttachment]:
    """Attachments of a live entry that a lead published after the check (with the
    response or later), checked or cleared by the lead."""
    return (
        PublishedAttachment.objects.filter(
            request_id=entry.request_id,
            removed_at__isnull=True,
            published_at__isnull=False,
            request__disclosure_entry__withdrawn_at__isnull=True,
        )
        .filter(
            Q(check_state=PublishedAttachment.CheckState.CHECKED) | Q(override_at__isnull=False)
        )
        .defer("data")
        .order_by("position")
    )


def published_letter_document(request: Request) -> LetterDocument | None:
    """The anonymised copy of the request's latest issued response or refusal notice: what
    the check reads and a lead publishes. Never the requester's copy."""
    found = [
        letter_selectors.anonymised_pdf_for(request, kind=kind) for kind in PUBLISHED_LETTER_KINDS
    ]
    found = [d for d in found if d is not None]
    return max(found, key=lambda d: (d.letter.issued_at, d.letter_id), default=None)


def public_answers(entry: DisclosureLogEntry) -> list[dict[str, Any]]:
    """Each answer as the published letter gives it (the correction, once a lead has
    published it): text, standard wording and every live block's frozen content."""
    document = public_response_pdf(entry)
    content = document.letter.content if document is not None else None
    return answers.answers_for(letter_content=content, snapshot=entry.questions)


def public_answers_data(entry: DisclosureLogEntry) -> list[dict[str, Any]]:
    """The answers of ``public_answers`` as the API gives them: each live block with the text
    the page shows and the values it prints (``answers.public_block``). A letter names an
    exemption by section; its code comes from what the lead checked."""
    codes = {
        (q.get("number"), e.get("section")): e.get("code", "")
        for q in entry.questions
        for e in q.get("exemptions") or []
    }
    return [
        {
            **{k: v for k, v in q.items() if k != "blocks"},
            "exemptions": [
                {**e, "code": e.get("code") or codes.get((q["number"], e.get("section")), "")}
                for e in q["exemptions"]
            ],
            "blocks": [answers.public_block(b, number=q["number"]) for b in q["blocks"]],
        }
        for q in public_answers(entry)
    ]


def public_corrected_on(entry: DisclosureLogEntry) -> datetime.date | None:
    """When the answers published were corrected: the issue date of the correction a lead
    published, or None."""
    document = public_response_pdf(entry)
    if document is None or not document.letter.corrects_id:
        return None
    return document.letter.issued_on


def public_response_pdf(entry: DisclosureLogEntry) -> LetterDocument | None:
    """The anonymised response letter a lead published with the entry, or the correction
    a lead published since; never a letter issued after and not yet published."""
    if not entry.is_live or entry.response_document_id is None:
        return None
    return entry.response_document


# -- published responses that may already answer a request being written ----------------

SUGGESTION_MIN_WORDS = 3
"""Fewer content words than this and nothing is suggested: "car parking" alone would list
every response that mentions parking."""

SUGGESTION_CANDIDATES = 60
"""Matches read from the index before they are scored, best ranked first (PostgreSQL) or
newest first (SQLite)."""

SUGGESTION_RANKED_OF = 2_000
"""Any-word matches are ranked among their newest this many only. A request's words, any
of them, match most of a large log: ranking every match of 100,000 responses took 200-350
ms a look-up (``bench/disclosure/suggestions.py``), too much for a public endpoint called
as people type. As for a broad search (``RANKED_OF_BROAD``), older matches then need more
specific words; a requester looking for an old answer can still search the log."""

SUGGESTION_THRESHOLD = 0.4
"""A response is offered when one of its questions (or its title) shares this much of one
question being written (``matching.question_similarity``). Lower than the officer's
same-question threshold (0.6): a requester is shown what *may* answer, and decides. On the
labelled question pairs' tuning split (``bench/intake_matching.py --sweep``, pairs chosen
to be close in topic) 0.4 finds 73% of the same questions at 62% precision, against 55% at
90% for 0.6 and 82% at 39% for 0.3: a wrong suggestion costs the requester a glance."""

SUGGESTION_LIMIT = 5
SNIPPET_CHARS = 220

_SEARCH_WORD_STOP = frozenset(
    """about after also answer answers any been before being both could data detail details
    does each from have held hold information into just know like list make many more most
    much number numbers only other over please provide provided request requested said same
    since some such than that their them then there these they this those under very want
    were what when where which while whom with within would year years your""".split()
)


@dataclass(frozen=True)
class Suggestion:
    """A published response that may answer a request being written: only what its public
    page shows (the public id, title, organisation, the question that matched, and the
    start of the published answers)."""

    public_id: str
    title: str
    organisation_name: str
    organisation_id: int
    responded_on: datetime.date | None
    question: str
    snippet: str
    score: float


def _search_words(text: str) -> list[str]:
    """The request's content words, longest first (the most specific), for the pre-filter."""
    words = {
        w
        for w in matching.normalise(text).split()
        if len(w) >= 4 and not w.isdigit() and w not in _SEARCH_WORD_STOP
    }
    return sorted(words, key=lambda w: (-len(w), w))[:16]


def _candidate_ids(words: list[str]) -> list[int]:
    """Live entries matching any of ``words``: through the search index (only live entries
    are in it) on PostgreSQL, through the public gate's text on SQLite."""
    if connection.vendor == "postgresql":
        either = " or ".join(words)
        query = SearchQuery(either, config="english", search_type="websearch")
        return fulltext.best_ranked_among_newest(
            SearchIndexEntry.objects.filter(vector=query),
            id_field="entry_id",
            date_field="published_at",
            tsquery_sql="websearch_to_tsquery('english'::regconfig, %s)",
            query=either,
            ranked_of=SUGGESTION_RANKED_OF,
            limit=SUGGESTION_CANDIDATES,
        )
    match = Q()
    for word in words:
        match |= Q(search_document__icontains=word)
    return list(
        public_disclosure_log()
        .filter(match)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:SUGGESTION_CANDIDATES]
    )


def published_entries_sharing_words(text: str) -> list[int]:
    """Live entries whose published text shares content words with ``text`` (the request
    form's pre-filter), for finding a reworded copy the shingle sketch misses."""
    words = _search_words(text[:20_000])
    return _candidate_ids(words) if len(words) >= SUGGESTION_MIN_WORDS else []


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > 0 else SNIPPET_CHARS] + " ..."


def responses_that_may_answer(
    *, text: str, organisation: Organisation | None = None, limit: int = SUGGESTION_LIMIT
) -> list[Suggestion]:
    """Published responses, of any organisation on the install, that may already answer a
    request being written (the public request form shows them as the requester types).

    Read only through the public gate (``public_disclosure_log``): a request never
    published, or withdrawn, cannot be suggested. Each question being written (split from
    its numbered list as an emailed request is) is scored against each published question
    and the title with the intake's question matcher; ``organisation``'s own responses come
    first, then the others, best first."""
    text = text[:20_000]
    words = _search_words(text)
    if len(words) < SUGGESTION_MIN_WORDS:
        return []
    ids = _candidate_ids(words)
    if not ids:
        return []
    asked = [matching.question_terms(q) for q in split_questions(text) if q.strip()]
    entries = (
        public_disclosure_log()
        .filter(pk__in=ids)
        .only(
            "public_id",
            "title",
            "questions",
            "responded_on",
            "organisation__name",
            "organisation_id",
        )
    )
    found = []
    matched_at: dict[str, int] = {}
    for entry in entries:
        # The title may be what qualifies a response, but the question shown (and the answer
        # quoted) is its closest question: the start of the first answer may answer
        # something else entirely.
        best_title = max(
            (
                matching.terms_similarity(question, matching.question_terms(entry.title))
                for question in asked
            ),
            default=0.0,
        )
        best, best_question, best_index = 0.0, "", -1
        for index, q in enumerate(entry.questions):
            candidate = str(q.get("text", ""))
            if not candidate:
                continue
            terms = matching.question_terms(candidate)
            for question in asked:
                score = matching.terms_similarity(question, terms)
                if score > best:
                    best, best_question, best_index = score, candidate, index
        if max(best, best_title) < SUGGESTION_THRESHOLD:
            continue
        if best_index >= 0:
            matched_at[entry.public_id] = best_index
        found.append(
            Suggestion(
                public_id=entry.public_id,
                title=entry.title,
                organisation_name=entry.organisation.name,
                organisation_id=entry.organisation_id,
                responded_on=entry.responded_on,
                question=best_question,
                snippet="",
                score=max(best, best_title),
            )
        )
    own = organisation.pk if organisation is not None else None
    found.sort(key=lambda s: (s.organisation_id != own, -s.score, s.title))
    found = found[:limit]
    # The answers are read for the few shown only: a whole answer can run to pages.
    answers = dict(
        public_disclosure_log()
        .filter(public_id__in=[s.public_id for s in found])
        .values_list("public_id", "answers_text")
    )
    return [
        dataclasses.replace(
            s,
            snippet=_snippet(
                _answer_of(answers.get(s.public_id, ""), matched_at.get(s.public_id))
            ),
        )
        for s in found
    ]


def _answer_of(answers_text: str, index: int | None) -> str:
    """The published answer to the question at ``index`` (``answers_text`` has one line per
    question), or all the answers when there is no such line."""
    lines = answers_text.split("\n")
    if index is not None and index < len(lines) and lines[index].strip():
        return lines[index]
    return answers_text


def reply_due_by(received_at: datetime.datetime) -> datetime.date:
    """The date a request received at ``received_at`` should be answered by: 20 working
    days after its date of receipt (FOIA s.10(1)), bank and proclaimed holidays skipped."""
    return calendar.due_date(
        register_selectors.date_of_receipt(received_at),
        "foi",
        extra_holidays=register_selectors.proclaimed_holidays(),
    )


def request_form_organisation(ods_code: str) -> Organisation | None:
    """The organisation whose public request form this is, or None when it takes no
    requests through the form (its setting is off, the default)."""
    return public_organisations().filter(ods_code=ods_code, public_request_form=True).first()


# -- for FOI leads ------------------------------------------------------------------------


def questions_snapshot(request: Request) -> list[dict[str, Any]]:
    """The questions and answers as they would be published (and are checked)."""
    out = []
    for q in request.questions.order_by("number").prefetch_related("exemptions"):
        out.append(
            {
                "number": q.number,
                "text": q.text,
                "answer": q.answer,
                "answer_kind": q.answer_kind,
                "answer_kind_label": q.get_answer_kind_display() if q.answer_kind else "",
                "elsewhere_url": q.elsewhere_url,
                "exemptions": [
                    {"code": e.code, "section": e.section, "title": e.title}
                    for e in q.exemptions.all()
                ],
            }
        )
    return out


@dataclass
class Preview:
    """The public page of a response as it will appear once a lead publishes it."""

    entry: DisclosureLogEntry
    pdf: LetterDocument | None
    answers: list[dict[str, Any]]
    attachments: list[PublishedAttachment]
    checked: list[str]


def publication_preview(
    request: Request, *, title: str | None = None, summary: str = "", topic: str | None = None
) -> Preview:
    """What publishing would put on the public page: for a live entry its pending
    correction and attachments, else the response with the title, summary and topic
    typed. Unsaved; reads only."""
    live = DisclosureLogEntry.objects.filter(request=request, withdrawn_at__isnull=True).first()
    if live is not None:
        changes = pending_changes(live)
        pdf = changes.letter or public_response_pdf(live)
        attachments = list(public_attachments(live)) + changes.attachments
        entry = live
    else:
        pdf = published_letter_document(request)
        attachments = [a for a in current_attachments(request) if a.may_publish]
        entry = DisclosureLogEntry(
            request=request,
            organisation=request.organisation,
            reference=request.reference,
            title=(title if title is not None else request.title).strip(),
            summary=summary,
            topic=(topic if topic is not None else request.topic).strip(),
            regime=request.regime,
            outcome=request.outcome,
            received_on=register_selectors.date_of_receipt(request.received_at),
            responded_on=request.responded_on,
            questions=questions_snapshot(request),
            published_at=timezone.now(),
        )
    content = pdf.letter.content if pdf is not None else None
    return Preview(
        entry=entry,
        pdf=pdf,
        answers=answers.answers_for(letter_content=content, snapshot=entry.questions),
        attachments=attachments,
        checked=checked_parts(request, pdf=pdf, attachments=attachments),
    )


def checked_parts(
    request: Request, *, pdf: LetterDocument | None, attachments: list[PublishedAttachment]
) -> list[str]:
    """What the personal-data check reads before publication, named for the lead: the same
    parts ``personal_data_findings`` scans."""
    parts = ["reference", "public title", "summary", "topic"]
    for q in request.questions.order_by("number").prefetch_related("exemptions"):
        part = f"question {q.number} and its answer"
        if q.elsewhere_url:
            part += " and link"
        if q.exemptions.all():
            part += " and exemptions"
        parts.append(part)
    for a in attachments:
        parts.append(f"attachment {a.position}, {a.title}: its title, text and metadata")
    if pdf is not None:
        kind = (
            "refusal notice"
            if pdf.letter.kind == Letter.Kind.REFUSAL_NOTICE
            else "response letter"
        )
        parts.append(
            f"the anonymised {kind} (PDF, {pdf.filename}): its text, including every live "
            "block's figures, and its metadata"
        )
    return parts


def checks_applied() -> list[str]:
    """What the check looks for in each part, as the lead reads it."""
    return [label for kind, label in checks.KIND_LABELS.items() if kind != checks.UNCHECKABLE]


def requester_details(request: Request) -> checks.RequesterDetails:
    """The requester's details the check looks for; none for a request imported from an FOI
    log (it has no requester), whose text is still checked for every other kind."""
    r = request.requester
    if r is None:
        return checks.RequesterDetails()
    return checks.RequesterDetails(
        name=r.name, email=r.email, postal_address=r.postal_address, telephone=r.telephone
    )


def current_attachments(request: Request) -> QuerySet[PublishedAttachment]:
    return PublishedAttachment.objects.filter(request=request, removed_at__isnull=True).order_by(
        "position"
    )


def _context(request: Request) -> tuple[checks.RequesterDetails, list[str], list[str]]:
    org = request.organisation
    return (
        requester_details(request),
        [org.foi_email, org.telephone, ICO_HELPLINE],
        private_names_for(org),
    )


def _attachment_findings(request: Request, attachment: PublishedAttachment) -> list:
    who, allowed, private = _context(request)
    found = checks.scan_text(
        attachment.title,
        location=f"attachment {attachment.position} title",
        requester=who,
        allowed=allowed,
        private_names=private,
    )
    more, _ = checks.scan_attachment(
        f"{attachment.position}-{attachment.filename}",
        bytes(attachment.data),
        requester=who,
        allowed=allowed,
        private_names=private,
    )
    return found + more


def _letter_findings(request: Request, document: LetterDocument, *, name: str) -> list:
    who, allowed, private = _context(request)
    more, _ = checks.scan_attachment(
        name, bytes(document.data), requester=who, allowed=allowed, private_names=private
    )
    # The letters app names the organisation as the letter's author: not personal data.
    org = request.organisation.name
    return [f for f in more if not (f.kind == checks.DOCUMENT_METADATA and f.match == org)]


def personal_data_findings(
    request: Request,
    *,
    title: str | None = None,
    summary: str = "",
    topic: str | None = None,
) -> list[checks.Finding]:
    """Everything the check finds in what would be published, every published field: the
    reference, public title, summary and topic, every question, answer, link and
    exemption, each attachment inside and out, and the anonymised response letter."""
    who, allowed, private = _context(request)
    found: list[checks.Finding] = []

    def scan(text: str, where: str) -> None:
        found.extend(
            checks.scan_text(
                text, location=where, requester=who, allowed=allowed, private_names=private
            )
        )

    scan(request.reference, "reference")
    scan(title if title is not None else request.title, "title")
    scan(summary, "summary")
    scan(topic if topic is not None else request.topic, "topic")
    for question in request.questions.order_by("number").prefetch_related("exemptions"):
        scan(question.text, f"question {question.number}")
        scan(question.answer, f"answer {question.number}")
        scan(question.elsewhere_url, f"answer {question.number} link")
        for exemption in question.exemptions.all():
            scan(exemption.title, f"answer {question.number} exemption")
    for attachment in current_attachments(request):
        found.extend(_attachment_findings(request, attachment))
    document = published_letter_document(request)
    if document is not None:
        found.extend(_letter_findings(request, document, name="response letter.pdf"))
    return found


@dataclass
class PendingChanges:
    """What would become public of a live entry when a lead publishes it: a correction
    (the latest anonymised response letter, when it is not the one published) and
    attachments added since."""

    entry: DisclosureLogEntry
    letter: LetterDocument | None = None
    attachments: list[PublishedAttachment] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.letter is None and not self.attachments


def pending_changes(entry: DisclosureLogEntry) -> PendingChanges:
    latest = published_letter_document(entry.request)
    letter = latest if latest is not None and latest.pk != entry.response_document_id else None
    attachments = list(current_attachments(entry.request).filter(published_at__isnull=True))
    return PendingChanges(entry=entry, letter=letter, attachments=attachments)


def pending_change_findings(entry: DisclosureLogEntry) -> list[checks.Finding]:
    """The check of what a lead's publishing of the pending changes would make public."""
    changes = pending_changes(entry)
    found: list[checks.Finding] = []
    if changes.letter is not None:
        found += _letter_findings(entry.request, changes.letter, name="correction letter.pdf")
    for attachment in changes.attachments:
        found += _attachment_findings(entry.request, attachment)
    return found


def entries_with_pending_changes_for(user) -> QuerySet[DisclosureLogEntry]:
    """Live entries of the user's organisations with a correction or an attachment that
    no lead has published yet: the lead's list of what awaits publication."""
    from foiregister.requests.selectors import requests_visible_to

    latest = (
        LetterDocument.objects.filter(
            letter__request=OuterRef("request"),
            letter__kind__in=PUBLISHED_LETTER_KINDS,
            letter__status=Letter.Status.ISSUED,
            variant=LetterDocument.Variant.PUBLIC,
        )
        .order_by("-letter__issued_at", "-letter_id")
        .values("pk")[:1]
    )
    new_attachment = PublishedAttachment.objects.filter(
        request=OuterRef("request"), removed_at__isnull=True, published_at__isnull=True
    )
    return (
        public_disclosure_log()
        .filter(request__in=requests_visible_to(user))
        .annotate(latest_document=Subquery(latest), new_attachment=Exists(new_attachment))
        .filter(
            Q(new_attachment=True)
            | (
                Q(latest_document__isnull=False)
                & (Q(response_document__isnull=True) | ~Q(response_document=F("latest_document")))
            )
        )
        .order_by("-published_at", "-id")
    )


def private_names_for(organisation: Organisation) -> list[str]:
    return list(
        PrivateName.objects.filter(organisation=organisation).values_list("name", flat=True)
    )


def private_names_visible_to(user) -> QuerySet[PrivateName]:
    """The private-name lists of the user's organisations (every list for a superuser)."""
    qs = PrivateName.objects.select_related("organisation", "added_by")
    if user.is_superuser:
        return qs
    return qs.filter(organisation__members=user)


def accepted_fingerprints(request: Request) -> set[str]:
    return set(
        AcceptedFinding.objects.filter(request=request).values_list("fingerprint", flat=True)
    )


def outstanding_findings(
    request: Request, *, title: str | None = None, summary: str = "", topic: str | None = None
) -> list[checks.Finding]:
    """Findings that stop publication: neither redacted (the text no longer has them) nor
    accepted, and not a warning."""
    accepted = accepted_fingerprints(request)
    return [
        f
        for f in personal_data_findings(request, title=title, summary=summary, topic=topic)
        if f.blocking and f.fingerprint not in accepted
    ]


def publishable_requests_for(user) -> QuerySet[Request]:
    """Responded or closed requests of the user's organisations, not live on the log."""
    from foiregister.requests.selectors import requests_visible_to

    return (
        requests_visible_to(user)
        .filter(status__in=PUBLISHABLE_STATUSES)
        .exclude(disclosure_entry__withdrawn_at__isnull=True, disclosure_entry__isnull=False)
        .select_related("organisation")
        .order_by("-responded_on", "-received_at")
    )


def private_name_listed(*, organisation: Organisation, name: str) -> bool:
    """Whether ``name`` (spaces collapsed, any case) is already on the organisation's list
    of private names: one rule for the service and the admin form."""
    name = " ".join(name.split())
    return PrivateName.objects.filter(organisation=organisation, name__iexact=name).exists()
