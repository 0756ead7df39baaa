"""The logs: one JSON object per line with the request id, and no personal data.

The handler under test is the one settings.LOGGING configures (its formatter and its
request-id filter), writing to a buffer; the root logger is opened to DEBUG so anything that
would ever log the posted values at any level is caught."""

import io
import json
import logging

import pytest
from django.db import connection

NAME = "Zebedee Quartermaine-Ollerenshaw"
EMAIL = "zebedee.canary@requester.example"


@pytest.fixture
def log_lines():
    root = logging.getLogger()
    console = next(h for h in root.handlers if h.get_name() == "console")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(console.formatter)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True  # SQL would be logged, parameters and all
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line]
    finally:
        connection.force_debug_cursor = False
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.mark.django_db
def test_each_line_is_json_with_the_request_id(public_client, log_lines):
    answer = public_client.get("/no-such-page/", HTTP_X_REQUEST_ID="0" * 31 + "1")
    assert answer.status_code == 404
    request_id = answer["X-Request-ID"]
    lines = log_lines()
    not_found = [line for line in lines if line["name"] == "django.request"]
    assert not_found and not_found[0]["level"] == "WARNING"
    assert not_found[0]["request_id"] == request_id
    assert {"asctime", "level", "name", "message", "request_id"} <= set(not_found[0])


@pytest.mark.django_db
def test_a_requesters_name_and_email_posted_to_forms_never_reach_the_log(
    foi_officer_client, public_client, organisation, log_lines
):
    # Saved: the requester form, through the service and its audit.
    answer = foi_officer_client.post(
        "/admin/foiregister/requester/add/",
        {"organisation": organisation.pk, "name": NAME, "email": EMAIL, "kind": "public"},
    )
    assert answer.status_code == 302, answer.content[:2000]
    # Refused: the same values with a bad field, re-shown on the form.
    answer = foi_officer_client.post(
        "/admin/foiregister/requester/add/",
        {"organisation": organisation.pk, "name": NAME, "email": EMAIL, "kind": "nonsense"},
    )
    assert answer.status_code == 200
    # Typed into the public search, and posted where nothing listens.
    public_client.get("/", {"q": f"{NAME} {EMAIL}"})
    public_client.post("/no-such-form/", {"name": NAME, "email": EMAIL})
    public_client.post("/api/v1/responses/", {"name": NAME, "email": EMAIL})

    lines = log_lines()
    assert lines, "nothing was logged: the test would pass for the wrong reason"
    text = json.dumps(lines)
    for value in (NAME, "Quartermaine", EMAIL, "zebedee.canary"):
        assert value not in text
