"""After a requester is erased, nothing of theirs may stay: their email, as received, too.

A request logged from an uploaded email (foiregister/intake) keeps the message: its raw
bytes, the sender's name and address, the body and signature (which sign off with the
requester's name and telephone), and the request sketch built for matching. The erasure
(foiregister/letters/retention.py) empties the requester row, their letter copies and the
audit log, but not the inbound message, so the requester's details outlive the retention
period on the message's review page and in its "download as received" file."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from foiregister.intake import services as intake_services
from foiregister.intake.models import InboundMessage
from foiregister.letters import retention
from foiregister.requests import services as register_services
from foiregister.requests.models import Request

pytestmark = pytest.mark.django_db

D = datetime.date
CANARY = "CANARYERASE5150"
EMAIL = (
    Path(__file__).resolve().parents[1] / "data" / "intake" / "emails" / "new_request_plain.eml"
)


@pytest.fixture
def erased_from_email(organisation, foi_officer, foi_lead):
    raw = (
        EMAIL.read_bytes()
        .replace(b"Alex Example", f"{CANARY} Person".encode())
        .replace(b"alex.example@", f"{CANARY.lower()}@".encode())
        .replace(b"Mon, 01 Sep 2025", b"Tue, 01 Mar 2022")
    )
    message, _ = intake_services.receive_message(
        organisation=organisation, raw=raw, filename="request.eml", by=foi_officer
    )
    request = intake_services.log_request_from_message(
        message=message,
        title="Physician associates",
        body=message.body,
        questions=intake_services.draft_questions(message),
        requester_name=message.sender_name,
        requester_email=message.sender_email,
        by=foi_officer,
    )
    register_services.change_status(
        request=request, to=Request.Status.WITHDRAWN, on=D(2022, 3, 10), by=foi_officer
    )
    retention.erase_requester(request=request, by=foi_lead, today=D(2026, 6, 1))
    message.refresh_from_db()
    return message


def test_erasure_empties_the_email_the_request_came_from(erased_from_email):
    message = erased_from_email
    kept = " ".join(
        [
            message.sender_name,
            message.sender_email,
            message.body,
            message.signature,
            message.quoted,
            bytes(message.raw).decode("utf-8", "replace"),
        ]
    )
    assert CANARY.lower() not in kept.lower()


def test_the_erased_requesters_email_is_not_on_the_review_page(
    erased_from_email, foi_officer_client
):
    assert InboundMessage.objects.filter(pk=erased_from_email.pk).exists()
    pages = [
        foi_officer_client.get(
            reverse("admin:intake_inboundmessage_review", args=[erased_from_email.pk])
        ),
        foi_officer_client.get(
            reverse("admin:intake_inboundmessage_raw", args=[erased_from_email.pk])
        ),
    ]
    # The review page stays (the case's history); the email as received is gone.
    assert [p.status_code for p in pages] == [200, 410]
    assert all(CANARY.lower() not in p.content.decode("utf-8", "replace").lower() for p in pages)
