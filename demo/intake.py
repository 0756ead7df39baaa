"""Demo FOI mailbox: a message waiting in the Staffordshire ICB's intake, so an officer who
opens Admin > Intake > Inbound messages finds something to log. It is a round-robin copy
of the insourcing request Dudley answered and published (seed 002), so its page shows
that published answer under "Published by other organisations". Made up: no real person."""

from __future__ import annotations

import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from foiregister.intake import services as intake_services

from .requests import DUDLEY_INSOURCING_QUESTIONS

MESSAGE_ID = "<demo-insourcing-round-robin@requests.example.invalid>"


def round_robin_copy(*, received_at: datetime.datetime) -> bytes:
    message = EmailMessage()
    message["From"] = "Sam Example <sam.example@requests.example.invalid>"
    message["To"] = "foi@staffsstoke.icb.example.invalid"
    message["Subject"] = "Freedom of Information request - clinical insourcing 2024/25"
    message["Date"] = format_datetime(received_at)
    message["Message-ID"] = MESSAGE_ID
    questions = "\n".join(
        f"{n}. {q.replace('the Trust', 'the ICB').replace(chr(8217), chr(39))}"
        for n, q in enumerate(DUDLEY_INSOURCING_QUESTIONS, start=1)
    )
    message.set_content(
        "Dear Freedom of Information team,\n\n"
        "Under the Freedom of Information Act 2000, please provide the following.\n\n"
        f"{questions}\n\nYours faithfully,\nSam Example\n"
    )
    return bytes(message)


def load(*, organisation, by) -> None:
    """Idempotent: the same Message-ID is kept once."""
    received = timezone.localtime().replace(hour=9, minute=12, second=0, microsecond=0)
    intake_services.receive_message(
        organisation=organisation,
        raw=round_robin_copy(received_at=received - datetime.timedelta(days=1)),
        filename="insourcing-request.eml",
        by=by,
    )
