"""The privacy invariant: nothing about a requester, and nothing of an unpublished request,
is reachable from any public URL, the API, the schema, the feed or the sitemap; and a route
to an unpublished response answers exactly as one to a response that never existed."""

import io
import re
from collections import deque
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from foiregister.disclosure import checks, services
from foiregister.kernel.roles import FOI_LEAD, FOI_OFFICER
from foiregister.letters import services as letter_services
from foiregister.requests import services as register_services
from tests.conftest import member
from tests.factories import contracts as contract_factories
from tests.factories import metrics as metrics_factories
from tests.factories.disclosure import responded_request
from tests.factories.foiregister import OrganisationFactory, RequesterFactory, log_request
from tests.factories.letters import answered_request, issued_response

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
    "07700 9000",
    "077009000",
    HIDDEN,
    "987654",
    "987,654",
    *contract_factories.REGISTER_CANARIES,
]


def registers(organisation, by):
    """A public contract with a withheld value, a contract and a CDC not marked public, and
    private rows of every register kind with canaries in each field
    (``contract_factories.register_with_private_rows``)."""
    contract_factories.register_with_private_rows(organisation=organisation, by=by)
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


def spreadsheet(*rows) -> bytes:
    wb = openpyxl.Workbook()
    wb.properties.creator = ""
    for row in rows:
        wb.active.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_letter_and_attachment(organisation, n, officer, lead, *, title):
    """A request answered and responded to with an issued letter (so it has an anonymised
    PDF) and a clean spreadsheet attached, its requester a canary. Its second answer carries
    a live block of every register kind, over registers that hold private rows."""
    request = answered_request(
        organisation=organisation,
        officer=officer,
        requester=canary_requester(organisation, n),
        title=title,
        topic="Imaging",
    )
    question = request.questions.get(number=2)
    letter_services.review_blocks(
        blocks=[
            letter_services.add_block(question=question, block_type=key, params=params, by=officer)
            for key, params in contract_factories.REGISTER_BLOCKS
        ],
        by=officer,
    )
    register_services.update_request(request=request, by=officer, outcome="granted")
    issued_response(request=request, officer=officer, lead=lead)
    services.add_attachment(
        request=request,
        filename=f"{title} figures.xlsx",
        data=spreadsheet(["Modality", "Contracts"], [title, 3]),
        by=lead,
        title=f"{title} figures",
    )
    request.refresh_from_db()
    return request


# -- the world, built once for the module ---------------------------------------------------
#
# Publishing letters with PDFs is slow, and every test here only reads the world, so it is
# built once, inside one transaction that is rolled back when the module ends (a DELETE could
# not remove it: the audit log and issued letters refuse one). Each test runs in a savepoint
# of that transaction, so a test that writes leaves the next one the same world.


@pytest.fixture(scope="module")
def _module_transaction(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def organisation(_module_transaction):
    return OrganisationFactory(name="Staffordshire and Stoke-on-Trent ICB", ods_code="QNC")


@pytest.fixture(scope="module")
def other_organisation(_module_transaction):
    return OrganisationFactory(
        name="The Dudley Group NHS Foundation Trust", ods_code="RNA", kind="trust"
    )


@pytest.fixture(scope="module")
def foi_officer(organisation):
    return member(organisation, FOI_OFFICER, "officer")


@pytest.fixture(scope="module")
def foi_lead(organisation):
    return member(organisation, FOI_LEAD, "lead")


@pytest.fixture(scope="module")
def world(organisation, other_organisation, foi_lead, foi_officer):
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
    registers(organisation, foi_lead)
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
    published.append(
        services.publish_response(
            request=with_letter_and_attachment(
                organisation, 4, foi_officer, foi_lead, title="Imaging letters"
            ),
            by=foi_lead,
        )
    )
    with_letter_and_attachment(organisation, 5, foi_officer, foi_lead, title=f"Imaging {HIDDEN}")
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
        "section": ["log", "responses", "none"],
        # A staff password reset link (foiregister.kernel.signin.urls), forged.
        "uidb64": ["MQ"],
        "token": ["set-password", "c0ffee-0123456789abcdef"],
    }
    paths = sorted({p for regex in _public_patterns() for p in _fill(regex, values)})
    assert "/" in paths and "/feed/" in paths and "/sitemap.xml" in paths
    assert "/api/schema/" in paths
    assert {"/registers/contracts/", "/registers/cdcs.csv", "/registers/ocds.json"} <= set(paths)
    assert {"/api/v1/contracts/", "/api/v1/ocds/", f"/api/v1/runs/{run.pk}/results/"} <= set(paths)
    # The public request form and its suggestions of published answers are walked too.
    organisation.public_request_form = True
    organisation.save()
    for path in paths:
        response = client.get(path)
        if response.status_code == 405:  # POST only: the form's suggestions, asked for canaries
            response = client.post(
                path, {"text": f"Imaging contracts {HIDDEN} answer, withdrawn and open {HIDDEN}"}
            )
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
    """Four responses are published: three of QNC's, one of RNA's."""
    expected = {
        "q": 4 if params.get("q") == "imaging" else 0,
        "topic": 4 if params.get("topic") == "Imaging" else 0,
        "organisation": 3,
    }
    response = client.get("/api/v1/responses/", params)
    assert_clean(response.content.decode(), str(params))
    if "page" in params:
        assert response.status_code == 404
        return
    want = next((expected[k] for k in expected if k in params), 4)
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


PUBLIC_ROWS = [
    "/registers/contracts/",
    "/registers/contracts.csv",
    "/registers/cdcs/",
    "/registers/cdcs.csv",
    "/registers/ocds.json",
    "/api/v1/contracts/",
    "/api/v1/cdcs/",
    "/api/v1/ocds/",
]


@pytest.mark.parametrize("path", PUBLIC_ROWS)
def test_public_register_rows_are_published(world, client, path):
    """The other side of the crawl: each consumer does show the public rows, so a check
    that finds no canary is not a check of an empty page."""
    body = client.get(path).content.decode()
    assert contract_factories.PUBLIC_MARK in body
    assert_clean(body, path)


def test_the_published_letter_shows_the_public_register_rows(world, client):
    letters = world["published"][-1].public_id
    response = client.get(f"/responses/{letters}/response.pdf")
    text = " ".join(" ".join(_texts("pdf", response)[0]).split())
    assert f"{contract_factories.PUBLIC_MARK} Imaging Ltd" in text
    assert f"{contract_factories.PUBLIC_MARK} CDC" in text
    assert_clean(text, "the published letter")


def test_unpublished_request_pk_and_reference_reach_nothing(world, client):
    request = world["unpublished"]
    for path in (f"/responses/{request.pk}/", f"/api/v1/responses/{request.pk}/"):
        assert client.get(path).status_code == 404
    assert "0 responses" in client.get("/", {"q": request.reference}).content.decode()


# -- the crawl: every public URL, and every URL they lead to ---------------------------------

HREF_RE = re.compile(r'(?:href|src)="([^"#]+)"')
LOC_RE = re.compile(r"<loc>([^<]+)</loc>")


def _local(url: str) -> str | None:
    url = url.replace("&amp;", "&")
    for origin in ("http://testserver", "https://testserver", "http://example.com"):
        if url.startswith(origin):
            url = url[len(origin) :]
    if not url.startswith("/") or url.startswith(("//", "/admin", "/static")):
        return None
    return url


def _json_urls(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _json_urls(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_urls(v)
    elif isinstance(value, str) and value.startswith(("http://testserver/", "/")):
        yield value


def _texts(path: str, response) -> tuple[list[str], set[str]]:
    """What a visitor can read in a response (a PDF's text and metadata, a spreadsheet's
    cells, hidden ones included, its file name), and the links it holds."""
    body = b"".join(response) if response.streaming else response.content
    texts = [response.get("Content-Disposition", "")]
    links: set[str] = set()
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        reader = pypdf.PdfReader(io.BytesIO(body))
        texts += [page.extract_text() or "" for page in reader.pages]
        texts += [str(v) for v in (reader.metadata or {}).values()]
        return texts, links
    disposition = response.get("Content-Disposition", "")
    if disposition.endswith(('.xlsx"', '.docx"')):
        filename = disposition.rsplit("=", 1)[1].strip('"')
        report = checks.inspect_attachment(filename, body)
        assert report.checkable, path
        texts += [text for _, text in report.text]
        return texts, links
    text = body.decode("utf-8", "replace")
    texts.append(text)
    links |= set(HREF_RE.findall(text)) | set(LOC_RE.findall(text))
    if kind.startswith("application/json"):
        links |= set(_json_urls(response.json()))
    return texts, links


def test_crawl_of_every_public_url_finds_no_requester_or_unpublished_request(
    world, client, organisation
):
    """Starts from the URL configuration, the API schema's paths, the sitemap and the feed,
    and follows every link, PDF and download they lead to."""
    ids = [e.public_id for e in world["published"]] + [world["withdrawn"].public_id]
    run = metrics_factories.completed_run()
    values = {
        "public_id": ids + ["none2345"],
        "position": [1, 2],
        "ods_code": [organisation.ods_code, "ZZZ"],
        "pk": [run.pk, 999999],
        "section": ["log", "responses", "none"],
        # A staff password reset link (foiregister.kernel.signin.urls), forged.
        "uidb64": ["MQ"],
        "token": ["set-password", "c0ffee-0123456789abcdef"],
        "id": [run.pk, 999999] + ids,
    }
    start = {p for regex in _public_patterns() for p in _fill(regex, values)}
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for template in schema["paths"]:
        start |= set(_fill(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template.lstrip("/")), values))
    assert "/sitemap.xml" in start and "/feed/" in start
    queue, seen = deque(sorted(start)), set()
    while queue and len(seen) < 600:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        cache.clear()  # the anonymous throttle would otherwise answer 429
        response = client.get(path)
        assert response.status_code in (200, 404), path
        texts, links = _texts(path, response)
        for text in texts:
            assert_clean(text, path)
        queue.extend(u for u in map(_local, links) if u and u not in seen)
    published_pages = {f"/responses/{e.public_id}/" for e in world["published"]}
    assert published_pages <= seen, "the crawl did not reach every published response"
    letters = world["published"][-1].public_id
    assert {f"/responses/{letters}/response.pdf", f"/responses/{letters}/attachments/1/"} <= seen


def _list_endpoints(schema) -> dict[str, list[dict]]:
    return {
        path: op["get"].get("parameters", [])
        for path, op in schema["paths"].items()
        if "{" not in path and "get" in op
    }


def test_every_api_list_answers_a_hidden_value_as_one_nobody_has(world, client):
    """Every filter of every API list, given a value only unpublished or private rows
    have, answers exactly as for a value nobody has (same status, same body, same count)."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    endpoints = _list_endpoints(schema)
    assert {"/api/v1/responses/", "/api/v1/contracts/", "/api/v1/cdcs/"} <= set(endpoints)
    checked = 0
    for path, parameters in endpoints.items():
        for parameter in parameters:
            name = parameter["name"]
            if parameter["in"] != "query" or name in ("page", "format"):
                continue
            for hidden in (HIDDEN, f"Topic{HIDDEN}", f"Private {HIDDEN} contract"):
                control = hidden.replace(HIDDEN, "Neverseenword")
                cache.clear()
                got = client.get(path, {name: hidden})
                want = client.get(path, {name: control})
                assert got.status_code == want.status_code, (path, name)
                body = got.content.decode().replace(hidden, "")
                assert_clean(body, f"{path}?{name}={hidden}")
                assert body == want.content.decode().replace(control, ""), (path, name)
                checked += 1
            for value in parameter.get("schema", {}).get("enum", []):
                cache.clear()
                response = client.get(path, {name: value})
                assert response.status_code == 200, (path, name, value)
                assert_clean(response.content.decode(), f"{path}?{name}={value}")
    assert checked >= 30


@pytest.mark.parametrize(
    "suffix", ["", "response.pdf", "attachments/1/"], ids=["page", "pdf", "attachment"]
)
def test_withdrawn_response_costs_the_same_queries_as_one_that_never_existed(
    world, client, suffix
):
    """A proxy for timing: the same database work, whatever is or was behind the id."""

    def queries(path):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        return len(ctx.captured_queries)

    withdrawn = world["withdrawn"].public_id
    assert queries(f"/responses/{withdrawn}/{suffix}") == queries(
        f"/responses/neverexisted/{suffix}"
    )
    assert queries(f"/api/v1/responses/{withdrawn}/") == queries("/api/v1/responses/neverexisted/")


# -- issue 12 items 2, 3, 6 and 7: canaries in a correction, in every hidden place of an
# attachment, in the topic and in disguised text. Kept apart from the fixtures above.

PLANTED_NAME = "Ottoline Quillonmarsh"
PLANTED_CANARIES = [
    "Quillonmarsh",
    "Ottoline",
    "ottoline.q",
    "Bramblewick",
    "Puddlecombe",
    "Snorington",
]


def planted_requester(organisation):
    return RequesterFactory(
        organisation=organisation,
        name=PLANTED_NAME,
        email="ottoline.q@canary.invalid",
        postal_address="Bramblewick House\nPuddlecombe Lane\nLittle Snorington\nCN9 9ZZ",
    )


def assert_no_planted_canary(text: str, where: str):
    """Matched on the text as a reader sees it: a soft hyphen or zero-width character
    inside a canary does not hide it."""
    seen = checks.normalise_text(text).lower()
    for canary in PLANTED_CANARIES:
        assert canary.lower() not in seen, f"{canary} in {where}"


@pytest.fixture
def planted_world(organisation, foi_lead, foi_officer):
    """A published response with, added after publication, a correction naming the
    requester behind a soft hyphen and an attachment per hidden place holding their name;
    and requests the lead tried and failed to publish: the name in the topic, behind a
    soft hyphen in an answer, and the house name of the address in an answer."""
    from foiregister.disclosure.exceptions import PersonalDataFound
    from foiregister.letters import services as letter_services
    from tests.factories.attachments import hidden_place_files

    request = answered_request(
        organisation=organisation,
        officer=foi_officer,
        requester=planted_requester(organisation),
        title="Imaging corrections",
        topic="Imaging",
    )
    first = issued_response(request=request, officer=foi_officer, lead=foi_lead)
    request.refresh_from_db()
    entry = services.publish_response(request=request, by=foi_lead)
    correction = letter_services.draft_letter(
        request=request,
        kind="response",
        by=foi_officer,
        corrects=first,
        body="We apologise to Ottoline Quillon\u00admarsh.",
    )
    correction = letter_services.approve_letter(letter=correction, by=foi_lead)
    letter_services.issue_letter(letter=correction, by=foi_officer)
    places = hidden_place_files(PLANTED_NAME)
    for place, (filename, data) in places.items():
        services.add_attachment(
            request=request, filename=filename, data=data, by=foi_lead, title=place
        )
    with pytest.raises(PersonalDataFound):
        services.publish_changes(entry=entry, by=foi_lead)

    refused = [
        dict(topic=PLANTED_NAME),
        dict(answers=("Thank you, Ottoline Quillon\u00admarsh, for asking.",)),
        dict(answers=("The letter was sent to Bramblewick House.",)),
    ]
    for n, fields in enumerate(refused):
        attempt = responded_request(
            organisation=organisation,
            requester=planted_requester(organisation),
            by=foi_lead,
            title=f"Imaging attempt {n}",
            **fields,
        )
        with pytest.raises(PersonalDataFound):
            services.publish_response(request=attempt, by=foi_lead)
    return {"entry": entry, "attachments": len(places)}


def test_crawl_finds_no_canary_of_a_correction_hidden_place_topic_or_disguised_text(
    planted_world, client, organisation
):
    entry = planted_world["entry"]
    run = metrics_factories.completed_run()
    values = {
        "public_id": [entry.public_id],
        "position": list(range(1, planted_world["attachments"] + 1)),
        "ods_code": [organisation.ods_code],
        "pk": [run.pk],
        "section": ["log", "responses"],
        "id": [run.pk, entry.public_id],
        # A department's contribution link (issue 13): a forged one finds nothing.
        "token": ["c0ffee-0123456789abcdef"],
    }
    start = {p for regex in _public_patterns() for p in _fill(regex, values)}
    queue, seen = deque(sorted(start)), set()
    while queue and len(seen) < 400:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        cache.clear()
        response = client.get(path)
        assert response.status_code in (200, 404), path
        texts, links = _texts(path, response)
        body = b"".join(response) if response.streaming else response.content
        disposition = response.get("Content-Disposition", "")
        if "attachment;" in disposition:
            filename = disposition.rsplit("=", 1)[1].strip('"')
            report = checks.inspect_attachment(filename, body)
            texts += [text for _, text in report.text + report.parts]
        for text in texts:
            assert_no_planted_canary(text, path)
        queue.extend(u for u in map(_local, links) if u and u not in seen)
    assert f"/responses/{entry.public_id}/response.pdf" in seen
    assert f"/responses/{entry.public_id}/attachments/1/" in seen
