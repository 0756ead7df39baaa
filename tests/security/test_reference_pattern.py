"""``reference_pattern`` was an unchecked Python format string (issue 12, item 13): an
officer-editable field that could traverse attributes (``{seq.__class__}``), ask for a
width of a gigabyte (``{seq:999999999d}``) or make references longer than their column.
Only ``{yyyy} {yy} {mm} {seq}`` are accepted, ``{seq}`` with a zero-pad width up to 10."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from foiregister.kernel.references import REFERENCE_MAX_LENGTH, check_reference_pattern
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import Request
from foiregister.requests.services.requests import format_reference

REFUSED = [
    ("{seq.__class__}", "{seq.__class__}"),
    ("FOI/{seq.__class__.__init__.__globals__}", "{seq.__class__.__init__.__globals__}"),
    ("{seq[0]}", "{seq[0]}"),
    ("{seq:999999999d}", "{seq:999999999d}"),
    ("{seq:011d}", "{seq:011d}"),
    ("{seq:>9}", "{seq:>9}"),
    ("{yyyy:>50}/{seq}", "{yyyy:>50}"),
    ("{seq!r}", "{seq!r}"),
    ("{0}/{seq}", "{0}"),
    ("{}/{seq}", "{}"),
    ("{requester}/{seq}", "{requester}"),
    ("{seq:{yy}}", "{seq:{yy}}"),
    ("FOI/{mm", "FOI/{mm"),
    ("FOI/{mm}{yy}", "{seq}"),
    # 51 + a ten-digit sequence = 61 characters, one more than the column.
    ("X" * 51 + "{seq}", "61"),
    # 13 x 4 + 10 = 62.
    ("{yyyy}" * 13 + "{seq}", "62"),
]


@pytest.mark.parametrize(("pattern", "named"), REFUSED, ids=repr)
def test_pattern_is_refused_naming_the_fault(pattern, named):
    with pytest.raises(ValueError) as exc:
        check_reference_pattern(pattern)
    assert named in str(exc.value)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("FOI/{mm}{yy}/{seq}", "FOI/0925/1434"),
        ("FOI-{mm}{yyyy}-{seq:07d}", "FOI-092025-0001434"),
        ("{seq:010d}", "0000001434"),
        ("{{FOI}}/{seq}", "{FOI}/1434"),
        ("X" * 40 + "/{yy}/{seq:05d}", "X" * 40 + "/25/01434"),
        # 50 + a ten-digit sequence = 60: exactly the column.
        ("X" * 50 + "{seq}", "X" * 50 + "1434"),
    ],
    ids=repr,
)
def test_documented_patterns_are_filled(pattern, expected):
    assert format_reference(pattern, received=datetime.date(2025, 9, 1), sequence=1434) == expected


@pytest.mark.parametrize(
    "pattern", ["{seq.__class__}", "{seq:70d}", "{seq.real}", "{mm!a}/{seq}"], ids=repr
)
def test_reference_generation_refuses_a_pattern_outside_the_rule(pattern):
    """A pattern stored before the rule (or written around the form) is refused when a
    request is logged, not filled."""
    with pytest.raises(ValidationFailed) as exc:
        format_reference(pattern, received=datetime.date(2025, 9, 1), sequence=1)
    assert exc.value.field == "reference_pattern"


def test_kernel_limit_is_the_request_reference_column():
    assert REFERENCE_MAX_LENGTH == Request._meta.get_field("reference").max_length


@pytest.mark.django_db
def test_organisation_model_validation_refuses_attribute_traversal(organisation):
    organisation.reference_pattern = "{seq.__class__.__mro__}"
    with pytest.raises(ValidationError) as exc:
        organisation.full_clean()
    assert "{seq.__class__.__mro__}" in str(exc.value.message_dict["reference_pattern"])


@pytest.mark.django_db
def test_lead_cannot_save_an_attribute_traversal_pattern(foi_lead_client, organisation):
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(organisation, exclude=["id", "members"]).items()
    }
    data["reference_pattern"] = "{seq.__class__}"

    response = foi_lead_client.post(
        reverse("admin:foiregister_organisation_change", args=[organisation.pk]), data
    )

    organisation.refresh_from_db()
    assert organisation.reference_pattern == "FOI/{mm}{yy}/{seq}"
    assert "{seq.__class__}" in response.content.decode()
