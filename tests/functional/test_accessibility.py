"""Every public page type passes axe-core's WCAG 2.2 AA rules in Chromium, reads at 320 px
without scrolling sideways, asks no other host for anything, and works from the keyboard."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection

from contracts import services as contract_services
from foiregister.disclosure import services
from foiregister.disclosure.views import PAGE_SIZE
from foiregister.requests import services as register_services
from tests.factories import contracts as contract_factories
from tests.factories import letters as letter_factories
from tests.factories.disclosure import published_entry
from tests.factories.letters import answered_request, issued_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}


@pytest.fixture
def entry(organisation, other_organisation, foi_lead, foi_officer, monkeypatch):
    """A response issued as a letter with a live block (its answer whole on the page), a
    round-robin sibling at another organisation and an attachment, and enough others for a
    second page of the log."""
    other_organisation.members.add(foi_lead)
    monkeypatch.setitem(
        letter_factories.FIGURES,
        "wide",
        "CT & MRI scanning provided by Cobalt, https://www.example.nhs.uk/a/very/long/"
        "address/that/must/wrap/on/a/narrow/screen/without/widening/the/page",
    )
    ours = answered_request(organisation=organisation, officer=foi_officer, figure="wide")
    issued_response(request=ours, officer=foi_officer, lead=foi_lead)
    ours.refresh_from_db()
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
        "how to make a request": "/organisations/",
        "organisation": f"/organisations/{entry.organisation.ods_code}/",
        "accessibility statement": "/accessibility/",
        "privacy notice": "/privacy/",
        "feed page": "/feeds/",
        "search with a mistyped date": "/?q=imaging&published_from=2025-13-45",
        "statistics": "/statistics/",
        "organisation statistics": f"/statistics/{entry.organisation.ods_code}/?quarter=2025-Q3",
        "PSR summary": "/registers/psr/",
        "API in the browser": "/api/v1/responses/",
        "API response in the browser": f"/api/v1/responses/{entry.public_id}/",
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
    "how to make a request",
    "organisation",
    "accessibility statement",
    "privacy notice",
    "feed page",
    "search with a mistyped date",
    "statistics",
    "organisation statistics",
    "PSR summary",
    "API in the browser",
    "API response in the browser",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_public_page_has_no_axe_violations(live_server, page, entry, registers, kind):
    page.goto(live_server.url + paths(entry)[kind])
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()


def _visit(browser, url: str, *, width: int, screenshot: Path | None = None) -> dict:
    """Load ``url`` at ``width`` CSS pixels; what it asked for, its sideways overflow, its
    language."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
        return {
            "requested": requested,
            "overflow": page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            ),
            "lang": page.evaluate("document.documentElement.lang"),
        }
    finally:
        context.close()


def test_public_pages_read_at_320_px_and_ask_no_other_host(live_server, browser, entry, registers):
    """WCAG 2.2 reflow (1.4.10): at 320 CSS pixels no page scrolls sideways (a wide table
    scrolls inside its own region), nor at 1,280. No third party sees a visit: every
    request a page makes (styles, scripts, fonts, images, the favicon) goes to this site.
    Screenshots at both widths are kept for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for kind in PAGE_KINDS:
        for width in (320, 1280):
            shot = SCREENSHOTS / f"{kind.replace(' ', '-')}-{width}.png"
            seen = _visit(
                browser, live_server.url + paths(entry)[kind], width=width, screenshot=shot
            )
            if seen["overflow"] > 0:
                problems.append(f"{kind} scrolls {seen['overflow']} px sideways at {width} px")
            elsewhere = [u for u in seen["requested"] if not u.startswith(live_server.url)]
            if elsewhere or not seen["requested"]:
                problems.append(f"{kind} asked another host: {elsewhere}")
            if seen["lang"] != "en-GB":
                problems.append(f"{kind} has lang={seen['lang']!r}")
    assert problems == []


@pytest.mark.parametrize("path", ["/api/docs/", "/api/explorer/"])
def test_api_reference_asks_no_other_host(live_server, browser, path):
    """ReDoc's own page shows its maker's logo from a CDN; ours drops it before loading.
    ReDoc's search runs in a worker made from a blob of this page (same origin)."""
    seen = _visit(browser, live_server.url + path, width=1280)
    ours = (live_server.url, f"blob:{live_server.url}", "data:")
    assert seen["requested"]
    assert [u for u in seen["requested"] if not u.startswith(ours)] == []
    assert seen["lang"] == "en-GB"


def test_the_favicon_is_found(live_server, page):
    response = page.request.get(live_server.url + "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


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
            if page.evaluate("document.activeElement.tagName") == "SUMMARY":
                page.keyboard.press("Enter")  # the filters fold behind "Filter"
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
