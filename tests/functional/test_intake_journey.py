"""An officer takes a request from an email to the register the way they would: upload the
.eml, read the draft, correct the title, log it; then upload the requester's reply and log
it as a clarification, and copy the organisation's standard answer into a question. Screenshots in var/screenshots/intake-*.png."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse

from foiregister.intake import services as intake_services
from foiregister.requests.models import Request
from tests.functional.test_response_journey import WCAG_22_AA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAILS = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"


def test_an_officer_logs_a_request_from_an_email(live_server, browser, organisation, foi_officer):
    client = Client()
    client.force_login(foi_officer)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    intake_services.save_standard_answer(
        organisation=organisation,
        question="When does your interpreting contract expire?",
        answer="The interpreting contract ends on 31 March 2027.",
        by=foi_officer,
    )
    page = context.new_page()
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)

    page.goto(live_server.url + reverse("admin:intake_inboundmessage_changelist"))
    # The breadcrumbs' links are underlined, not told apart by colour alone (WCAG 1.4.1).
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("link", name="Upload an email").click()
    page.get_by_label("Organisation").select_option(label=organisation.name)
    page.get_by_label("Email (.eml)").set_input_files(str(EMAILS / "new_request_html.eml"))
    page.get_by_role("button", name="Upload").click()

    page.get_by_text("Draft request: confirm or correct").wait_for()
    page.screenshot(path="var/screenshots/intake-draft.png", full_page=True)
    assert (
        "When does the current interpreting contract end?"
        in page.get_by_label("Questions").input_value()
    )
    page.get_by_label("Title").fill("Interpreting services contract")
    page.get_by_role("button", name="Log this request").click()

    page.get_by_text("Logged as").wait_for()
    page.screenshot(path="var/screenshots/intake-logged.png", full_page=True)
    request = Request.objects.get()
    assert request.title == "Interpreting services contract"
    assert request.questions.count() == 2
    assert "Server Error" not in page.content()

    page.get_by_role("button", name="Copy into question 2's answer").click()
    page.get_by_text("Standard answer copied into question 2.").wait_for()
    page.screenshot(path="var/screenshots/intake-standard-answer.png", full_page=True)
    assert (
        request.questions.get(number=2).answer
        == "The interpreting contract ends on 31 March 2027."
    )
    context.close()
