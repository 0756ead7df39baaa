"""The OpenAPI schema describes every operation and parameter, gives a real example answer
for each operation, and documents the 304, 400 and 404 answers; organisations without a
website or FOI email say null, which the uri and email formats accept."""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.factories.foiregister import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (f"GET {path}", op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if method == "get" and path.startswith("/api/v1/")
    ]


def test_every_operation_and_parameter_is_described(operations):
    assert operations
    undescribed = [name for name, op in operations if not op.get("description")]
    undescribed += [
        f"{name} {p['name']}"
        for name, op in operations
        for p in op.get("parameters", [])
        if not p.get("description")
    ]
    assert undescribed == []


def test_every_operation_has_an_example_answer(operations):
    missing = [
        name
        for name, op in operations
        if not all("example" in media for media in op["responses"]["200"]["content"].values())
    ]
    assert missing == []


def test_every_operation_documents_304_and_404_and_400_where_it_takes_a_query(operations):
    for name, op in operations:
        assert {"304", "404"} <= set(op["responses"]), name
        if any(p["in"] == "query" for p in op.get("parameters", [])):
            assert "400" in op["responses"], name


def test_an_organisation_without_website_or_foi_email_gives_null():
    OrganisationFactory(ods_code="ZZ1", website="", foi_email="")
    data = Client().get("/api/v1/organisations/ZZ1/").json()
    assert data["website"] is None and data["foi_email"] is None


def test_the_organisation_schema_allows_null_website_and_foi_email():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["Organisation"]["properties"]
    assert fields["website"]["nullable"] is True and fields["website"]["format"] == "uri"
    assert fields["foi_email"]["nullable"] is True and fields["foi_email"]["format"] == "email"
