"""Standard wording for each answer kind, filled with the request's own values."""

import datetime
from decimal import Decimal

import pytest

from foiregister.letters import context, services
from foiregister.letters.context import render_context
from foiregister.letters.exceptions import LetterError
from foiregister.letters.render import render_letter_html
from foiregister.requests import services as register_services
from tests.factories import letters as f

pytestmark = pytest.mark.django_db

ADVICE = "You could ask for one financial year only."


@pytest.fixture
def request_(organisation, foi_officer):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    # 25 hours estimated, none logged yet: over the 18-hour limit for NHS bodies.
    return register_services.update_request(
        request=request, by=foi_officer, s12_estimate_hours=Decimal("25")
    )


def _letter_html(request, officer, **answer) -> str:
    question = request.questions.get(number=2)
    services.set_answer(question=question, by=officer, **answer)
    letter = services.draft_letter(request=request, kind="response", by=officer)
    content = context.draft_state(letter).content
    html = render_letter_html(
        render_context(content=content, letter_date=datetime.date(2025, 9, 20), addressee=None)
    )
    return " ".join(html.split())


@pytest.mark.parametrize(
    "answer, expected",
    [
        (
            {"answer_kind": "elsewhere", "elsewhere_url": "https://www.england.nhs.uk/stats/"},
            ["(section 21 of the Act)", "https://www.england.nhs.uk/stats/"],
        ),
        (
            {"answer_kind": "refused_s12", "answer": ADVICE},
            # The Fees Regulations 2004: 18 hours at £25 an hour is £450 for NHS bodies.
            ["would take 25 hours", "18 hours (£450)", "(section 16)", ADVICE],
        ),
        ({"answer_kind": "refused_s14", "answer": ""}, ["section 14 of the Act applies"]),
        ({"answer_kind": "no_plans", "answer": ""}, ["has no current plans to do so"]),
        ({"answer_kind": "not_held", "answer": ""}, ["does not hold it"]),
    ],
    ids=["s21", "s12", "s14", "no_plans", "not_held"],
)
def test_each_answer_kind_prints_its_standard_wording(request_, foi_officer, answer, expected):
    html = _letter_html(request_, foi_officer, **answer)
    for words in expected:
        assert words in html


def test_organisation_edits_the_s12_wording_with_its_placeholders(request_, foi_officer, foi_lead):
    services.set_answer_wording(
        organisation=request_.organisation,
        answer_kind="refused_s12",
        text="Roughly {estimate_hours} hours of work, over our {limit_hours}-hour limit.",
        by=foi_lead,
    )
    html = _letter_html(request_, foi_officer, answer_kind="refused_s12", answer=ADVICE)
    assert "Roughly 25 hours of work, over our 18-hour limit." in html


def test_s12_refusal_without_advice_cannot_be_approved(request_, foi_officer, foi_lead):
    question = request_.questions.get(number=2)
    services.set_answer(question=question, by=foi_officer, answer_kind="refused_s12", answer="")
    letter = services.draft_letter(request=request_, kind="response", by=foi_officer)
    with pytest.raises(LetterError, match=r"question 2 is refused under section 12"):
        services.approve_letter(letter=letter, by=foi_lead)
