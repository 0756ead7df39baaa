"""The FOI lead imports an FOI log, and a past disclosure log with its questions and answers,
through the import's job pages in a browser. Screenshots in var/."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse

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


def test_a_lead_imports_a_disclosure_log_and_an_emailed_round_robin_finds_its_answers(
    live_server, browser, organisation, foi_lead, foi_officer, tmp_path
):
    """The disclosure log as an XLSX, a row per question: first with a question number
    repeated (the error names the file, line and column), then corrected; the marked
    response appears on the public log with its answers; an officer's emailed copy of the
    physician associates round robin finds the imported request and its answer."""
    samples = Path(__file__).resolve().parent.parent / "data" / "disclosure_log"
    emails = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"
    bad = tmp_path / "disclosure-log.csv"
    bad.write_bytes(
        (samples / "by_question.csv").read_bytes()
        + b"FOI-10-577,,,,,,,,,2,Repeated number,Answer,,\n"
    )
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    page = _signed_in(browser, live_server, foi_lead)

    page.goto(live_server.url + "/admin/foiregister/request/import/")
    page.get_by_label("Organisation").select_option(label=organisation.name)
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("#errors")
    page.screenshot(path="var/screenshots/disclosure-log-import-errors.png", full_page=True)
    errors = page.inner_text("#errors")
    assert (
        "disclosure-log.csv\t16\tquestion_number\t2\trepeats question 2 of FOI-10-577 (line 11)"
        in errors
    )
    _axe_clean(page)

    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Organisation").select_option(label=organisation.name)
    page.set_input_files("#id_file", str(samples / "by_question.xlsx"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("#preview")
    page.screenshot(path="var/screenshots/disclosure-log-import-preview.png", full_page=True)
    assert "3 requests with 14 questions and 14 answers" in page.inner_text("#questions")
    assert "1 response marked published" in page.inner_text("#publication")
    _axe_clean(page)
    page.get_by_role("button", name="Import 14 rows").click()
    page.wait_for_selector("#done")
    page.screenshot(path="var/screenshots/disclosure-log-import-done.png", full_page=True)
    assert page.inner_text("#status") == "Succeeded"
    assert "1 on the public disclosure log" in page.inner_text("#done")
    _axe_clean(page)

    public = browser.new_context().new_page()
    public.goto(live_server.url + "/")
    public.get_by_role("link", name="Diagnostic imaging waiting lists").first.click()
    public.get_by_text("There are no current plans for re-tendering.").wait_for()
    public.screenshot(path="var/screenshots/disclosure-log-imported-entry.png", full_page=True)
    assert "Physician Associates" not in public.content()  # staff-only history
    _axe_clean(public)
    public.context.close()

    officer = _signed_in(browser, live_server, foi_officer)
    officer.goto(live_server.url + reverse("admin:intake_inboundmessage_changelist"))
    officer.get_by_role("link", name="Upload an email").click()
    officer.get_by_label("Organisation").select_option(label=organisation.name)
    officer.get_by_label("Email (.eml)").set_input_files(str(emails / "new_request_plain.eml"))
    officer.get_by_role("button", name="Upload").click()
    officer.get_by_text("Earlier requests asking the same questions").wait_for()
    officer.screenshot(path="var/screenshots/disclosure-log-intake-match.png", full_page=True)
    assert "FOI/0424/0312" in officer.content()
    assert "The ICB employs two Physician Associates." in officer.content()
    # Not axe-checked here: the intake screen's breadcrumb and in-text links fail
    # link-in-text-block today (the intake screen's own work, not this import's).
    officer.context.close()
    page.context.close()


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _axe_clean(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
