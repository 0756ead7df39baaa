"""A response's answers in the API are the answers its page gives: the published letter's
text, standard wording and every live block's frozen content, as text and as the values the
page prints, through the registers' publicity rule (nothing private, nothing unpublished)."""

import datetime
import html
import json
import re

import pytest
from django.utils.html import strip_tags
from drf_spectacular.generators import SchemaGenerator

from foiregister.disclosure import services
from foiregister.letters import services as letter_services
from foiregister.letters.blocks import REGISTRY
from tests.factories import contracts as cf
from tests.factories.disclosure import published_with_every_register_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(organisation, foi_officer, foi_lead):
    return published_with_every_register_block(organisation, foi_officer, foi_lead)


def _detail(client, entry):
    response = client.get(f"/api/v1/responses/{entry.public_id}/")
    assert response.status_code == 200
    return response.json()


def _blocks(data, number=2):
    [question] = [q for q in data["questions"] if q["number"] == number]
    return {b["type"]: b for b in question["blocks"]}


def _page_text(content: bytes) -> str:
    spaced = re.sub(r"(<[^>]*>)", r" \1 ", content.decode())
    return " ".join(html.unescape(strip_tags(spaced)).split())


def test_each_block_gives_the_values_the_page_prints(published, client):
    _, _, entry = published
    blocks = _blocks(_detail(client, entry))
    assert sorted(blocks) == sorted(key for key, _ in cf.REGISTER_BLOCKS)
    assert all(b["available"] for b in blocks.values())

    [contract] = blocks["independent_sector_contracts"]["data"]["contracts"]
    assert contract["supplier"] == "Publicmarker Imaging Ltd"
    assert contract["title"] == "Publicmarker MRI service"
    assert contract["value"] is None and contract["value_withheld"] is True
    assert blocks["independent_sector_contracts"]["data"]["active_on"] == "2025-11-14"

    [supplier] = blocks["live_insourcing_contracts"]["data"]["suppliers"]
    assert supplier["supplier"] == "Publicmarker Insourcing Ltd"
    [insourced] = supplier["contracts"]
    assert insourced["end_date_to_be_agreed"] is True
    assert insourced["end_date_reason"] == ""  # its reasons are not public

    spend = blocks["spend_total"]["data"]
    assert (spend["financial_year"], spend["reported"]) == ("2024/25", True)
    assert spend["total"] == "1234.00"
    assert "£1,234" in blocks["spend_total"]["text"]
    # A line for each list item and table row, as the page sets them apart.
    cdc_lines = blocks["cdcs_hosted"]["text"].splitlines()
    assert cdc_lines[0].startswith("Publicmarker CDC")
    assert any(line.startswith("Modality Capacity (examinations) Activity") for line in cdc_lines)

    specialties = blocks["insourcing_providers_by_specialty"]["data"]["specialties"]
    assert specialties == [
        {"specialty": "Neurology", "providers": ["Publicmarker Insourcing Ltd"]}
    ]

    [plan] = blocks["planned_procurements"]["data"]["plans"]
    assert plan["title"].startswith("Publicmarker MRI re-procurement")

    cdcs = blocks["cdcs_hosted"]["data"]
    assert (cdcs["start"], cdcs["end"]) == ("2025-04-01", "2025-06-30")
    assert [c["name"] for c in cdcs["cdcs"]] == ["Publicmarker CDC"]
    assert cdcs["cdcs"][0]["modalities"], "the CDC's table rows"


def test_each_blocks_text_is_on_the_responses_page(published, client):
    _, _, entry = published
    page = _page_text(client.get(f"/responses/{entry.public_id}/").content)
    for question in _detail(client, entry)["questions"]:
        for block in question["blocks"]:
            assert block["text"] and " ".join(block["text"].split()) in page, block["type"]


def test_no_private_row_reaches_the_api(published, client):
    _, _, entry = published
    body = client.get(f"/api/v1/responses/{entry.public_id}/").content.decode()
    for canary in cf.REGISTER_CANARIES:
        assert canary.lower() not in body.lower(), canary
    assert "quartermaine" not in body.lower()
    assert cf.PUBLIC_MARK in body


def test_the_api_gives_the_frozen_letter_not_the_live_register(published, client):
    """Like the page and the PDF: a register changed after issue changes neither."""
    from contracts.models import Supplier

    _, _, entry = published
    Supplier.objects.filter(name="Publicmarker Imaging Ltd").update(name="Renamed Ltd")
    body = client.get(f"/api/v1/responses/{entry.public_id}/").content.decode()
    assert "Publicmarker Imaging Ltd" in body and "Renamed Ltd" not in body


def test_a_correction_shows_only_once_a_lead_publishes_it(
    published, client, foi_officer, foi_lead
):
    request, first, entry = published
    before = _detail(client, entry)
    assert before["corrected_on"] is None
    question = request.questions.get(number=2)
    letter_services.set_answer(
        question=question, by=foi_officer, answer="Corrected list:", answer_kind="provided"
    )
    correction = letter_services.draft_letter(
        request=request, kind="response", by=foi_officer, corrects=first
    )
    letter_services.approve_letter(letter=correction, by=foi_lead)
    letter_services.issue_letter(
        letter=correction, by=foi_officer, issued_on=datetime.date(2025, 9, 27)
    )
    assert _detail(client, entry) == before  # issued, not yet published

    services.publish_changes(entry=entry, by=foi_lead)
    after = _detail(client, entry)
    assert after["corrected_on"] == "2025-09-27"
    assert [q["answer"] for q in after["questions"] if q["number"] == 2] == ["Corrected list:"]
    page = _page_text(client.get(f"/responses/{entry.public_id}/").content)
    assert "corrected on 27 September 2025" in page


def test_every_block_type_has_a_public_shape_in_the_schema(db):
    """A new block type must say what of it the API gives, or its blocks are text only."""
    from foiregister.api.responses import BLOCK_SERIALIZERS
    from foiregister.disclosure.answers import PUBLIC_BLOCK_FIELDS

    offered = {key for key in REGISTRY if not key.startswith("test_")}
    assert offered <= set(PUBLIC_BLOCK_FIELDS)
    assert offered <= set(BLOCK_SERIALIZERS)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    question = components["PublishedQuestion"]["properties"]["blocks"]
    assert question["type"] == "array"
    one_of = components[question["items"]["$ref"].rsplit("/", 1)[1]]["oneOf"]
    assert len(one_of) == len(BLOCK_SERIALIZERS)
    assert json.dumps(components).lower().count("requester") == 0
