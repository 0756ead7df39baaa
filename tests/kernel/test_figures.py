"""Money and figures as the register prints them. PostgreSQL hands us ``Decimal('3091519.00')``
where SQLite hands us ``Decimal('3091519')``, ``3091519`` or ``3091519.0``; each must print the
same. Expected strings are written out by hand."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from foiregister.kernel import figures

SAME_AMOUNT_FROM_EITHER_DATABASE = [
    pytest.param(Decimal("3091519.00"), id="postgresql-decimal"),
    pytest.param(Decimal("3091519"), id="sqlite-aggregate-decimal"),
    pytest.param(3091519, id="sqlite-int"),
    pytest.param(3091519.0, id="sqlite-float"),
    pytest.param("3091519.00", id="letter-block-string"),
]


@pytest.mark.parametrize("value", SAME_AMOUNT_FROM_EITHER_DATABASE)
def test_whole_pounds_print_without_pence_whichever_database_gave_them(value):
    assert figures.money(value) == "£3,091,519"


@pytest.mark.parametrize("value", [Decimal("1250.50"), Decimal("1250.5"), 1250.5, "1250.50"])
def test_pence_are_shown_when_there_are_any(value):
    assert figures.money(value) == "£1,250.50"


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("0.05"), "£0.05"),
        (0, "£0"),
        (Decimal("0.00"), "£0"),
        (Decimal("999.99"), "£999.99"),
        (Decimal("1000000"), "£1,000,000"),
    ],
)
def test_small_and_round_amounts(value, printed):
    assert figures.money(value) == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("-1250.50"), "-£1,250.50"),
        (-3091519, "-£3,091,519"),
        (Decimal("-0.001"), "£0"),
    ],
)
def test_negative_amounts_put_the_sign_before_the_pound_sign(value, printed):
    """A credit note or a reduced contract value; a rounding to nothing is not negative."""
    assert figures.money(value) == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("2.005"), "£2.01"),
        (Decimal("2.004"), "£2"),
        (0.1 + 0.2, "£0.30"),
    ],
)
def test_amounts_are_rounded_half_up_to_the_penny(value, printed):
    assert figures.money(value) == printed


def test_a_missing_amount_is_empty_unless_the_caller_names_it():
    assert figures.money(None) == ""
    assert figures.money(None, empty="Not recorded") == "Not recorded"
    assert figures.count(None) == ""
    assert figures.percent(None, empty="Not known") == "Not known"


@pytest.mark.parametrize("value", ["three pounds", float("nan"), float("inf"), True])
def test_what_is_not_an_amount_is_refused_with_the_value_named(value):
    with pytest.raises(ValueError, match="is not a number"):
        figures.money(value)


@pytest.mark.parametrize("value", [Decimal("12345.00"), Decimal("12345"), 12345, 12345.0, "12345"])
def test_counts_have_thousands_separators_and_no_decimals(value):
    assert figures.count(value) == "12,345"


@pytest.mark.parametrize(
    ("value", "printed"),
    [(Decimal("1234.5"), "1,235"), (Decimal("1234.49"), "1,234"), (0, "0"), (-12, "-12")],
)
def test_counts_are_rounded_half_up_to_whole_numbers(value, printed):
    """CDC capacity is computed in fractions of an examination and printed whole."""
    assert figures.count(value) == printed


@pytest.mark.parametrize(
    ("fraction", "places", "printed"),
    [
        (Decimal("0.85"), 0, "85%"),
        (0.85, 0, "85%"),
        (Decimal("0.85"), 1, "85.0%"),
        (0.8532, 1, "85.3%"),
        (Decimal("0.00045"), 1, "0.0%"),
        (Decimal("0.0005"), 1, "0.1%"),
        (1, 0, "100%"),
        (Decimal("1.2549"), 1, "125.5%"),
        (Decimal("12.3456"), 0, "1,235%"),
    ],
)
def test_percent_of_a_fraction_keeps_the_places_asked_for(fraction, places, printed):
    assert figures.percent(fraction, places=places) == printed


@pytest.mark.parametrize("value", SAME_AMOUNT_FROM_EITHER_DATABASE)
def test_plain_money_for_csv_always_has_pence_and_no_separators(value):
    """Machine-readable: what a spreadsheet or ``Decimal()`` reads back unchanged."""
    assert figures.plain_money(value) == "3091519.00"


@pytest.mark.parametrize(
    ("value", "printed"),
    [(1250.5, "1250.50"), (Decimal("-0.5"), "-0.50"), (Decimal("-0.001"), "0.00"), (None, "")],
)
def test_plain_money_rounds_to_the_penny(value, printed):
    assert figures.plain_money(value) == printed


@pytest.mark.parametrize("value", [Decimal("1234.0"), 1234.4, 1234, None])
def test_plain_count_for_csv_is_a_whole_number_without_separators(value):
    assert figures.plain_count(value) == ("" if value is None else "1234")


@pytest.mark.parametrize(
    ("fraction", "printed"),
    [(Decimal("0.8025"), "80.3"), (0.8, "80.0"), (Decimal("12.3456"), "1234.6"), (None, "")],
)
def test_plain_percent_for_csv_rounds_as_the_page_does_without_sign_or_separators(
    fraction, printed
):
    """The CDC register's page says 80.3% where its CSV says 80.3, never 80.2."""
    assert figures.plain_percent(fraction, places=1) == printed


@pytest.mark.parametrize("value", [Decimal("300.5"), 300.5])
def test_plain_count_rounds_half_up_as_the_page_does(value):
    assert figures.plain_count(value) == "301"


@pytest.mark.parametrize("value", SAME_AMOUNT_FROM_EITHER_DATABASE)
def test_pence_gives_the_stored_form_of_money(value):
    """What a DecimalField(decimal_places=2) holds: SQLite's sums come back without it."""
    total = figures.pence(value)
    assert isinstance(total, Decimal) and str(total) == "3091519.00"


def test_the_template_filters_print_the_same_as_the_functions():
    template = Template(
        "{% load figures %}{{ a|money }} {{ b|money }} {{ n|count }} {{ f|percent:1 }} "
        "{{ none|money:'Not recorded' }} {{ a|plain_money }} [{{ not_in_context|money }}]"
    )
    context = Context(
        {
            "a": Decimal("3091519.00"),
            "b": 1250.5,
            "n": 12345.0,
            "f": Decimal("0.8532"),
            "none": None,
        }
    )
    assert (
        template.render(context) == "£3,091,519 £1,250.50 12,345 85.3% Not recorded 3091519.00 []"
    )
