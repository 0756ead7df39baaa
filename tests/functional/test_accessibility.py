"""Every public page type passes axe-core's WCAG 2.2 AA rules in Chromium, and works from
the keyboard."""

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection

from contracts import services as contract_services
from foiregister.disclosure import services
from foiregister.disclosure.views import PAGE_SIZE
from foiregister.requests import services as register_services
from tests.factories import contracts as contract_factories
from tests.factories.disclosure import published_entry, responded_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}


@pytest.fixture
def entry(organisation, other_organisation, foi_lead):
    """A response with a round-robin sibling at another organisation and an attachment,
    and enough others for a second page of the log."""
    other_organisation.members.add(foi_lead)
    ours = responded_request(organisation=organisation, by=foi_lead)
    services.add_attachment(
        request=ours, filename="figures.csv", data=b"Modality,Contracts\nMRI,3\n", by=foi_lead
    )
    theirs = published_entry(organisation=other_organisation, by=foi_lead)
    register_services.link_requests(
        request=ours, other=theirs.request, kind="round_robin", by=foi_lead
    )
    for n in range(PAGE_SIZE):
        published_entry(organisation=organisation, by=foi_lead, title=f"Imaging response {n}")
    return services.publish_response(request=ours, by=foi_lead)


def paths(entry):
    return {
        "list": "/",
        "search": "/?q=imaging&regime=foi",
        "empty search": "/?q=nothingmatchesthis",
        "response": f"/responses/{entry.public_id}/",
        "contract register": "/registers/contracts/",
        "filtered contract register": "/registers/contracts/?kind=insourcing",
        "CDC register": "/registers/cdcs/",
        "second page": "/?page=2",
        "not found": "/responses/neverexisted/",
    }


@pytest.fixture
def registers(organisation, foi_lead):
    """One public contract of each shape the register shows, and a public CDC with figures."""
    contract_factories.contract(organisation=organisation, by=foi_lead, is_public=True)
    contract_factories.contract(
        organisation=organisation,
        by=foi_lead,
        kind="insourcing",
        is_public=True,
        value_is_public=False,
    )
    cdc = contract_factories.cdc(icb=organisation, by=foi_lead, is_public=True, postcode="ST1 1AA")
    contract_services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=2,
        hours_per_week=Decimal("60"),
        examinations_per_hour=Decimal("2"),
        by=foi_lead,
    )
    contract_services.record_cdc_activity(
        cdc=cdc, modality="mri", month=datetime.date(2025, 9, 1), actual=900, by=foi_lead
    )


PAGE_KINDS = [
    "list",
    "search",
    "empty search",
    "response",
    "contract register",
    "filtered contract register",
    "CDC register",
    "second page",
    "not found",
]


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_public_page_has_no_axe_violations(live_server, page, entry, registers, kind):
    page.goto(live_server.url + paths(entry)[kind])
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the broad-search note comes with PostgreSQL's ranked search; SQLite's fallback does not rank",
)
def test_broad_search_note_has_no_axe_violations(live_server, page, entry, monkeypatch):
    monkeypatch.setattr("foiregister.disclosure.selectors.RANKED_OF_BROAD", 2)
    page.goto(live_server.url + "/?q=imaging")
    assert page.locator(".nhsuk-inset-text").count() == 1
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()


def test_not_found_page_is_the_sites_own_with_a_way_back(live_server, page, entry):
    response = page.goto(live_server.url + "/responses/neverexisted/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    page.get_by_role("link", name="search the disclosure log").click()
    assert page.url == live_server.url + "/"


def test_next_page_link_is_reached_from_the_keyboard(live_server, browser, entry):
    """Paging works with script off: Tab to the 'Next' link and press Enter."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        for _ in range(80):
            page.keyboard.press("Tab")
            if "nhsuk-pagination__link--next" in (
                page.evaluate("document.activeElement.className") or ""
            ):
                break
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("?page=2")
    finally:
        context.close()


def test_tab_reaches_the_skip_link_first_then_the_search_field(live_server, page, entry):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_q":
            break
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("imaging")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=imaging" in page.url


@pytest.mark.parametrize(
    "path, field, value, expected",
    [
        ("/registers/contracts/", "id_kind", "insourcing", "kind=insourcing"),
        ("/registers/cdcs/", "id_status", "open", "status=open"),
    ],
    ids=["contracts", "cdcs"],
)
def test_register_filters_work_from_the_keyboard_without_script(
    live_server, browser, entry, registers, path, field, value, expected
):
    """Filters are a plain GET form: with JavaScript off, Tab to a select, choose with the
    arrow keys, Tab to the button and press Enter."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
            else route.abort()
        ),
    )
    try:
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == (
            "Skip to main content"
        )
        page.keyboard.press("Enter")
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == field:
                break
        assert page.evaluate("document.activeElement.id") == field
        page.select_option(f"#{field}", value)
        while page.evaluate("document.activeElement.tagName") != "BUTTON":
            page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert expected in page.url
    finally:
        context.close()
