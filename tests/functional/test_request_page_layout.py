"""The request page as an FOI officer sees it on a common laptop screen (1,280 px wide): the
action buttons above the request must not squeeze its fields out of sight."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.foiregister import log_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_request_fields_stay_readable_beside_the_action_buttons(
    live_server, browser, organisation, foi_officer, width
):
    request = log_request(organisation=organisation, by=foi_officer, title="Imaging contracts")
    client = Client()
    client.force_login(foi_officer)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    page.goto(live_server.url + reverse("admin:foiregister_request_change", args=[request.pk]))

    fields = page.locator("fieldset.module").first.bounding_box()
    content = page.locator("#content-main").bounding_box()
    page.screenshot(path=f"var/screenshots/request-page-{width}.png", full_page=True)
    context.close()
    # The request's own fields take the content's width, not what the buttons leave over.
    assert fields["width"] >= 0.9 * content["width"]
