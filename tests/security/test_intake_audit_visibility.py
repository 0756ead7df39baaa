"""The intake's audit rows are casework: only FOI officers and leads read them.

``access.audit_events_visible_to`` hides the request side of the audit log from the
organisation's Commissioners and Administrators (rows about requests, requesters, letters
and disclosure entries). The intake writes its rows under ``intake.``: the uploaded file's
name (a mail program names a saved email after its subject or sender) and, for a message
that cannot be read, the parser's error, which quotes the From header, the requester's name.
Those rows were shown to the commissioner and the administrator."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from foiregister.intake import services as intake_services
from foiregister.kernel import access

CANARY = "CANARYINTAKEAUDIT9127"

pytestmark = pytest.mark.django_db

UNREADABLE = (
    f"From: {CANARY} Person\r\n"
    "To: foi@icb.example\r\n"
    "Subject: Request for information\r\n"
    "Message-ID: <x1@mail.example.invalid>\r\n"
    "Date: Mon, 01 Sep 2025 09:15:00 +0100\r\n"
    "\r\n"
    "Please send me the figures.\r\n"
).encode()


@pytest.fixture
def failed_message(organisation, foi_officer):
    message, _ = intake_services.receive_message(
        organisation=organisation,
        raw=UNREADABLE,
        filename=f"{CANARY} request.eml",
        by=foi_officer,
    )
    return message


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["commissioner", "administrator"])
def test_the_registers_roles_do_not_read_the_intakes_audit_rows(failed_message, role, request):
    user = request.getfixturevalue(role)

    rows = access.audit_events_visible_to(user).filter(object_type__startswith="intake.")
    page = _client(user).get(reverse("admin:foiregister_auditevent_changelist") + "?q=request")

    assert list(rows) == []
    assert CANARY not in page.content.decode()


def test_an_foi_officer_still_reads_them(failed_message, foi_officer):
    rows = access.audit_events_visible_to(foi_officer).filter(object_type__startswith="intake.")

    assert rows.exists()
