"""What the logs say about a request: the path, never its query string.

gunicorn's access log leaves the query string out on purpose (deploy/gunicorn.conf.py: "a
search may be typed with someone's name in it"). Django's own loggers attach the request
object to every 4xx and 5xx line (``django.request``, ``django.security.*``), and the JSON
formatter writes it out as ``<WSGIRequest: GET '/path?q=...'>``: a requester's name or email
typed into a search or a filter reaches the log the access log was careful to keep it out
of. The lines are checked as the console handler formats them (settings.LOGGING)."""

from __future__ import annotations

import json
import logging

import pytest

CANARY = "CANARY-LOGQS-7731"

pytestmark = pytest.mark.django_db


def _console():
    handlers = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert handlers, "settings.LOGGING's console handler is not on the root logger"
    return handlers[0]


def _lines(caplog, logger: str) -> list[str]:
    handler = _console()
    return [
        handler.format(record)
        for record in caplog.records
        if record.name == logger and handler.filter(record)
    ]


def test_a_not_found_line_has_the_path_but_not_the_query_string(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/responses/nosuchentry/?email={CANARY.lower()}@example.invalid")

    lines = _lines(caplog, "django.request")

    assert lines, "Django logged no line for the 404"
    assert all(CANARY.lower() not in line.lower() for line in lines), lines
    assert any("/responses/nosuchentry/" in line for line in lines)


def test_a_refused_post_line_has_no_query_string(client, caplog):
    """A CSRF refusal is logged by ``django.security.csrf`` with the request attached."""
    csrf_client = type(client)(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        csrf_client.post(f"/?q={CANARY}", {"name": "x"})

    lines = _lines(caplog, "django.security.csrf")

    assert lines, "Django logged no line for the CSRF refusal"
    assert all(CANARY not in line for line in lines), lines


def test_a_staff_search_that_fails_does_not_log_the_name_searched(foi_officer_client, caplog):
    """An officer searching the requesters for a name, on a page that answers 404."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = foi_officer_client.get(
            f"/admin/foiregister/request/999999/workspace/?q={CANARY}"
        )

    lines = [json.loads(line) for line in _lines(caplog, "django.request")]

    assert response.status_code == 404
    assert lines, "Django logged no line for the 404"

    assert all(CANARY not in json.dumps(line) for line in lines), lines


def test_a_private_name_listed_twice_is_a_form_error_not_a_logged_refusal(
    foi_lead_client, organisation, caplog
):
    """The service refuses a name already listed (in any case); the admin turned that into
    PermissionDenied, so the lead got a bare 403 and Django logged the exception, whose
    message is the name the organisation keeps private."""
    name = f"{CANARY} Smith"
    url = "/admin/disclosure/privatename/add/"
    first = foi_lead_client.post(url, {"organisation": organisation.pk, "name": name})
    assert first.status_code == 302

    with caplog.at_level(logging.WARNING, logger="django.request"):
        again = foi_lead_client.post(
            url, {"organisation": organisation.pk, "name": f"  {name.lower()} "}
        )

    assert again.status_code == 200
    assert "already listed as private" in again.content.decode()
    logged = " ".join(_console().format(r) for r in caplog.records)
    assert CANARY.lower() not in logged.lower(), logged


def test_a_flash_message_naming_a_requester_is_not_kept_in_a_cookie(foi_officer_client):
    """Django's default message storage writes "The requester ... was changed" into a
    signed but readable cookie; the session keeps it on the server instead."""
    from django.contrib import messages
    from django.contrib.messages.storage import default_storage
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = foi_officer_client.session
    storage = default_storage(request)
    storage.add(messages.INFO, "The requester CANARY-FLASH-4411 was changed")
    from django.http import HttpResponse

    response = HttpResponse()
    storage.update(response)
    assert all("CANARY-FLASH-4411" not in morsel.value for morsel in response.cookies.values())
    assert "messages" not in response.cookies
