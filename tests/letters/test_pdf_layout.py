"""The letter PDF as a reader meets it: one font, a question kept with its block where it
fits and no mostly blank first page, no bullet apart from its words, whole numbers without
'.0' (issue #13). Rendered from a content dict, so no database is needed."""

import datetime
import io

import pytest
from django.template import Context, Template
from pypdf import PdfReader

from foiregister.letters.context import render_context
from foiregister.letters.render import letter_filename, render_letter_pdf

ORG = {
    "name": "Fictional ICB",
    "address_lines": ["1 Example Road", "Exampletown"],
    "telephone": "",
    "foi_email": "foi@example.invalid",
    "website": "",
    "signatory_name": "A Signatory",
    "signatory_title": "Head of FOI",
    "internal_review_wording": "",
}


def _question(number, rows):
    return {
        "number": number,
        "text": f"Question {number} text: please list the figures you hold.",
        "answer_kind": "provided",
        "answer_kind_label": "Provided",
        "standard_wording": "",
        "answer": f"Answer {number} begins here.",
        "elsewhere_url": "",
        "exemptions": [],
        "public_interest_reasoning": "",
        "blocks": [
            {
                "type": "figures",
                "title": "Figures",
                "template": "letters/blocks/figures.html",
                "params": {},
                "data": {"rows": rows},
                "hash": "",
                "error": "",
            }
        ],
    }


def _pdf(questions):
    content = {
        "kind": "response",
        "kind_label": "Response",
        "reference": "FOI/0925/1",
        "regime": "foi",
        "request_title": "Figures",
        "received_on": "2025-09-01",
        "due_on": "",
        "body": "",
        "fee_amount": "",
        "pit_estimate_on": "",
        "review_decision": "",
        "review_decision_label": "",
        "corrects": None,
        "questions": questions,
        "publication_notice": True,
        "review_rights": True,
        "ico_rights": True,
        "organisation": ORG,
    }
    data = render_letter_pdf(
        render_context(content=content, letter_date=datetime.date(2025, 9, 20), addressee=None)
    )
    return PdfReader(io.BytesIO(data))


@pytest.fixture(scope="module")
def long_first_answer():
    """Question 1's block has 60 rows, far more than the rest of page 1 holds."""
    rows = [{"label": f"Site {i:02d}", "value": f"{i} examinations"} for i in range(60)]
    return _pdf([_question(1, rows), _question(2, rows[:2])])


def test_a_long_block_starts_beside_its_question_not_on_the_next_page(long_first_answer):
    first = long_first_answer.pages[0].extract_text()
    assert "Question 1 text" in first and "Answer 1 begins here." in first
    assert "Site 00: 0 examinations" in first  # the block starts on page 1 ...
    assert "Site 20: 20 examinations" in first  # ... and fills it, no two-thirds blank


def test_the_letter_uses_one_font_family(long_first_answer):
    families = set()
    for page in long_first_answer.pages:
        for font in page["/Resources"]["/Font"].values():
            name = str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
            families.add(name.split("-")[0] + "-" + name.split("-")[1])
    assert families == {"DejaVu-Sans"}


def test_no_bullet_stands_apart_from_its_words(long_first_answer):
    for page in long_first_answer.pages:
        lines = [line.strip() for line in page.extract_text().splitlines()]
        assert "•" not in lines


def test_a_figure_without_a_value_is_not_an_empty_bullet():
    html = Template('{% include "letters/blocks/figures.html" %}').render(
        Context(
            {"data": {"rows": [{"label": "Kept", "value": 0}, {"label": "Empty", "value": ""}]}}
        )
    )
    assert "Kept: 0" in html and "Empty" not in html


def test_whole_numbers_print_without_a_decimal_point():
    template = Template("{% load letter_format %}{{ a|figure }} {{ b|figure }} {{ c|figure }}")
    assert template.render(Context({"a": "100.0", "b": "1234.50", "c": "2.25"})) == (
        "100 1,234.5 2.3"
    )


def test_the_two_copies_have_different_file_names():
    requester = letter_filename(reference="FOI/0925/1", kind="response")
    public = letter_filename(reference="FOI/0925/1", kind="response", anonymised=True)
    assert requester == "FOI-0925-1-response.pdf"
    assert public == "FOI-0925-1-response-anonymised.pdf"
