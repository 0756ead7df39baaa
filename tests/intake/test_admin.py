"""The mailbox screen as an officer uses it, and as another body's officer tries it."""

from pathlib import Path

import pytest
from django.urls import reverse

from foiregister.intake.models import InboundMessage
from foiregister.kernel.roles import FOI_OFFICER
from foiregister.requests.models import Request
from tests.conftest import _client_for, member

EMAILS = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"


def _upload(client, organisation, name):
    with open(EMAILS / name, "rb") as fh:
        return client.post(
            reverse("admin:intake_inboundmessage_upload"),
            {"organisation": organisation.pk, "file": fh},
            follow=True,
        )


@pytest.mark.django_db
def test_an_officer_uploads_an_email_confirms_the_draft_and_logs_the_request(
    foi_officer_client, organisation
):
    page = _upload(foi_officer_client, organisation, "new_request_plain.eml")
    assert page.status_code == 200
    assert b"Draft request: confirm or correct" in page.content
    message = InboundMessage.objects.get()
    review = reverse("admin:intake_inboundmessage_review", args=[message.pk])
    form = page.context["draft"]
    data = {name: form[name].value() for name in form.fields}
    data["title"] = "Physician associates"  # the officer corrects the title
    # They asked for a reply by post; a browser sends the lines with CRLF.
    data["requester_postal_address"] = "1 Example Row\r\nStafford"
    data["log"] = "Log this request"
    logged = foi_officer_client.post(review, data, follow=True)
    assert logged.status_code == 200
    request = Request.objects.get()
    assert request.title == "Physician associates"
    assert request.questions.count() == 3
    assert request.requester.postal_address == "1 Example Row\nStafford"
    assert f"Logged as {request.reference}".encode() in logged.content


@pytest.mark.django_db
def test_a_malformed_email_shows_its_error_on_the_screen(foi_officer_client, organisation):
    page = _upload(foi_officer_client, organisation, "no_date.eml")
    assert b"no_date.eml, header Date: missing" in page.content


@pytest.mark.django_db
def test_another_bodys_officer_cannot_see_or_download_the_message(
    foi_officer_client, organisation, other_organisation
):
    _upload(foi_officer_client, organisation, "new_request_plain.eml")
    message = InboundMessage.objects.get()
    stranger = _client_for(member(other_organisation, FOI_OFFICER, "stranger"))
    for name in ("admin:intake_inboundmessage_review", "admin:intake_inboundmessage_raw"):
        assert stranger.get(reverse(name, args=[message.pk])).status_code == 404
    listing = stranger.get(reverse("admin:intake_inboundmessage_changelist"))
    assert b"Physician Associates" not in listing.content


@pytest.mark.django_db
def test_an_officer_cannot_upload_into_another_body(foi_officer_client, other_organisation):
    page = _upload(foi_officer_client, other_organisation, "new_request_plain.eml")
    assert not InboundMessage.objects.exists()
    assert b"Select a valid choice" in page.content


def test_the_admin_calls_the_mailboxes_mailboxes(organisation):
    """The intake index and breadcrumbs read "Mailboxes", not Django's "Mailboxs"."""
    client = _client_for(member(organisation, FOI_OFFICER, "mailbox-reader"))
    page = client.get(reverse("admin:app_list", args=["intake"])).content.decode()
    assert "Mailboxes" in page
    assert "Mailboxs" not in page


@pytest.mark.django_db
def test_my_work_opens_with_the_messages_waiting_in_the_intake(
    foi_officer_client, organisation, other_organisation
):
    """An officer's day starts from the mailbox: My work says what waits there and links to
    it; another body's waiting message is not counted, and nothing shows once it is dealt with."""
    my_work = reverse("admin:foiregister_request_my_work")
    assert b"Waiting in the intake" not in foi_officer_client.get(my_work).content
    _upload(foi_officer_client, organisation, "new_request_plain.eml")
    _upload(foi_officer_client, organisation, "no_date.eml")
    page = foi_officer_client.get(my_work).content.decode()
    assert "Waiting in the intake" in page
    assert "New request to confirm: 1 message<" in page
    assert "Could not be read: 1 message<" in page
    assert "?status__exact=new_request" in page
    stranger = _client_for(member(other_organisation, FOI_OFFICER, "stranger"))
    assert b"Waiting in the intake" not in stranger.get(my_work).content
    InboundMessage.objects.update(status=InboundMessage.Status.IGNORED)
    assert b"Waiting in the intake" not in foi_officer_client.get(my_work).content


@pytest.mark.django_db
def test_the_intake_list_is_titled_for_what_the_officer_does_there(foi_officer_client):
    page = foi_officer_client.get(reverse("admin:intake_inboundmessage_changelist"))
    assert b"<h1>Intake: emails and public requests</h1>" in page.content
