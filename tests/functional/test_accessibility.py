"""Every public page type passes axe-core's WCAG 2.2 AA rules in Chromium, and works from
the keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories.disclosure import published_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}


@pytest.fixture
def entry(organisation, foi_lead):
    return published_entry(organisation=organisation, by=foi_lead)


def paths(entry):
    return {
        "list": "/",
        "search": "/?q=imaging&regime=foi",
        "empty search": "/?q=nothingmatchesthis",
        "response": f"/responses/{entry.public_id}/",
    }


@pytest.mark.parametrize("kind", ["list", "search", "empty search", "response"])
def test_public_page_has_no_axe_violations(live_server, page, entry, kind):
    page.goto(live_server.url + paths(entry)[kind])
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()


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
