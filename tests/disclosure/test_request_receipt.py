"""The receipt emailed to someone who uses the public request form (README, "Requests from
the public request form"): sent by a Celery task after the form's page has answered, given
the intake message's id only, so neither the requester's address nor their name is ever a
task argument (the broker, the result backend and the worker's log keep those). A mail
server that refuses is retried and logged without personal data. Celery runs eagerly here,
as in ``make run``."""

import smtplib

import pytest
from celery import signals

from foiregister.disclosure import tasks
from foiregister.intake.models import InboundMessage

pytestmark = pytest.mark.django_db

CANARY = "Quillfeather"
NAME = f"Ada {CANARY}"
EMAIL = f"ada.{CANARY.lower()}@example.org"


@pytest.fixture(autouse=True)
def _unthrottled(settings):
    settings.PUBLIC_REQUEST_FORM_RATE = "1000/second"


@pytest.fixture
def form_on(organisation):
    organisation.public_request_form = True
    organisation.save()
    return organisation


@pytest.fixture
def task_calls():
    """The arguments of every run of the receipt task (retries included), as the worker
    receives them."""
    calls = []

    def record(sender=None, args=None, kwargs=None, **_):
        if sender is not None and sender.name == tasks.send_request_receipt.name:
            calls.append((tuple(args or ()), dict(kwargs or {})))

    signals.task_prerun.connect(record, weak=False)
    yield calls
    signals.task_prerun.disconnect(record)


def _send(client, organisation, capture):
    with capture(execute=True):
        return client.post(
            f"/organisations/{organisation.ods_code}/request/",
            {
                "name": NAME,
                "email": EMAIL,
                "address": f"1 {CANARY} Row\nStoke-on-Trent",
                "text": "1. How many MRI scanners do you lease?",
                "website": "",
                "send": "1",
            },
        )


def _nothing_personal(value) -> None:
    text = repr(value).lower()
    assert CANARY.lower() not in text and "@" not in text, text


def test_the_receipt_is_sent_by_a_task_given_the_message_id_only(
    form_on, client, settings, mailoutbox, task_calls, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = _send(client, form_on, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    message = InboundMessage.objects.get()
    assert task_calls == [((message.pk,), {})]
    _nothing_personal(task_calls)
    assert [m.to for m in mailoutbox] == [[EMAIL]]
    assert "We are sending a confirmation" in client.get(response["Location"]).content.decode()


def test_no_task_is_queued_when_mail_is_not_set_up(
    form_on, client, settings, task_calls, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    response = _send(client, form_on, django_capture_on_commit_callbacks)
    assert task_calls == []
    assert "We are sending a confirmation" not in client.get(response["Location"]).content.decode()


class RefusingBackend:
    """A mail server that refuses the recipient, as smtplib reports it: its error quotes the
    requester's address."""

    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        RefusingBackend.attempts += 1
        raise smtplib.SMTPRecipientsRefused({EMAIL: (550, f"no mailbox {EMAIL}".encode())})


def test_a_refused_receipt_is_retried_then_given_up_and_logged_without_personal_data(
    form_on, client, settings, caplog, task_calls, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.attempts = 0
    caplog.set_level("INFO")

    response = _send(client, form_on, django_capture_on_commit_callbacks)

    assert response.status_code == 302  # the requester's page is not an error
    message = InboundMessage.objects.get()
    assert RefusingBackend.attempts == tasks.RECEIPT_RETRIES + 1 == 6
    assert task_calls == [((message.pk,), {})] * 6
    _nothing_personal(task_calls)
    lines = [r.getMessage() for r in caplog.records]
    assert (
        f"receipt for intake message {message.pk} not sent (SMTPRecipientsRefused); retry 1 of 5"
    ) in lines
    assert (
        f"receipt for intake message {message.pk} not sent (SMTPRecipientsRefused); "
        "gave up after 5 retries"
    ) in lines
    _nothing_personal([caplog.text, [r.exc_text for r in caplog.records]])
    # The request itself is kept, whatever happened to its receipt.
    assert message.sender_email == EMAIL
