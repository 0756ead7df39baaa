"""Earlier answers to the questions of a logged request, for the officer to take: the
organisation's own earlier requests (found by the intake's matcher), and responses other
organisations of the install have published, as the public sees them.

This lives in the disclosure layer because it is the one layer that may see all three parts
(docs/adr/0001-layers.md): the intake's matcher and sketch index, the letters' frozen
answers and live blocks, and the publication rule, which is the disclosure log's. Another
organisation's request is reached only through ``selectors.public_disclosure_log()``
(published, not withdrawn) and shown only as its public page shows it
(``selectors.public_answers``: the anonymised letter's frozen answers): never its requester,
its private text, an internal note or an answer that was not published.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from foiregister.intake import matching
from foiregister.intake import selectors as intake_selectors
from foiregister.letters import reuse as letter_reuse
from foiregister.requests.models import Request

from . import selectors

SUGGESTIONS_PER_QUESTION = 5
POSSIBLE_THRESHOLD = intake_selectors.POSSIBLE_THRESHOLD
"""A published question, like an own earlier one, is offered from this score (the public
form's threshold, ``selectors.SUGGESTION_THRESHOLD``), marked "possibly the same question"
below ``matching.QUESTION_THRESHOLD``: the matcher misses paraphrases, and the officer reads
and chooses (docs/intake.md)."""


@dataclass
class PublishedQuestion:
    """One new question beside the published question it repeats (or None)."""

    question: str
    earlier_question: str | None
    earlier_number: int | None
    answer: dict[str, Any] | None
    score: float

    @property
    def possible(self) -> bool:
        """Paired below the same-question threshold: possibly the same question."""
        return self.earlier_question is not None and self.score < matching.QUESTION_THRESHOLD


@dataclass
class PublishedMatch:
    """A published response of another organisation, as plain public facts: no request,
    requester or entry object reaches a template through it."""

    organisation: str
    reference: str
    title: str
    public_id: str
    url: str
    responded_on: datetime.date | None
    similarity: float
    round_robin: bool
    questions: list[PublishedQuestion] = field(default_factory=list)


def _published_text(answers: list[dict[str, Any]]) -> str:
    return "\n".join(str(q.get("text") or "") for q in answers)


def published_responses_like(
    *, questions: list[str], organisation, limit: int = 10
) -> list[PublishedMatch]:
    """Responses other organisations have published that ask the same questions, best
    first, each question paired with the published question it repeats and its published
    answer.

    Candidates come from the intake's sketch index, restricted to live disclosure-log
    entries of other organisations; they are then scored on what the public sees (the
    published questions), never on the request's private text."""
    text = "\n".join(questions)
    published = selectors.public_disclosure_log().exclude(organisation=organisation)
    ids = set(
        intake_selectors.sketch_candidates(
            text=text, among=Request.objects.filter(pk__in=published.values("request_id"))
        )
    )
    # A reworded copy shares words, not word sequences: the public form's word search
    # finds those the sketch misses; their questions are then paired at POSSIBLE_THRESHOLD.
    ids |= set(
        published.filter(pk__in=selectors.published_entries_sharing_words(text)).values_list(
            "request_id", flat=True
        )
    )
    if not ids:
        return []
    new_print = matching.request_fingerprint(text)
    found: list[PublishedMatch] = []
    entries = (
        published.filter(request_id__in=ids)
        .select_related("response_document__letter")
        .defer("response_document__data")  # the PDF: only its letter's frozen content is read
    )
    for entry in entries:
        answers = selectors.public_answers(entry)
        score = matching.fingerprint_similarity(
            new_print, matching.request_fingerprint(_published_text(answers))
        )
        paired = [_best(q, answers) for q in questions]
        if score < matching.ROUND_ROBIN_THRESHOLD / 2 and not any(p.answer for p in paired):
            continue
        found.append(
            PublishedMatch(
                organisation=entry.organisation.name,
                reference=entry.reference,
                title=entry.title,
                public_id=entry.public_id,
                url=reverse("disclosure:response", args=[entry.public_id]),
                responded_on=entry.responded_on,
                similarity=score,
                round_robin=score >= matching.ROUND_ROBIN_THRESHOLD,
                questions=paired,
            )
        )
    found.sort(key=lambda m: m.similarity, reverse=True)
    return found[:limit]


def _best(question: str, answers: list[dict[str, Any]]) -> PublishedQuestion:
    scored = [
        (matching.question_similarity(question, str(a.get("text") or "")), a) for a in answers
    ]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best is None or score < POSSIBLE_THRESHOLD or not best.get("answer_kind"):
        return PublishedQuestion(question, None, None, None, score)
    return PublishedQuestion(
        question, str(best.get("text") or ""), best.get("number"), best, score
    )


def published_answer(public_id: str, number: int) -> tuple[PublishedMatch, dict] | None:
    """Question ``number`` of a live published response, as the public page gives it."""
    entry = selectors.public_entry(public_id)
    if entry is None:
        return None
    for answer in selectors.public_answers(entry):
        if answer.get("number") == number and answer.get("answer_kind"):
            match = PublishedMatch(
                organisation=entry.organisation.name,
                reference=entry.reference,
                title=entry.title,
                public_id=entry.public_id,
                url=reverse("disclosure:response", args=[entry.public_id]),
                responded_on=entry.responded_on,
                similarity=0.0,
                round_robin=False,
            )
            return match, answer
    return None


# -- suggestions on the response workspace --------------------------------------------------


@dataclass
class EarlierAnswer:
    """One earlier answer offered beside a question: where it comes from, and what taking
    it would give (``preview``: re-pointed blocks and what changed since)."""

    source: str  # what the take form posts back: "request:<pk>:<n>" or "published:<id>:<n>"
    own: bool
    label: str  # "FOI/0925/1434" or "Dudley ICB, published response FOI-123"
    title: str
    url: str
    earlier_question: str
    score: float
    issued_on: datetime.date | None
    #: The earlier answer as frozen or published (``letter_reuse.earlier_answer_of``).
    answer: dict[str, Any]
    #: What taking it gives; worked out only for the suggestions shown.
    preview: letter_reuse.AnswerPreview | None = None
    #: Where the take form posts: set by the screen that shows it.
    take_url: str = ""

    @property
    def possible(self) -> bool:
        """Scored below the same-question threshold: shown as possibly the same."""
        return self.score < matching.QUESTION_THRESHOLD


def earlier_answers_for(
    foi_request: Request, *, today: datetime.date, visible: QuerySet[Request] | None = None
) -> dict[int, list[EarlierAnswer]]:
    """For each question of ``foi_request`` (by number), the earlier answers that repeat
    it: the organisation's own first (copies of its round robin, and requests asking it in
    other words, published or not), then other organisations' published ones, best
    scoring first, at most ``SUGGESTIONS_PER_QUESTION`` each. ``visible``: the officer's
    requests through the access gate, which bound the own-organisation ones."""
    questions = list(foi_request.questions.order_by("number"))
    texts = [q.text for q in questions]
    if not texts:
        return {}
    organisation = foi_request.organisation
    out: dict[int, list[EarlierAnswer]] = {q.number: [] for q in questions}
    text = "\n".join([foi_request.body or "", *texts])
    for earlier in intake_selectors.earlier_requests_like(
        text=text, questions=texts, organisation=organisation, visible=visible, exclude=foi_request
    ):
        for question, match in zip(questions, earlier.questions, strict=True):
            if match.earlier_number is None:
                continue
            answer, letter = letter_reuse.earlier_answer_of(earlier.request, match.earlier_number)
            if not answer.get("answer_kind"):
                continue
            out[question.number].append(
                EarlierAnswer(
                    source=f"request:{earlier.request.pk}:{match.earlier_number}",
                    own=True,
                    label=earlier.request.reference,
                    title=earlier.request.title,
                    url=reverse("admin:foiregister_request_change", args=[earlier.request.pk]),
                    earlier_question=match.earlier_question or "",
                    score=match.score,
                    issued_on=letter.issued_on if letter else None,
                    answer=answer,
                )
            )
    for published in published_responses_like(questions=texts, organisation=organisation):
        for question, match in zip(questions, published.questions, strict=True):
            if match.answer is None:
                continue
            out[question.number].append(
                EarlierAnswer(
                    source=f"published:{published.public_id}:{match.earlier_number}",
                    own=False,
                    label=f"{published.organisation}, published response {published.reference}",
                    title=published.title,
                    url=published.url,
                    earlier_question=match.earlier_question or "",
                    score=match.score,
                    issued_on=published.responded_on,
                    answer=match.answer,
                )
            )
    for number, found in out.items():
        found.sort(key=lambda e: (not e.own, -e.score))
        out[number] = found[:SUGGESTIONS_PER_QUESTION]
        for shown in out[number]:  # the registers are read for these only
            shown.preview = letter_reuse.preview_earlier_answer(
                shown.answer, organisation=organisation, own_organisation=shown.own, today=today
            )
    return out


def resolve_source(
    source: str, *, foi_request: Request, visible: Any
) -> tuple[dict[str, Any], str, bool] | None:
    """The earlier answer a take form names, checked again on the server: an own-organisation
    request through ``visible`` (the officer's scoped requests) and of the same
    organisation as ``foi_request``; another organisation's only if published and live.
    ``(answer, label for the audit, own)``, or None."""
    kind, _, rest = source.partition(":")
    key, _, number_text = rest.rpartition(":")
    try:
        number = int(number_text)
    except ValueError:
        return None
    if kind == "request":
        try:
            pk = int(key)
        except ValueError:
            return None
        earlier = visible.filter(pk=pk, organisation=foi_request.organisation).first()
        if earlier is None or earlier.pk == foi_request.pk:
            return None
        if not earlier.questions.filter(number=number).exists():
            return None
        answer, _ = letter_reuse.earlier_answer_of(earlier, number)
        return answer, earlier.reference, True
    if kind == "published":
        found = published_answer(key, number)
        if found is None:
            return None
        match, answer = found
        return answer, f"published response {match.reference} of {match.organisation}", False
    return None
