"""The FOI lead imports an FOI log through its job page in a browser (issue 16)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from foiregister.requests.models import Request
from tests.foiregister.test_imports import PLAIN, csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_uploads_checks_and_imports_a_log(
    live_server, browser, organisation, foi_lead, tmp_path
):
    client = Client()
    client.force_login(foi_lead)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    bad = tmp_path / "log.csv"
    bad.write_bytes(csv(PLAIN.replace("27/06/2025", "01/06/2025")))
    good = tmp_path / "good.csv"
    good.write_bytes(csv(PLAIN))

    page.goto(live_server.url + "/admin/foiregister/request/import/")
    page.select_option("#id_organisation", str(organisation.pk))
    page.set_input_files("#id_file", str(bad))
    page.click("text=Check the file")
    page.wait_for_selector("#errors")
    page.screenshot(path="var/foi-log-import-errors.png", full_page=True)
    assert "is before the request was received (2025-06-02)" in page.inner_text("#errors")
    assert Axe().run(page).violations_count == 0

    page.goto(live_server.url + "/admin/foiregister/request/import/")
    page.select_option("#id_organisation", str(organisation.pk))
    page.set_input_files("#id_file", str(good))
    page.click("text=Check the file")
    page.wait_for_selector("#preview")
    page.screenshot(path="var/foi-log-import-preview.png", full_page=True)
    page.click("text=Import 1 rows")
    page.wait_for_selector("#done")
    page.screenshot(path="var/foi-log-import-done.png", full_page=True)
    assert page.inner_text("#status") == "Succeeded"
    assert Request.objects.get().imported
    context.close()
