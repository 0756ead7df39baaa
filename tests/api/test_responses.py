"""The read-only public API."""

import pytest
from django.db import connection
from rest_framework.throttling import AnonRateThrottle

from tests.factories.disclosure import published_entry

pytestmark = pytest.mark.django_db


def test_response_detail_has_questions_and_no_requester_fields(organisation, foi_lead, client):
    entry = published_entry(organisation=organisation, by=foi_lead)
    data = client.get(f"/api/v1/responses/{entry.public_id}/").json()
    assert data["id"] == entry.public_id
    assert data["questions"][0]["answer"] == "We hold three such contracts."
    assert not {k for k in data if "requester" in k}
    assert data["organisation"] == {"ods_code": "QNC", "name": organisation.name}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="stemming is PostgreSQL full-text search; SQLite's fallback matches substrings",
)
def test_full_text_search_uses_stemming(organisation, foi_lead, client):
    published_entry(organisation=organisation, by=foi_lead, title="MRI scanners leased")
    published_entry(organisation=organisation, by=foi_lead, title="Car parking charges")
    data = client.get("/api/v1/responses/", {"q": "scanner lease"}).json()
    assert [r["title"] for r in data["results"]] == ["MRI scanners leased"]


def test_repeat_request_with_etag_gets_304(organisation, foi_lead, client):
    published_entry(organisation=organisation, by=foi_lead)
    first = client.get("/api/v1/responses/")
    assert first.has_header("ETag")
    again = client.get("/api/v1/responses/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_api_is_read_only(organisation, foi_lead, client):
    entry = published_entry(organisation=organisation, by=foi_lead)
    assert client.post("/api/v1/responses/", {}).status_code == 405
    assert client.delete(f"/api/v1/responses/{entry.public_id}/").status_code == 405


def test_organisations_show_public_fields_only(organisation, client):
    data = client.get("/api/v1/organisations/").json()["results"]
    assert set(data[0]) == {"ods_code", "name", "kind", "website", "foi_email"}


def test_openapi_schema_and_docs_render(client, db):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/responses/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200


def test_api_docs_and_explorer_serve_their_scripts_locally(client, db):
    """The reference (ReDoc) and the try-it explorer (Swagger UI) load their scripts from
    our own static files: no third-party CDN sees the public's visits."""
    for url, script in (("/api/docs/", "redoc"), ("/api/explorer/", "swagger-ui")):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert f"/static/drf_spectacular_sidecar/{script}" in html, url
        assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html, url


def test_anonymous_clients_are_throttled(organisation, foi_lead, client, monkeypatch):
    """Anonymous clients share the API_ANON_RATE budget per address; past it, 429 with a
    Retry-After header."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get("/api/v1/organisations/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(client.get("/api/v1/organisations/")["Retry-After"]) <= 60


def test_a_responses_own_url_ignores_list_filters(organisation, foi_lead, client):
    entry = published_entry(organisation=organisation, by=foi_lead, title="Car parking")
    response = client.get(f"/api/v1/responses/{entry.public_id}/", {"q": "ultrasound"})
    assert response.status_code == 200 and response.json()["title"] == "Car parking"


def test_a_new_x_forwarded_for_on_each_request_does_not_escape_the_throttle(
    organisation, client, monkeypatch
):
    """With no proxy of ours in front (TRUSTED_PROXY_COUNT=0, the default), X-Forwarded-For
    is whatever the client wrote: it must not make each request a new client."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [
        client.get("/api/v1/organisations/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_behind_one_proxy_the_address_it_saw_is_the_client(
    organisation, client, monkeypatch, settings
):
    """TRUSTED_PROXY_COUNT=1: our proxy appends the address it saw; what the client put
    before it is ignored, so rotating that does not escape either."""
    from rest_framework.settings import api_settings

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_settings.NUM_PROXIES == 1
    statuses = [
        client.get(
            "/api/v1/organisations/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7"
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    other = client.get("/api/v1/organisations/", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 200
