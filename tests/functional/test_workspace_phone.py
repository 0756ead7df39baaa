"""The response workspace on a phone: its long button labels and block menus wrap or
shrink instead of pushing the page sideways (WCAG 1.4.10 reflow at 320 px)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.disclosure import responded_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_workspace_reflows_at_320_px(live_server, browser, organisation, foi_officer):
    request = responded_request(
        organisation=organisation,
        by=foi_officer,
        questions=(
            "Please list all diagnostic imaging contracts held with independent sector "
            "providers, with the supplier, the value and the expiry date of each.",
        ),
    )
    client = Client()
    client.force_login(foi_officer)
    context = browser.new_context(viewport={"width": 320, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:letters_workspace", args=[request.pk]))
    page.screenshot(path="var/screenshots/workspace-320.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
