"""Every read of the intake: the messages an officer may see, and earlier requests that ask
the same questions as a new one."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from foiregister.kernel import access
from foiregister.requests.models import Question, Request

from . import matching
from .models import InboundMessage, MessageAttachment, RequestSketch, StandardAnswer

CANDIDATES = 40
"""Requests sharing the most sketch hashes that the pure matcher then scores."""


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


@dataclass
class EarlierRequest:
    request: Request
    similarity: float
    round_robin: bool
    questions: list[QuestionMatch] = field(default_factory=list)


def _text_of(request: Request, questions: list[str]) -> str:
    return "\n".join([request.body or "", *questions])


def earlier_requests_like(
    *,
    text: str,
    questions: list[str],
    organisation,
    exclude: Request | None = None,
    limit: int = 10,
) -> list[EarlierRequest]:
    """Earlier requests of ``organisation`` asking the same questions, best first, each with
    its questions paired to the new ones and their answers.

    Two steps: an indexed lookup of requests sharing sketch hashes with ``text`` (see
    ``RequestSketch``), then the pure matcher on those few. Requests logged before the
    sketches were built are found once ``manage.py index_requests`` has run.
    """
    ids = sketch_candidates(text=text, organisation=organisation, exclude=exclude)
    requests = Request.objects.filter(pk__in=ids).prefetch_related("questions")
    new_print = matching.request_fingerprint(text)  # once, not once a candidate
    found: list[EarlierRequest] = []
    for earlier in requests:
        earlier_questions = list(earlier.questions.all())
        earlier_print = matching.request_fingerprint(
            _text_of(earlier, [q.text for q in earlier_questions])
        )
        score = matching.fingerprint_similarity(new_print, earlier_print)
        if score < matching.ROUND_ROBIN_THRESHOLD / 2:
            continue
        found.append(
            EarlierRequest(
                request=earlier,
                similarity=score,
                round_robin=score >= matching.ROUND_ROBIN_THRESHOLD,
                questions=[_best(q, earlier_questions) for q in questions],
            )
        )
    found.sort(key=lambda e: e.similarity, reverse=True)
    return found[:limit]


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


def _best(question: str, earlier: list[Question]) -> QuestionMatch:
    scored = [(matching.question_similarity(question, q.text), q) for q in earlier]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best is None or score < matching.QUESTION_THRESHOLD:
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
