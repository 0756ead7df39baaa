"""The officer's day by clicking (issue 13): My work for an officer and a lead, an internal
review requested, seen in the list and decided, and a department contact answering through
its link. No ids or JSON typed; screenshots in var/screenshots/; any error page fails."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from foiregister.requests import services
from tests.conftest import member
from tests.factories.foiregister import DepartmentFactory, log_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date
SHOTS = "var/screenshots"
WCAG_22_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors = []
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.request.resource_type == "document" and r.status >= 400
            else None
        ),
    )
    return context, page, errors


def _no_form_errors(page):
    expect(page.locator(".errornote, .errorlist")).to_have_count(0)


def _workload(organisation, officer):
    colleague = member(organisation, "FOI officer", "colleague")
    log_request(
        organisation=organisation,
        received_on=D(2026, 10, 1),
        title="Agency staffing spend",
        assignee=officer,
    )
    log_request(
        organisation=organisation,
        received_on=D(2026, 11, 2),
        title="MRI scanner contracts",
        assignee=officer,
    )
    waiting = log_request(
        organisation=organisation,
        received_on=D(2026, 11, 9),
        title="Diagnostic centre hours",
        assignee=colleague,
    )
    services.change_status(request=waiting, to="in_approval", by=colleague)


@pytest.mark.parametrize("role", ["officer", "lead"])
def test_my_work_for_an_officer_and_a_lead(
    live_server, browser, organisation, foi_officer, foi_lead, role
):
    _workload(organisation, foi_officer)
    user = foi_officer if role == "officer" else foi_lead
    context, page, errors = _signed_in(browser, live_server, user)
    page.goto(live_server.url + "/admin/foiregister/request/")
    page.get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    if role == "officer":
        expect(page.get_by_role("heading", name="My open requests, by days left")).to_be_visible()
        expect(page.get_by_text("Agency staffing spend").first).to_be_visible()
        expect(page.get_by_role("heading", name="The team's workload")).to_have_count(0)
    else:
        expect(page.get_by_role("heading", name="Awaiting my approval")).to_be_visible()
        expect(page.get_by_text("Diagnostic centre hours")).to_be_visible()
        expect(page.get_by_role("heading", name="The team's workload")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/my-work-{role}.png", full_page=True)
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()
    context.close()
    assert errors == []


def test_the_request_list_passes_axe(live_server, browser, organisation, foi_officer):
    _workload(organisation, foi_officer)
    context, page, errors = _signed_in(browser, live_server, foi_officer)
    page.goto(live_server.url + "/admin/foiregister/request/")
    expect(page.get_by_text("MRI scanner contracts")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/request-list-open.png", full_page=True)
    results = Axe().run(page, options=WCAG_22_AA)
    context.close()
    assert errors == []
    assert results.violations_count == 0, results.generate_report()


def test_an_internal_review_is_requested_listed_and_decided(
    live_server, browser, organisation, foi_officer, foi_lead
):
    request = log_request(
        organisation=organisation,
        received_on=D(2026, 10, 1),
        title="Ultrasound waiting times",
        assignee=foi_officer,
    )
    services.record_timeline_event(
        request=request, kind="response_sent", occurred_on=D(2026, 10, 20), by=foi_officer
    )
    context, page, errors = _signed_in(browser, live_server, foi_officer)
    page.goto(live_server.url + f"/admin/foiregister/request/{request.pk}/change/")
    page.get_by_role("link", name="Record an event").click()
    # Only the fields the chosen kind needs are shown.
    page.get_by_label("What happened").select_option(label="Internal review requested")
    expect(page.get_by_label("Reviewer")).to_be_visible()
    expect(page.get_by_label("Fee (GBP)")).to_be_hidden()
    expect(page.get_by_label("Review decision")).to_be_hidden()
    page.screenshot(path=f"{SHOTS}/review-requested-form.png", full_page=True)
    page.get_by_label("Reviewer").select_option(label="lead")
    page.get_by_role("button", name="Save").click()
    _no_form_errors(page)

    page.goto(live_server.url + "/admin/foiregister/request/")
    page.locator('details[data-filter-title="internal review"]').get_by_role(
        "link", name="In progress", exact=True
    ).click()
    row = page.get_by_role("row").filter(has_text="Ultrasound waiting times")
    expect(row).to_contain_text("In progress, due")
    expect(row).to_contain_text("lead")
    page.screenshot(path=f"{SHOTS}/review-in-list.png", full_page=True)

    row.get_by_role("link", name=request.reference, exact=True).click()
    page.get_by_role("link", name="Record an event").click()
    page.get_by_label("What happened").select_option(label="Internal review decided")
    expect(page.get_by_label("Reviewer")).to_be_hidden()
    page.get_by_label("Review decision").select_option(label="Upheld")
    page.get_by_role("button", name="Save").click()
    _no_form_errors(page)
    expect(page.get_by_text("Internal review decided (upheld)")).to_be_visible()
    expect(page.get_by_text("Internal review due")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/review-decided.png", full_page=True)
    context.close()
    assert errors == []


def test_a_department_contact_answers_through_its_link(
    live_server, browser, organisation, foi_officer
):
    request = log_request(
        organisation=organisation,
        received_on=D(2026, 11, 16),
        title="Scanner maintenance",
        questions=["How many MRI scanners do you have?", "Who maintains them?"],
        assignee=foi_officer,
    )
    department = DepartmentFactory(
        organisation=organisation, name="Planned Care", email="planned.care@example.nhs.uk"
    )
    services.ask_department(
        request=request,
        department=department,
        questions=list(request.questions.all()),
        by=foi_officer,
        internal_due_on=D(2026, 12, 1),
    )
    context, page, errors = _signed_in(browser, live_server, foi_officer)
    page.goto(live_server.url + f"/admin/foiregister/request/{request.pk}/change/")
    page.get_by_role("link", name="Email the questions").click()
    page.get_by_role("button", name="Send the email").click()
    _no_form_errors(page)
    (message,) = mail.outbox
    link = message.body.rsplit("\n", 1)[-1].replace("http://localhost:8000", live_server.url)

    contact = context.browser.new_context().new_page()
    contact.goto(link)
    expect(contact.get_by_role("heading", name="Questions for Planned Care")).to_be_visible()
    contact.get_by_label("Q1. How many MRI scanners do you have?").fill("Four.")
    contact.get_by_label("Q2. Who maintains them?").fill("The supplier, under contract.")
    contact.screenshot(path=f"{SHOTS}/contribution-page.png", full_page=True)
    results = Axe().run(contact, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()
    contact.get_by_role("button", name="Send the answers to the FOI team").click()
    expect(contact.get_by_role("heading", name="Answers sent")).to_be_visible()
    contact.screenshot(path=f"{SHOTS}/contribution-sent.png", full_page=True)

    page.reload()
    page.get_by_role("link", name="Accept into the response").click()
    page.get_by_role("button", name="Accept into the response").click()
    _no_form_errors(page)
    expect(page.get_by_text("answer is in the response")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/contribution-accepted.png", full_page=True)
    context.close()
    assert errors == []
    assert request.questions.get(number=1).answer == "Four."


def test_the_request_page_with_its_exemptions_selector_passes_axe(
    live_server, browser, organisation, foi_officer
):
    """The answer's statutory exemptions (the two-box selector in each question) are named
    and described without ARIA the elements may not carry (axe: aria-prohibited-attr)."""
    request = log_request(
        organisation=organisation,
        received_on=D(2026, 11, 2),
        title="MRI scanner contracts",
        assignee=foi_officer,
    )
    context, page, errors = _signed_in(browser, live_server, foi_officer)
    page.goto(f"{live_server.url}/admin/foiregister/request/{request.pk}/change/")
    expect(page.get_by_text("Available exemptions").first).to_be_visible()
    page.screenshot(path=f"{SHOTS}/request-page-exemptions.png", full_page=True)
    results = Axe().run(page, options=WCAG_22_AA)
    # A question added on the page gets its selector then, and is fixed as it appears.
    page.get_by_text("Add another Question").click()
    expect(page.locator("#id_questions-1-exemptions_filter")).to_be_attached()
    added = Axe().run(page, options=WCAG_22_AA)
    filter_names = page.locator(".selector-filter label").all_inner_texts()
    context.close()
    assert errors == []
    assert results.violations_count == 0, results.generate_report()
    assert added.violations_count == 0, added.generate_report()
    assert any("filter down the list of available exemptions" in t for t in filter_names)
