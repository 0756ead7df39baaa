"""A member of the public makes a request the way they would: opens the organisation's page,
follows Make a request, types their questions, sees a published response that may already
answer one, sends the request and reads the confirmation; then an FOI officer finds it on
Admin > Intake > Inbound messages and logs it. axe-core on the form (empty, with errors,
with suggestions) and on the confirmation; the form read at 320 px.
Screenshots in var/screenshots/public-request-*.png."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from foiregister.intake.models import InboundMessage
from foiregister.requests.models import Request
from tests.factories.disclosure import published_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("var/screenshots")
WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
QUESTIONS = (
    "Please provide:\n"
    "1. How many MRI scanners do you lease from independent sector providers?\n"
    "2. When does each MRI scanner lease end?"
)


@pytest.fixture
def setting_on(organisation, foi_lead, settings):
    settings.PUBLIC_REQUEST_FORM_RATE = "1000/second"
    settings.PUBLIC_SUGGESTIONS_RATE = "1000/second"
    organisation.public_request_form = True
    organisation.save()
    published_entry(
        organisation=organisation,
        by=foi_lead,
        title="MRI scanners leased from independent providers",
        questions=("How many MRI scanners does the ICB lease from independent providers?",),
        answers=("We lease two MRI scanners from Cobalt Health until March 2027.",),
    )
    return organisation


def _axe_clean(page):
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()


def test_a_requester_sends_a_request_and_an_officer_logs_it(
    live_server, browser, setting_on, foi_officer
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    posted = []
    page.on("request", lambda r: posted.append((r.method, r.url)))

    page.goto(f"{live_server.url}/organisations/{setting_on.ods_code}/")
    page.get_by_role("link", name="Make a request", exact=True).click()
    page.get_by_role("heading", name="Make a freedom of information request").wait_for()
    _axe_clean(page)

    # Sent empty: the error summary links to each field.
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    page.screenshot(path=str(SHOTS / "public-request-errors.png"), full_page=True)
    _axe_clean(page)
    page.get_by_role("link", name="Enter your name").click()
    assert page.evaluate("document.activeElement.id") == "id_name"

    # Typing: a published response that may answer is offered, announced politely.
    page.get_by_label("Your request").fill(QUESTIONS)
    suggestion = page.get_by_role("link", name="MRI scanners leased from independent providers")
    suggestion.wait_for()
    status = page.locator("#suggestions-status")
    assert status.text_content() == "1 published response may already answer your request"
    assert status.get_attribute("aria-live") == "polite"
    page.screenshot(path=str(SHOTS / "public-request-suggestion.png"), full_page=True)
    _axe_clean(page)
    looked_up = [url for method, url in posted if "/suggestions/" in url]
    assert looked_up and all("MRI" not in url and "?" not in url for url in looked_up)

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Postal address (optional)").fill("1 Analytical Row\nLondon")
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="Request sent").wait_for()
    page.screenshot(path=str(SHOTS / "public-request-sent.png"), full_page=True)
    _axe_clean(page)
    assert "ada" not in page.url.lower() and "lovelace" not in page.content().lower()
    assert errors == []
    context.close()

    # The officer finds it among the inbound messages and logs it as for an email.
    assert InboundMessage.objects.get().source == InboundMessage.Source.WEB_FORM
    client = Client()
    client.force_login(foi_officer)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Inbound messages").click()
    row = page.get_by_role("row").filter(has_text="New request to confirm")
    assert "Public request form" in row.text_content()
    row.get_by_role("link").first.click()
    page.get_by_text("Draft request: confirm or correct").wait_for()
    assert "Public request form" in page.content()
    assert "How many MRI scanners do you lease" in page.get_by_label("Questions").input_value()
    page.get_by_label("Title").fill("MRI scanners leased from independent providers")
    page.get_by_role("button", name="Log this request").click()
    page.get_by_text("Logged as").wait_for()
    page.screenshot(path=str(SHOTS / "public-request-logged.png"), full_page=True)
    request = Request.objects.get(channel=Request.Channel.WEB_FORM)
    assert request.questions.count() == 2
    assert request.requester.name == "Ada Lovelace"
    assert request.requester.postal_address == "1 Analytical Row\nLondon"
    context.close()


def test_the_form_works_without_javascript_and_reads_at_320_px(live_server, browser, setting_on):
    context = browser.new_context(
        viewport={"width": 320, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/organisations/{setting_on.ods_code}/request/")
    page.get_by_label("Your request").fill(QUESTIONS)
    page.get_by_role("button", name="Check for published answers").click()
    page.get_by_role("link", name="MRI scanners leased from independent providers").wait_for()
    page.screenshot(path=str(SHOTS / "public-request-320.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert page.get_by_label("Your request").input_value().startswith("Please provide:")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="Request sent").wait_for()
    page.screenshot(path=str(SHOTS / "public-request-sent-320.png"), full_page=True)
    assert InboundMessage.objects.filter(source=InboundMessage.Source.WEB_FORM).count() == 1
    context.close()
