"""Demo letters: the two seed responses, answered from the demo registers and issued.

Run by ``load_demo`` after the request and contract demo data exist. Idempotent: a request
that already has an issued response is left alone, and a half-finished draft is reused.
"""

from __future__ import annotations

import datetime
from typing import Any

from foiregister.letters import services
from foiregister.letters.blocks import get_block
from foiregister.letters.models import Letter
from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Request

STAFFS_REFERENCE = "FOI/0925/1434"
# The dates the seed letters were sent; never after today.
STAFFS_ISSUED_ON = datetime.date(2025, 11, 14)
DUDLEY_ISSUED_ON = datetime.date(2026, 5, 12)


def _blocks(question, wanted: list[tuple[str, dict[str, Any]]], by) -> None:
    """Give a question exactly these blocks, reviewed."""
    have = [(b.block_type, b.params) for b in question.live_blocks.order_by("position", "id")]
    cleaned = [(k, get_block(k).clean(p)) for k, p in wanted]
    if have != cleaned:
        for block in question.live_blocks.all():
            services.remove_block(block=block, by=by)
        for key, params in cleaned:
            services.add_block(question=question, block_type=key, params=params, by=by)
    services.review_blocks(blocks=question.live_blocks.all(), by=by)


def _answer(question, text: str, kind: str, by) -> None:
    if (question.answer, question.answer_kind) != (text, kind):
        services.set_answer(question=question, by=by, answer=text, answer_kind=kind)


def _issue_response(request: Request, *, by, issued_on: datetime.date) -> Letter:
    letter, _ = services.open_draft(request=request, kind=Letter.Kind.RESPONSE, by=by)
    if letter.status != Letter.Status.APPROVED:
        letter = services.approve_letter(letter=letter, by=by)
    issued_on = min(issued_on, register_selectors.local_today())
    return services.issue_letter(letter=letter, by=by, issued_on=issued_on)


def _already_issued(request: Request) -> bool:
    return Letter.objects.filter(
        request=request, kind=Letter.Kind.RESPONSE, status=Letter.Status.ISSUED
    ).exists()


def load_staffordshire(*, by) -> Letter | None:
    request = Request.objects.filter(reference=STAFFS_REFERENCE).first()
    if request is None or _already_issued(request):
        return None
    questions = {q.number: q for q in request.questions.all()}
    _blocks(
        questions[3],
        [
            (
                "independent_sector_contracts",
                {"categories": ["ct", "mri", "nous"], "active_on": STAFFS_ISSUED_ON},
            )
        ],
        by,
    )
    # The seed letter's CDC answers come from the CDC register, hosted CDCs only: over
    # the three months and six months before the request.
    cdc_periods = {6: ("2025-06-01", "2025-08-31"), 8: ("2025-03-01", "2025-08-31")}
    for number, (start, end) in cdc_periods.items():
        _answer(questions[number], "", "provided", by)
        _blocks(
            questions[number],
            [("cdcs_hosted", {"start": start, "end": end, "area": "hosted"})],
            by,
        )
    # The standard wording says it; the officer's line would only repeat it.
    for number in (4, 5, 7):
        _answer(questions[number], "", questions[number].answer_kind, by)
    return _issue_response(request, by=by, issued_on=STAFFS_ISSUED_ON)


def load_dudley(*, by) -> Letter | None:
    request = (
        Request.objects.filter(organisation__ods_code="RNA", title__icontains="insourcing")
        .order_by("received_at")
        .first()
    )
    if request is None or _already_issued(request):
        return None
    q1, q2, q3 = request.questions.order_by("number")[:3]
    answers = [
        (q1, "Total expenditure on clinical insourcing services in 2024/25:",
         [("spend_total", {"financial_year": "2024/25", "kind": "insourcing"})]),
        (q2, "The specialties and the insourcing providers used for each in 2024/25:",
         [("insourcing_providers_by_specialty", {"financial_year": "2024/25"})]),
        (q3, "Yes. The live insourcing contracts on 22 July 2025:",
         [("live_insourcing_contracts", {"on": "2025-07-22"})]),
    ]  # fmt: skip
    for question, text, blocks in answers:
        _answer(question, text, "provided", by)
        _blocks(question, blocks, by)
    return _issue_response(request, by=by, issued_on=DUDLEY_ISSUED_ON)


def load(*, by) -> None:
    """Draft, approve and issue the Staffordshire and Dudley responses (idempotent)."""
    load_staffordshire(by=by)
    load_dudley(by=by)
