"""Letters built through ``foiregister.letters.services``, as the product builds them.

``FigureBlock`` is a block type for tests only: its data comes from ``FIGURES``, a dict a
test changes to stand for "the register changed", so the letter machinery is tested
without depending on the contract register's models.
"""

from __future__ import annotations

import datetime

from foiregister.letters import services
from foiregister.letters.blocks import REGISTRY, LiveBlock, Param, register
from tests.factories.foiregister import RequesterFactory, log_request

FIGURES: dict[str, str] = {}


class FigureBlock(LiveBlock):
    key = "test_figure"
    title = "Test figure"
    template_name = "letters/blocks/figures.html"
    params = (Param("name", "text", "Figure name"),)

    def fetch(self, *, organisation, params):
        return {"rows": [{"label": params["name"], "value": FIGURES[params["name"]]}]}


if FigureBlock.key not in REGISTRY:
    register(FigureBlock)

QUESTIONS = [
    "Please state the total expenditure on clinical insourcing in 2024/25.",
    "Please list your independent sector imaging contracts.",
    "How many patients were referred to independent sector providers?",
]


def requester_with_details(organisation):
    return RequesterFactory(
        organisation=organisation,
        name="Philippa Quartermaine",
        email="philippa.quartermaine@example.invalid",
        postal_address="17 Larkspur Crescent\nNether Wallop\nZZ9 9ZZ",
    )


def answered_request(*, organisation, officer, requester=None, figure="spend", **kwargs):
    """A request with three questions: a provided answer with a live figure, a provided
    answer, and a not-held answer; the figure block reviewed."""
    requester = requester or requester_with_details(organisation)
    request = log_request(
        organisation=organisation,
        requester=requester,
        by=officer,
        questions=QUESTIONS,
        received_on=kwargs.pop("received_on", datetime.date(2025, 9, 1)),
        **kwargs,
    )
    q1, q2, q3 = request.questions.order_by("number")
    FIGURES.setdefault(figure, "£3,091,519")
    services.set_answer(
        question=q1, by=officer, answer="Total insourcing spend:", answer_kind="provided"
    )
    block = services.add_block(
        question=q1, block_type="test_figure", params={"name": figure}, by=officer
    )
    services.review_blocks(blocks=[block], by=officer)
    services.set_answer(
        question=q2,
        by=officer,
        answer="Diagnostic Healthcare Ltd, provision of MRI services, expiry 31 January 2027.",
        answer_kind="provided",
    )
    services.set_answer(question=q3, by=officer, answer="", answer_kind="not_held")
    return request


def approved_response(*, request, officer, lead, **fields):
    letter = services.draft_letter(request=request, kind="response", by=officer, **fields)
    return services.approve_letter(letter=letter, by=lead)


def issued_response(*, request, officer, lead, issued_on=datetime.date(2025, 9, 20)):
    letter = approved_response(request=request, officer=officer, lead=lead)
    return services.issue_letter(letter=letter, by=officer, issued_on=issued_on)
