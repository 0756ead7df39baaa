"""Every read of the intake: the messages an officer may see, and earlier requests that ask
the same questions as a new one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, Q, QuerySet

from foiregister.kernel import access, fulltext
from foiregister.requests.models import Question, Request

from . import matching
from .models import InboundMessage, MessageAttachment, RequestSketch, RequestWords, StandardAnswer

CANDIDATES = 40
"""Requests sharing the most sketch hashes that the pure matcher then scores."""

WORD_CANDIDATES = 20
"""Requests sharing the most words with the new questions that the matcher then scores."""

WORDS_RANKED_OF = 2_000
"""Word matches are ranked among the organisation's newest this many only, as the public
request form's are (``disclosure.selectors.SUGGESTION_RANKED_OF``): ranking every match
reads every matching row. An older request asked again in other words is found while fewer
than this many newer requests share its specific words."""

QUERY_WORDS = 16
"""The new questions' most specific words looked up (longest first)."""

POSSIBLE_THRESHOLD = 0.4
"""An earlier question is paired with a new one from this ``question_similarity`` score, and
shown as "possibly the same question" below ``matching.QUESTION_THRESHOLD`` (0.6): the
threshold the disclosure log uses for published questions (``disclosure.reuse``). On the
labelled pairs 0.4 finds 73% of same-question pairs at 62% precision, against 55% at 90%
for 0.6 (docs/intake.md): acceptable because the officer reads each and chooses."""

_COMMON_WORDS = frozenset(
    """am breakdown care confirm count data date detail document down employ expiry financial
    follow health includ include inform last month name now other past patient possible
    provide question regard relat request servic service spend supplier time total use used
    where whether work year""".split()
)
"""Stems (``matching.question_terms``) in at least 10% of the 151 labelled request texts
(tests/data/intake/requests.json), less those that name a subject (contract, framework,
assessment, system...): looked up, they would match most of an organisation's requests and
push the older ones that share the specific words out of the ranked newest. Used only when a
question has no other words."""

_PRUNE_BELOW = POSSIBLE_THRESHOLD / 2
"""Question pairs whose terms score below this are not scored (see ``_best``)."""

_PLAIN_WORD = re.compile(r"[a-z0-9]+")


def messages_visible_to(user) -> QuerySet[InboundMessage]:
    return access.scoped(
        InboundMessage.objects.all(), user, via="organisation", roles=access.CASEWORK_ROLES
    )


WAITING_STATUSES = (
    InboundMessage.Status.NEW_REQUEST,
    InboundMessage.Status.CORRESPONDENCE,
    InboundMessage.Status.FAILED,
)
"""What an officer still has to act on: confirm a new request or a reply, or retry one that
could not be read."""


def messages_waiting(user) -> list[tuple[str, str, int]]:
    """For My work: (status, its label, how many) of the messages in the user's intake that
    wait for an officer, in the order they should be dealt with; none if nothing waits."""
    counts = dict(
        messages_visible_to(user)
        .filter(status__in=WAITING_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        (status.value, status.label, counts[status.value])
        for status in WAITING_STATUSES
        if counts.get(status.value)
    ]


def case_file(request: Request) -> QuerySet[MessageAttachment]:
    """The files that came with the request's messages, in the order they arrived."""
    return MessageAttachment.objects.filter(message__request=request).order_by(
        "message__received_at", "id"
    )


def correspondence(request: Request) -> QuerySet[InboundMessage]:
    """The request's messages received, oldest first."""
    return InboundMessage.objects.filter(request=request).order_by("received_at", "id")


@dataclass
class QuestionMatch:
    question: str
    earlier_question: str | None
    earlier_answer: str
    score: float
    #: The earlier question's number in its request (to take its answer), None if none.
    earlier_number: int | None = None

    @property
    def possible(self) -> bool:
        """Paired below the same-question threshold: possibly the same question."""
        return self.earlier_question is not None and self.score < matching.QUESTION_THRESHOLD


@dataclass
class EarlierRequest:
    request: Request
    similarity: float
    round_robin: bool
    questions: list[QuestionMatch] = field(default_factory=list)

    @property
    def best_question_score(self) -> float:
        return max((q.score for q in self.questions if q.earlier_question), default=0.0)


def _text_of(request: Request, questions: list[str]) -> str:
    return "\n".join([request.body or "", *questions])


def earlier_requests_like(
    *,
    text: str,
    questions: list[str],
    organisation,
    visible: QuerySet[Request] | None = None,
    exclude: Request | None = None,
    limit: int = 10,
) -> list[EarlierRequest]:
    """Earlier requests of ``organisation`` (published or not) asking the same questions:
    copies of its round robin first, then requests asking one of the questions in other
    words, each with its questions paired to the new ones and their answers.

    Two indexed lookups find the candidates: requests sharing sketch hashes with ``text``
    (copies, ``RequestSketch``) and requests sharing the new questions' words (rewordings,
    ``RequestWords``); the pure matcher then scores those few, keeping a request that is a
    near copy or that has a question paired at ``POSSIBLE_THRESHOLD``. ``visible`` is the
    officer's requests through the access gate (``requests_visible_to``): a screen passes
    it, so nothing is shown that the officer could not open; only ``organisation``'s
    requests are ever looked at. Requests logged before the indexes were built are found
    once ``manage.py index_requests`` has run.
    """
    sketched = set(sketch_candidates(text=text, organisation=organisation, exclude=exclude))
    # Found by its words only, a request is kept for a paired question: none to pair, none.
    worded = requests_sharing_words(
        texts=[q for q in questions if q.strip()], organisation=organisation, exclude=exclude
    )
    ids = sketched | set(worded)
    if not ids:
        return []
    requests = (visible if visible is not None else Request.objects.all()).filter(
        pk__in=ids, organisation=organisation
    )
    if exclude is not None:
        requests = requests.exclude(pk=exclude.pk)
    new_print = matching.request_fingerprint(text)  # once, not once a candidate
    new_terms = [matching.question_terms(q) for q in questions]
    found: list[EarlierRequest] = []
    for earlier in requests.prefetch_related("questions"):
        earlier_questions = list(earlier.questions.all())
        score = 0.0  # found by its words only: it shares no sketch hash, so is no copy
        if earlier.pk in sketched:
            earlier_print = matching.request_fingerprint(
                _text_of(earlier, [q.text for q in earlier_questions])
            )
            score = matching.fingerprint_similarity(new_print, earlier_print)
        earlier_terms = (
            [matching.question_terms(q.text) for q in earlier_questions] if questions else []
        )
        paired = [
            _best(q, terms, earlier_questions, earlier_terms)
            for q, terms in zip(questions, new_terms, strict=True)
        ]
        if score < matching.ROUND_ROBIN_THRESHOLD / 2 and not any(
            p.earlier_question is not None for p in paired
        ):
            continue
        found.append(
            EarlierRequest(
                request=earlier,
                similarity=score,
                round_robin=score >= matching.ROUND_ROBIN_THRESHOLD,
                questions=paired,
            )
        )
    found.sort(key=lambda e: (e.round_robin, e.similarity, e.best_question_score), reverse=True)
    return found[:limit]


def _words(text: str) -> set[str]:
    """The matcher's content-word stems of ``text`` that can be looked up as words."""
    return {
        t
        for t in matching.question_terms(text)
        if _PLAIN_WORD.fullmatch(t) and not t.isdigit() and len(t) > 1
    }


def words_field(text: str) -> str:
    """``RequestWords.terms`` for a request's text: each word once, between spaces."""
    return f" {' '.join(sorted(_words(text)))} "


def requests_sharing_words(
    *, texts: list[str], organisation, exclude: Request | None = None
) -> list[int]:
    """Ids of ``organisation``'s requests sharing the most words with ``texts`` (the new
    questions), at most ``WORD_CANDIDATES``: the indexed first step for a request asking
    the same questions in other words, which shares words but not the runs of three the
    sketch hashes. Any of the questions' specific words (``_COMMON_WORDS`` only for a
    question that has no other) matches; matches are ranked by the words they share among
    the organisation's newest ``WORDS_RANKED_OF``. Only ``organisation``'s rows are read:
    another organisation's requests, published or not, are never candidates here (the
    disclosure log finds those that are published, through its public gate)."""
    wanted: set[str] = set()
    for text in texts:
        words = _words(text[:20_000])
        wanted |= (words - _COMMON_WORDS) or words
    query = sorted(wanted, key=lambda w: (-len(w), w))[:QUERY_WORDS]
    if not query:
        return []
    rows = RequestWords.objects.filter(organisation=organisation)
    if exclude is not None:
        rows = rows.exclude(request_id=exclude.pk)
    if connection.vendor == "postgresql":
        either = " | ".join(query)
        return fulltext.best_ranked_among_newest(
            rows.filter(vector=SearchQuery(either, config="simple", search_type="raw")),
            id_field="request_id",
            date_field="received_at",
            tsquery_sql="to_tsquery('simple', %s)",
            query=either,
            ranked_of=WORDS_RANKED_OF,
            limit=WORD_CANDIDATES,
        )
    # SQLite (the demo): a substring match on the words, the newest ranked by those shared.
    match = Q()
    for word in query:
        match |= Q(terms__contains=f" {word} ")
    newest = rows.filter(match).order_by("-received_at", "-request_id")
    shared = [
        (sum(f" {w} " in terms for w in query), pk)
        for pk, terms in newest.values_list("request_id", "terms")[:WORDS_RANKED_OF]
    ]
    shared.sort(key=lambda pair: pair[0], reverse=True)  # stable: newest first among equals
    return [pk for _, pk in shared[:WORD_CANDIDATES]]


def sketch_candidates(
    *,
    text: str,
    organisation=None,
    among: QuerySet[Request] | None = None,
    exclude: Request | None = None,
) -> list[int]:
    """Ids of the requests that share the most sketch hashes with ``text`` (at most
    ``CANDIDATES``, most shared first): the indexed first step, before a matcher scores the
    few found. Among ``organisation``'s requests (the (hash, organisation) index), or among
    ``among``: the caller's rule for which requests of other organisations may be found.
    The disclosure log's selectors pass its published requests, since that rule is theirs."""
    if (organisation is None) == (among is None):
        raise TypeError("say where to look: organisation= or among=")
    hashes = matching.sketch(text)
    if not hashes:
        return []
    sketches = RequestSketch.objects.filter(hash__in=hashes)
    if organisation is not None:
        sketches = sketches.filter(organisation=organisation)
    else:
        sketches = sketches.filter(request__in=among)
    candidates = (
        sketches.values("request_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "request_id")[:CANDIDATES]
    )
    return [
        row["request_id"] for row in candidates if not exclude or row["request_id"] != exclude.pk
    ]


def _best(
    question: str, terms: frozenset[str], earlier: list[Question], earlier_terms: list
) -> QuestionMatch:
    """The earlier question ``question`` repeats, scored with ``matching.question_similarity``
    from ``POSSIBLE_THRESHOLD``. A screen pairs each new question with the questions of up
    to 80 candidates, and ``question_similarity`` re-reads both texts every call (about
    0.1 ms): so the pairs are first pruned on the terms read once each
    (``matching.terms_similarity``, the matcher's form for one question against many) at
    half the threshold, and only those left are scored. The others count as 0."""
    scored = [
        (matching.question_similarity(question, q.text), q)
        for q, their_terms in zip(earlier, earlier_terms, strict=True)
        if matching.terms_similarity(terms, their_terms) >= _PRUNE_BELOW
    ]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best is None or score < POSSIBLE_THRESHOLD:
        return QuestionMatch(question, None, "", score)
    return QuestionMatch(question, best.text, _answer_shown(best), score, best.number)


def _answer_shown(question: Question) -> str:
    """The earlier answer as the officer reads it in a list: its text, or for an answer
    given only by its kind (not held, no plans...) that kind, so it does not read as
    unanswered."""
    if question.answer.strip():
        return question.answer
    if question.answer_kind:
        return f"({question.get_answer_kind_display()})"
    return ""


def standard_answers_visible_to(user) -> QuerySet[StandardAnswer]:
    return access.scoped(
        StandardAnswer.objects.all(), user, via="organisation", roles=access.CASEWORK_ROLES
    )


@dataclass
class StandardMatch:
    question: str
    standard: StandardAnswer
    score: float


def standard_answers_for(*, questions: list[str], organisation) -> list[StandardMatch | None]:
    """For each question, the organisation's standard answer whose question it repeats (the
    best scoring at or above ``matching.QUESTION_THRESHOLD``), or None."""
    standards = list(StandardAnswer.objects.filter(organisation=organisation))
    found: list[StandardMatch | None] = []
    for question in questions:
        scored = [(matching.question_similarity(question, s.question), s) for s in standards]
        score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        found.append(
            StandardMatch(question, best, score)
            if best is not None and score >= matching.QUESTION_THRESHOLD
            else None
        )
    return found
