"""A request sent through the public form enters the same intake as an email: a new request
to confirm, received now, the requester private, logged by the officer the same way."""

import datetime
from email import policy
from email.parser import BytesParser

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from foiregister.intake import services
from foiregister.intake.exceptions import IntakeError, ReceiptNotSent
from foiregister.intake.models import InboundMessage
from foiregister.kernel import audit
from foiregister.kernel.models import AuditEvent
from foiregister.requests.models import Request

BY = audit.system("tests")

TEXT = """Please provide:
1. The number of MRI scanners you own.
2. The number of CT scanners you lease from independent providers.
"""


@pytest.fixture
def form_on(organisation):
    organisation.public_request_form = True
    organisation.save()
    return organisation


def _receive(organisation, **overrides):
    fields = {
        "organisation": organisation,
        "name": "Ada Canary-Requester",
        "email": "ada.canary@example.org",
        "postal_address": "1 Canary Row\nStoke-on-Trent ST1 1AA",
        "text": TEXT,
        **overrides,
    }
    return services.receive_web_request(**fields)


@pytest.mark.django_db
def test_a_web_request_is_a_new_request_to_confirm_received_now(form_on):
    before = timezone.now()
    message = _receive(form_on)
    assert message.status == InboundMessage.Status.NEW_REQUEST
    assert message.get_status_display() == "New request to confirm"
    assert message.source == InboundMessage.Source.WEB_FORM
    assert before <= message.received_at <= timezone.now()
    assert (message.sender_name, message.sender_email) == (
        "Ada Canary-Requester",
        "ada.canary@example.org",
    )
    assert message.sender_address == "1 Canary Row\nStoke-on-Trent ST1 1AA"


@pytest.mark.django_db
def test_its_questions_are_split_as_for_an_email(form_on):
    message = _receive(form_on)
    assert services.draft_questions(message) == [
        "The number of MRI scanners you own.",
        "The number of CT scanners you lease from independent providers.",
    ]


@pytest.mark.django_db
def test_its_raw_copy_reads_as_an_email_from_the_requester(form_on):
    message = _receive(form_on)
    parsed = BytesParser(policy=policy.default).parsebytes(bytes(message.raw))
    assert parsed["From"].addresses[0].addr_spec == "ada.canary@example.org"
    assert "1 Canary Row" in parsed.get_content()


@pytest.mark.django_db
def test_the_audit_row_names_no_requester_detail(form_on):
    message = _receive(form_on)
    event = AuditEvent.objects.get(action=audit.AuditAction.INTAKE_WEB_REQUEST_RECEIVED)
    assert event.object_id == str(message.pk)
    assert event.actor == "system: public request form"
    row = f"{event.changes} {event.object_repr} {event.note}"
    for detail in ("Canary", "canary", "MRI"):
        assert detail not in row


@pytest.mark.django_db
def test_an_organisation_with_the_form_off_takes_no_web_request(organisation):
    with pytest.raises(IntakeError) as error:
        _receive(organisation)
    assert error.value.field == "organisation"
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "email", "text"])
def test_a_web_request_needs_name_email_and_text(form_on, field):
    with pytest.raises(IntakeError) as error:
        _receive(form_on, **{field: "   "})
    assert error.value.field == field


@pytest.mark.django_db
def test_the_officer_logs_it_as_a_web_form_request_with_the_private_address(form_on):
    message = _receive(form_on)
    request = services.log_request_from_message(
        message=message,
        title="MRI and CT scanners",
        body=message.body,
        questions=services.draft_questions(message),
        requester_name=message.sender_name,
        requester_email=message.sender_email,
        by=BY,
    )
    assert request.channel == Request.Channel.WEB_FORM
    assert request.questions.count() == 2
    assert request.requester.postal_address == "1 Canary Row\nStoke-on-Trent ST1 1AA"
    assert request.requester.email == "ada.canary@example.org"
    assert request.received_at == message.received_at


@pytest.mark.django_db
def test_an_emailed_request_is_still_logged_as_email(organisation):
    message = InboundMessage.objects.create(
        organisation=organisation,
        filename="x.eml",
        raw=b"",
        received_at=timezone.now(),
        subject="Scanners",
        sender_email="someone@example.org",
        body="How many scanners?",
        status=InboundMessage.Status.NEW_REQUEST,
        kind=InboundMessage.Kind.NEW_REQUEST,
    )
    assert message.source == InboundMessage.Source.EMAIL
    request = services.log_request_from_message(
        message=message,
        title="Scanners",
        body=message.body,
        questions=["How many scanners?"],
        requester_name="",
        requester_email="someone@example.org",
        by=BY,
    )
    assert request.channel == Request.Channel.EMAIL


@pytest.mark.django_db
def test_the_acknowledgement_is_emailed_when_mail_is_set_up(form_on, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _receive(form_on)
    sent = services.acknowledge_web_request(message=message, reply_by=datetime.date(2026, 1, 30))
    assert sent
    (email,) = django_mail.outbox
    assert email.to == ["ada.canary@example.org"]
    assert "30 January 2026" in email.body
    assert "The number of MRI scanners you own." in email.body


@pytest.mark.django_db
def test_no_acknowledgement_through_the_console_backend(form_on, settings, capsys):
    """The console backend would print the requester's address to the log."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    message = _receive(form_on)
    assert not services.acknowledge_web_request(
        message=message, reply_by=datetime.date(2026, 1, 30)
    )
    assert "canary" not in capsys.readouterr().out


@pytest.mark.django_db
def test_a_failed_acknowledgement_says_so_without_the_address(form_on, settings):
    """Raised for the task to retry (``disclosure.tasks.send_request_receipt``), naming the
    message and the failure's type only: the mail library's error quotes the address."""
    settings.EMAIL_BACKEND = "tests.intake.test_web_requests.BrokenBackend"
    message = _receive(form_on)
    with pytest.raises(ReceiptNotSent) as raised:
        services.acknowledge_web_request(message=message, reply_by=datetime.date(2026, 1, 30))
    assert str(raised.value) == (
        f"receipt for intake message {message.pk} not sent (ConnectionRefusedError)"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp refused ada.canary@example.org")
