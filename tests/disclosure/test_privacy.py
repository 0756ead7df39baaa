"""The privacy invariant: nothing about a requester, and nothing of an unpublished request,
is reachable from any public URL, the API, the schema, the feed or the sitemap; and a route
to an unpublished response answers exactly as one to a response that never existed."""

import re
from decimal import Decimal

import pytest
from django.urls import get_resolver

from foiregister.disclosure import services
from tests.factories import contracts as contract_factories
from tests.factories import metrics as metrics_factories
from tests.factories.disclosure import responded_request
from tests.factories.foiregister import RequesterFactory, log_request

pytestmark = pytest.mark.django_db

HIDDEN = "Zanzibarquill"  # in every unpublished request's title and answers


def canary_requester(organisation, n):
    return RequesterFactory(
        organisation=organisation,
        name=f"Canaryname Xylophant{n}",
        email=f"canarymail{n}@canary.invalid",
        postal_address=f"{n} Canarystreet Lane\nCanarytown CN{n} 1AA",
        telephone=f"07700 9{n:05d}",
    )


WITHHELD_VALUE = "987654.32"  # a public contract's value its commissioner withheld
CANARIES = [
    "Canaryname",
    "Xylophant",
    "canarymail",
    "Canarystreet",
    "Canarytown",
    HIDDEN,
    "987654",
    "987,654",
]


def registers(organisation, by):
    """A public contract with a withheld value, a contract and a CDC not marked public."""
    contract_factories.contract(
        organisation=organisation,
        by=by,
        title="Public MRI contract",
        value=Decimal(WITHHELD_VALUE),
        is_public=True,
        value_is_public=False,
    )
    contract_factories.contract(
        organisation=organisation, by=by, title=f"Private {HIDDEN} contract", is_public=False
    )
    contract_factories.cdc(icb=organisation, by=by, name=f"{HIDDEN} CDC", is_public=False)
    contract_factories.cdc(icb=organisation, by=by, name="Public CDC", is_public=True)


@pytest.fixture
def world(organisation, other_organisation, foi_lead):
    other_organisation.members.add(foi_lead)
    published = [
        services.publish_response(
            request=responded_request(
                organisation=org,
                requester=canary_requester(org, n),
                by=foi_lead,
                title=f"Imaging contracts {n}",
                topic="Imaging",
            ),
            by=foi_lead,
        )
        for n, org in enumerate([organisation, organisation, other_organisation], start=1)
    ]
    unpublished = responded_request(
        organisation=organisation,
        requester=canary_requester(organisation, 7),
        by=foi_lead,
        title=f"Imaging contracts {HIDDEN}",
        answers=(f"Imaging {HIDDEN} answer",),
        topic=f"Topic{HIDDEN}",
    )
    log_request(
        organisation=organisation,
        requester=canary_requester(organisation, 8),
        title=f"Imaging open {HIDDEN}",
        by=foi_lead,
    )
    withdrawn = services.publish_response(
        request=responded_request(
            organisation=organisation,
            requester=canary_requester(organisation, 9),
            by=foi_lead,
            title=f"Imaging withdrawn {HIDDEN}",
            answers=(f"Imaging {HIDDEN} withdrawn answer",),
            topic=f"Topic{HIDDEN}",
        ),
        by=foi_lead,
    )
    services.withdraw_response(entry=withdrawn, by=foi_lead, reason="test")
    registers(organisation, foi_lead)
    return {"published": published, "unpublished": unpublished, "withdrawn": withdrawn}


def _public_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        regex = prefix + p.pattern.regex.pattern.lstrip("^")
        if "admin" in regex:
            continue
        if hasattr(p, "url_patterns"):
            yield from _public_patterns(p, regex)
        else:
            yield regex


def _fill(regex, values):
    """Every concrete path a route pattern gives with the values we know for its groups."""
    if "format" in regex:
        return []
    paths = [regex]
    for name in re.findall(r"\(\?P<(\w+)>", regex):
        paths = [
            re.sub(rf"\(\?P<{name}>[^)]*\)", str(v), p, count=1)
            for p in paths
            for v in values[name]
        ]
    return [
        "/" + p.replace("\\Z", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
        for p in paths
    ]


def assert_clean(body: str, where: str):
    for canary in CANARIES:
        assert canary.lower() not in body.lower(), f"{canary} in {where}"


def test_no_public_url_shows_a_requester_or_an_unpublished_request(world, client, organisation):
    ids = [e.public_id for e in world["published"]] + [world["withdrawn"].public_id, "none2345"]
    run = metrics_factories.completed_run()
    values = {
        "public_id": ids,
        "position": [1],
        "ods_code": [organisation.ods_code, "ZZZ"],
        "pk": [run.pk, 999999],
    }
    paths = sorted({p for regex in _public_patterns() for p in _fill(regex, values)})
    assert "/" in paths and "/feed/" in paths and "/sitemap.xml" in paths
    assert "/api/schema/" in paths
    assert {"/registers/contracts/", "/registers/cdcs.csv", "/registers/ocds.json"} <= set(paths)
    assert {"/api/v1/contracts/", "/api/v1/ocds/", f"/api/v1/runs/{run.pk}/results/"} <= set(paths)
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        body = b"".join(response) if response.streaming else response.content
        assert_clean(body.decode("utf-8", "replace"), path)
    assert "requester" not in client.get("/api/schema/").content.decode().lower()


FILTERS = [
    {},
    {"q": "imaging"},
    {"q": HIDDEN},
    {"topic": f"Topic{HIDDEN}"},
    {"topic": "Imaging"},
    {"regime": "foi"},
    {"outcome": "granted"},
    {"organisation": "QNC"},
    {"published_from": "2000-01-01", "published_to": "2100-01-01"},
    {"page": "2"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: ",".join(p) or "none")
def test_api_lists_count_only_published_responses(world, client, params):
    expected = {
        "q": 3 if params.get("q") == "imaging" else 0,
        "topic": 3 if params.get("topic") == "Imaging" else 0,
        "organisation": 2,
    }
    response = client.get("/api/v1/responses/", params)
    assert_clean(response.content.decode(), str(params))
    if "page" in params:
        assert response.status_code == 404
        return
    want = next((expected[k] for k in expected if k in params), 3)
    assert response.json()["count"] == want
    for item in response.json()["results"]:
        detail = client.get(f"/api/v1/responses/{item['id']}/")
        assert_clean(detail.content.decode(), item["id"])


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: ",".join(p) or "none")
def test_public_list_counts_only_published_responses(world, client, params):
    """The page for a value only unpublished requests have answers exactly as for a value
    nobody has: same count, same results."""
    response = client.get("/", params)
    body = response.content.decode()
    control = {k: v.replace(HIDDEN, "Neverseenword") for k, v in params.items()}
    control_body = client.get("/", control).content.decode()
    for value in params.values():
        body = body.replace(value, "")  # what was typed is echoed back
    for value in control.values():
        control_body = control_body.replace(value, "")
    assert_clean(body, str(params))
    assert body == control_body


@pytest.mark.parametrize(
    "suffix", ["", "response.pdf", "attachments/1/"], ids=["page", "pdf", "attachment"]
)
def test_withdrawn_response_answers_as_one_that_never_existed(world, client, suffix):
    withdrawn = client.get(f"/responses/{world['withdrawn'].public_id}/{suffix}")
    never = client.get(f"/responses/neverexisted/{suffix}")
    assert withdrawn.status_code == never.status_code == 404
    assert withdrawn.content == never.content
    api_withdrawn = client.get(f"/api/v1/responses/{world['withdrawn'].public_id}/")
    api_never = client.get("/api/v1/responses/neverexisted/")
    assert api_withdrawn.status_code == api_never.status_code == 404
    assert api_withdrawn.content == api_never.content


def test_unpublished_request_pk_and_reference_reach_nothing(world, client):
    request = world["unpublished"]
    for path in (f"/responses/{request.pk}/", f"/api/v1/responses/{request.pk}/"):
        assert client.get(path).status_code == 404
    assert "0 responses" in client.get("/", {"q": request.reference}).content.decode()
