"""The public request form: on only where the organisation turned it on, published answers
suggested (never an unpublished request), a request sent lands in intake with the
requester private, and nothing the requester typed reaches a URL, a log or an error page."""

import datetime
import json
import logging
import re
import sys

import pytest
from django.conf import settings as django_settings
from django.core.signals import got_request_exception
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter

from foiregister.disclosure import request_views, selectors, services
from foiregister.intake.models import InboundMessage
from foiregister.kernel import audit
from foiregister.kernel.models import AuditEvent
from tests.factories.disclosure import published_entry, responded_request

pytestmark = pytest.mark.django_db

CANARY = "Zebracanary"
SCANNERS = "How many MRI scanners does the organisation lease from independent providers?"
REQUEST = (
    "Please tell me:\n"
    "1. How many MRI scanners do you lease from independent sector providers?\n"
    "2. When does each lease of MRI scanners end?\n"
)


@pytest.fixture(autouse=True)
def _unthrottled(settings):
    settings.PUBLIC_REQUEST_FORM_RATE = "1000/second"
    settings.PUBLIC_SUGGESTIONS_RATE = "1000/second"


@pytest.fixture
def form_on(organisation):
    organisation.public_request_form = True
    organisation.save()
    return organisation


@pytest.fixture
def scanners(organisation, foi_lead):
    return published_entry(
        organisation=organisation,
        by=foi_lead,
        title="MRI scanners leased from independent providers",
        questions=(SCANNERS,),
        answers=("We lease two MRI scanners from Cobalt Health until March 2027.",),
    )


def _url(organisation, name="request_form"):
    return (
        f"/organisations/{organisation.ods_code}/request/"
        + {
            "request_form": "",
            "request_suggestions": "suggestions/",
        }[name]
    )


def _details(**overrides):
    return {
        "name": f"Ada {CANARY}",
        "email": f"ada.{CANARY.lower()}@example.org",
        "address": f"1 {CANARY} Row\nStoke-on-Trent",
        "text": REQUEST + f"My reference {CANARY}-TEXT.",
        "website": "",
        "send": "1",
        **overrides,
    }


# -- selectors, without HTTP ------------------------------------------------------------


def test_a_published_response_asking_the_same_is_suggested(form_on, scanners):
    found = selectors.responses_that_may_answer(text=REQUEST, organisation=form_on)
    assert [s.public_id for s in found] == [scanners.public_id]
    assert found[0].question == SCANNERS
    assert "two MRI scanners from Cobalt Health" in found[0].snippet


def test_a_suggestion_quotes_the_answer_to_the_question_that_matched(form_on, foi_lead):
    """The answer quoted is the matched question's, not the response's first answer (the
    demo's imaging response quoted its section 21 answer about waiting lists to someone
    asking when its contracts end), and the closest question is named even when the
    response's title is what matched best."""
    entry = published_entry(
        organisation=form_on,
        by=foi_lead,
        title="Diagnostic imaging: waiting lists and independent sector contracts",
        questions=(
            "What is your current waiting list for MRI and CT scans?",
            "When do your imaging contracts with independent sector providers end?",
        ),
        answers=(
            "Waiting times are published by NHS England.",
            "The MRI contract with Cobalt Health ends on 31 March 2027.",
        ),
    )
    typed = "1. When do your imaging contracts with independent sector providers end?"
    [found] = selectors.responses_that_may_answer(text=typed, organisation=form_on)
    assert found.public_id == entry.public_id
    assert found.question == (
        "When do your imaging contracts with independent sector providers end?"
    )
    assert found.snippet.startswith("The MRI contract with Cobalt Health ends on 31 March 2027")
    assert "Waiting times" not in found.snippet

    title_only = "Diagnostic imaging waiting lists and independent sector contracts, please"
    [found] = selectors.responses_that_may_answer(text=title_only, organisation=form_on)
    assert found.question  # the closest question, though the title matched best


def test_an_unrelated_response_is_not_suggested(form_on, foi_lead):
    published_entry(
        organisation=form_on,
        by=foi_lead,
        title="Car parking charges",
        questions=("How much did the trust raise from staff car parking charges?",),
    )
    assert selectors.responses_that_may_answer(text=REQUEST, organisation=form_on) == []


def test_a_few_words_suggest_nothing(form_on, scanners):
    assert selectors.responses_that_may_answer(text="MRI scanners", organisation=form_on) == []


def test_this_organisations_responses_come_first(form_on, other_organisation, foi_lead):
    other_organisation.members.add(foi_lead)
    theirs = published_entry(
        organisation=other_organisation,
        by=foi_lead,
        title="Leased MRI scanners",
        questions=(REQUEST.splitlines()[1][3:],),  # word for word: the better match
    )
    ours = published_entry(
        organisation=form_on, by=foi_lead, title="MRI scanners", questions=(SCANNERS,)
    )
    found = selectors.responses_that_may_answer(text=REQUEST, organisation=form_on)
    assert [s.public_id for s in found] == [ours.public_id, theirs.public_id]
    found = selectors.responses_that_may_answer(text=REQUEST, organisation=other_organisation)
    assert [s.public_id for s in found] == [theirs.public_id, ours.public_id]


def test_an_unpublished_or_withdrawn_request_is_never_suggested(form_on, foi_lead, scanners):
    """Canaries in an answered request never published and in a withdrawn response."""
    responded_request(
        organisation=form_on,
        title=f"{CANARY} MRI scanners leased",
        questions=(f"How many MRI scanners do you lease from independent {CANARY}?",),
        answers=(f"{CANARY} unpublished answer",),
        by=foi_lead,
    )
    withdrawn = published_entry(
        organisation=form_on,
        by=foi_lead,
        title=f"{CANARY} withdrawn MRI scanners",
        questions=(f"How many MRI scanners do you lease from {CANARY} providers?",),
    )
    services.withdraw_response(entry=withdrawn, by=foi_lead, reason="Personal data")
    found = selectors.responses_that_may_answer(
        text=REQUEST + f"\n3. {CANARY} scanners", organisation=form_on
    )
    assert [s.public_id for s in found] == [scanners.public_id]
    assert CANARY not in repr(found)


def test_the_reply_is_due_20_working_days_after_receipt():
    """Received Tuesday 1 September 2026; day 1 is Wednesday 2 September, and the 20th
    working day, with no bank holiday in any UK nation between, is Tuesday 29 September
    (counted by hand on a calendar)."""
    received = timezone.make_aware(datetime.datetime(2026, 9, 1, 14, 0))
    assert selectors.reply_due_by(received) == datetime.date(2026, 9, 29)


# -- the setting ------------------------------------------------------------------------


def test_the_form_is_not_found_while_the_setting_is_off(organisation, client):
    assert organisation.public_request_form is False
    assert client.get(_url(organisation)).status_code == 404
    assert client.post(_url(organisation), _details()).status_code == 404
    assert (
        client.post(_url(organisation, "request_suggestions"), {"text": REQUEST}).status_code
        == 404
    )
    assert not InboundMessage.objects.exists()


def test_the_organisation_page_links_the_form_only_when_on(organisation, client):
    link = f'href="/organisations/{organisation.ods_code}/request/"'
    assert link not in client.get(f"/organisations/{organisation.ods_code}/").content.decode()
    organisation.public_request_form = True
    organisation.save()
    page = client.get(f"/organisations/{organisation.ods_code}/").content.decode()
    assert link in page and "Make a request" in page
    assert link in client.get("/organisations/").content.decode()


def test_the_log_filtered_to_the_organisation_links_the_form_when_on(form_on, scanners, client):
    page = client.get("/", {"organisation": form_on.ods_code}).content.decode()
    assert f"/organisations/{form_on.ods_code}/request/" in page
    form_on.public_request_form = False
    form_on.save()
    page = client.get("/", {"organisation": form_on.ods_code}).content.decode()
    assert f"/organisations/{form_on.ods_code}/request/" not in page


def test_the_administrator_turns_the_form_on_and_it_is_audited(organisation, administrator):
    client = Client()
    client.force_login(administrator)
    change = f"/admin/foiregister/organisation/{organisation.pk}/change/"
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "members"}
    data.update(public_request_form="on")
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation.refresh_from_db()
    assert organisation.public_request_form is True
    event = AuditEvent.objects.get(action=audit.AuditAction.ORGANISATION_CHANGED)
    assert event.changes == {"public_request_form": [False, True]}
    assert event.actor == administrator.username


# -- the form ---------------------------------------------------------------------------


def test_the_form_page_says_what_foi_is_and_what_is_private(form_on, client):
    page = client.get(_url(form_on)).content.decode()
    assert "20 working days" in page
    assert "never published" in page
    assert 'name="website"' in page and 'tabindex="-1"' in page
    assert 'autocomplete="email"' in page


def test_missing_fields_are_listed_in_an_error_summary_linking_to_them(form_on, client):
    response = client.post(_url(form_on), _details(name="", email="not an email", text=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert '<a href="#id_name">Enter your name</a>' in page
    assert '<a href="#id_email">Enter an email address in the correct format' in page
    assert '<a href="#id_text">Enter the information you are asking for</a>' in page
    assert not InboundMessage.objects.exists()


def test_the_honeypot_keeps_nothing_but_looks_sent(form_on, client):
    response = client.post(_url(form_on), _details(website="http://spam.example"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert not InboundMessage.objects.exists()


def test_too_many_requests_from_one_address_are_refused_with_a_message(form_on, client, settings):
    settings.PUBLIC_REQUEST_FORM_RATE = "2/hour"
    for _ in range(2):
        assert client.post(_url(form_on), _details()).status_code == 302
    response = client.post(_url(form_on), _details())
    assert response.status_code == 429
    assert "Too many requests have been sent from your connection" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert InboundMessage.objects.count() == 2


def test_a_request_sent_with_mistakes_does_not_count_against_the_limit(form_on, client, settings):
    settings.PUBLIC_REQUEST_FORM_RATE = "1/hour"
    for _ in range(3):
        assert client.post(_url(form_on), _details(email="wrong")).status_code == 200
    assert client.post(_url(form_on), _details()).status_code == 302
    assert client.post(_url(form_on), _details()).status_code == 429


def test_checking_for_answers_does_not_count_or_send(form_on, client, settings):
    settings.PUBLIC_REQUEST_FORM_RATE = "1/hour"
    for _ in range(3):
        response = client.post(_url(form_on), {**_details(), "check": "1"})
        assert response.status_code == 200
    assert not InboundMessage.objects.exists()
    assert client.post(_url(form_on), _details()).status_code == 302


def test_the_form_is_protected_against_cross_site_posts(form_on):
    client = Client(enforce_csrf_checks=True)
    assert client.post(_url(form_on), _details()).status_code == 403
    assert client.post(_url(form_on, "request_suggestions"), {"text": REQUEST}).status_code == 403
    assert not InboundMessage.objects.exists()


# -- suggestions ------------------------------------------------------------------------


def test_without_javascript_check_shows_suggestions_and_keeps_the_text(form_on, scanners, client):
    response = client.post(_url(form_on), {**_details(), "check": "1"})
    page = response.content.decode()
    assert f'href="/responses/{scanners.public_id}/"' in page
    assert "1 published response may already answer your request" in page
    assert "How many MRI scanners do you lease" in page  # the textarea keeps the text
    assert "There is a problem" not in page
    assert response["Cache-Control"] == "private, no-store"


def test_checking_before_the_details_are_filled_in_shows_no_errors(form_on, scanners, client):
    """A requester without JavaScript checks for answers before they reach their name and
    email: those fields are not yet wrong, so none is marked in error."""
    response = client.post(_url(form_on), {"text": REQUEST, "check": "1"})
    page = response.content.decode()
    assert "1 published response may already answer your request" in page
    assert "nhsuk-error-message" not in page
    assert "nhsuk-form-group--error" not in page
    assert "How many MRI scanners do you lease" in page


def test_the_suggestions_fragment_takes_the_text_in_the_body(form_on, scanners, client):
    response = client.post(_url(form_on, "request_suggestions"), {"text": REQUEST})
    fragment = response.content.decode()
    assert response.status_code == 200
    assert f'href="/responses/{scanners.public_id}/"' in fragment
    assert 'data-count="1"' in fragment
    assert client.get(_url(form_on, "request_suggestions"), {"text": REQUEST}).status_code == 405


def test_the_suggestions_fragment_never_shows_an_unpublished_request(form_on, foi_lead, client):
    responded_request(
        organisation=form_on,
        title=f"{CANARY} scanners",
        questions=(f"How many MRI scanners do you lease from independent {CANARY}?",),
        answers=(f"{CANARY} answer",),
        by=foi_lead,
    )
    fragment = client.post(_url(form_on, "request_suggestions"), {"text": REQUEST + CANARY})
    assert CANARY not in fragment.content.decode()
    assert 'data-count="0"' in fragment.content.decode()


def test_suggestion_look_ups_are_limited_per_address(form_on, client, settings):
    settings.PUBLIC_SUGGESTIONS_RATE = "2/minute"
    for _ in range(2):
        client.post(_url(form_on, "request_suggestions"), {"text": REQUEST})
    response = client.post(_url(form_on, "request_suggestions"), {"text": REQUEST})
    assert response.status_code == 429
    assert "You can still send your request" in response.content.decode()


# -- sending ----------------------------------------------------------------------------


def test_a_sent_request_lands_in_intake_with_the_requester_private(form_on, client):
    response = client.post(_url(form_on), _details())
    assert response.status_code == 302
    message = InboundMessage.objects.get()
    assert message.organisation == form_on
    assert message.source == InboundMessage.Source.WEB_FORM
    assert message.status == InboundMessage.Status.NEW_REQUEST
    assert message.sender_name == f"Ada {CANARY}"
    assert message.sender_email == f"ada.{CANARY.lower()}@example.org"
    assert message.sender_address == f"1 {CANARY} Row\nStoke-on-Trent"
    assert len(services_draft(message)) == 2


def services_draft(message):
    from foiregister.intake import services as intake_services

    return intake_services.draft_questions(message)


def test_the_confirmation_url_and_page_carry_no_requester_data(form_on, client):
    response = client.post(_url(form_on), _details())
    location = response["Location"]
    assert re.fullmatch(rf"/organisations/{form_on.ods_code}/request/sent/[\w:.-]+/", location)
    message = InboundMessage.objects.get()
    for private in (CANARY, CANARY.lower(), "example.org", message.message_id, "Ada"):
        assert private not in location
    page = client.get(location)
    body = page.content.decode()
    assert page.status_code == 200 and "Request sent" in body
    assert CANARY not in body and CANARY.lower() not in body
    assert page["Cache-Control"] == "private, no-store"


def test_the_confirmation_says_when_the_reply_is_due(form_on, client):
    response = client.post(_url(form_on), _details())
    message = InboundMessage.objects.get()
    due = selectors.reply_due_by(message.received_at)
    body = client.get(response["Location"]).content.decode()
    assert f"{due:%-d %B %Y}" in body


def test_a_forged_or_another_organisations_confirmation_is_not_found(
    form_on, other_organisation, client
):
    location = client.post(_url(form_on), _details())["Location"]
    token = location.rstrip("/").rsplit("/", 1)[1]
    assert client.get(location.replace(token, token[:-2] + "xx")).status_code == 404
    other_organisation.public_request_form = True
    other_organisation.save()
    elsewhere = f"/organisations/{other_organisation.ods_code}/request/sent/{token}/"
    assert client.get(elsewhere).status_code == 404


def test_the_acknowledgement_is_emailed_when_mail_is_set_up(
    form_on, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        location = client.post(_url(form_on), _details())["Location"]
    assert [m.to for m in mailoutbox] == [[f"ada.{CANARY.lower()}@example.org"]]
    assert "We are sending a confirmation" in client.get(location).content.decode()


def test_the_officer_sees_it_on_the_mailbox_screen_like_an_email(form_on, client, foi_officer):
    client.post(_url(form_on), _details())
    message = InboundMessage.objects.get()
    officer = Client()
    officer.force_login(foi_officer)
    listing = officer.get("/admin/intake/inboundmessage/").content.decode()
    assert "New request to confirm" in listing
    review = officer.get(f"/admin/intake/inboundmessage/{message.pk}/review/").content.decode()
    assert f"ada.{CANARY.lower()}@example.org" in review
    assert "Public request form" in review and f"1 {CANARY} Row" in review
    assert "How many MRI scanners do you lease" in review


# -- nothing in logs or error reports -----------------------------------------------------


def _formatted(records):
    """The records as the configured console handler writes them (JSON lines)."""
    config = django_settings.LOGGING
    formatter_config = dict(config["formatters"]["json"])
    factory = formatter_config.pop("()")
    formatter_config["fmt"] = formatter_config.pop("format")
    formatter = import_string(factory)(**formatter_config)
    out = []
    for record in records:
        if not hasattr(record, "correlation_id"):
            record.correlation_id = "-"
        out.append(formatter.format(record))
    return "\n".join(out)


def _explode(**kwargs):
    raise ValueError(
        f"value too long for type: {kwargs['name']} {kwargs['email']} {kwargs['text']}"
    )


def test_an_error_while_sending_logs_nothing_the_requester_typed(form_on, monkeypatch, caplog):
    monkeypatch.setattr(request_views.intake_services, "receive_web_request", _explode)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.DEBUG):
        response = client.post(_url(form_on), _details())
    assert response.status_code == 500
    logged = _formatted(caplog.records)
    assert "RequestFormFailed" in logged and "ValueError" in logged
    for private in (CANARY, CANARY.lower(), "example.org", "MRI scanners"):
        assert private not in logged
        assert private not in response.content.decode()
    json.loads(logged.splitlines()[-1])  # the line is the JSON the log collector reads


def test_an_error_report_hides_the_form_body(form_on, monkeypatch):
    """What an error report (mail to the admins, an error tracker) is built from: Django's
    ExceptionReporter with DEBUG off, its POST data and every frame's variables. The form's
    fields and the service's variables are marked sensitive, and the cause's message is
    left behind."""
    monkeypatch.setattr(request_views.intake_services, "receive_web_request", _explode)
    reports = []

    def report(sender, request, **kwargs):
        reports.append(ExceptionReporter(request, *sys.exc_info()).get_traceback_text())

    got_request_exception.connect(report)
    try:
        response = Client(raise_request_exception=False).post(_url(form_on), _details())
    finally:
        got_request_exception.disconnect(report)
    assert response.status_code == 500
    (text,) = reports
    assert "RequestFormFailed" in text and "********" in text
    for private in (CANARY, CANARY.lower(), "MRI scanners"):
        assert private not in text


def test_the_suggestions_lookup_is_not_logged(form_on, scanners, client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(_url(form_on, "request_suggestions"), {"text": REQUEST + CANARY})
        client.post(_url(form_on), _details())
    assert CANARY not in _formatted(caplog.records)


def test_a_sent_request_is_not_on_any_public_page(form_on, scanners, client):
    """The requester's canaries appear on no public page after sending, the response
    search included: it is a request to confirm, not a published response."""
    client.post(_url(form_on), _details())
    for path in (
        "/",
        f"/?q={CANARY}",
        f"/organisations/{form_on.ods_code}/",
        f"/responses/{scanners.public_id}/",
        "/feed/",
        "/api/responses/",
    ):
        body = client.get(path).content.decode()
        body = body.replace(f'value="{CANARY}"', "")  # the search box repeats the search
        assert CANARY not in body and CANARY.lower() not in body, path
    assert "No published responses match" in client.get("/", {"q": CANARY}).content.decode()


def test_checking_for_answers_shows_no_errors_yet(form_on, client):
    page = client.post(_url(form_on), {"text": REQUEST, "check": "1"}).content.decode()
    assert "Enter your name" not in page and "nhsuk-error-message" not in page
