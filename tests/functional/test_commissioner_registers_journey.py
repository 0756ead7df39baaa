"""A commissioner new to the product adds an independent-sector imaging contract from
scratch (a new supplier from the + button), records its forecast spend from the contract's
page, and a CDC's month of activity from the CDC's page: nothing typed is an id, a code or
JSON, no page is an error page, and the contract list's heading is not hidden by its
buttons. Screenshots in var/screenshots/commissioner-*.png."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from contracts.models import CdcActivity, Contract, ContractSpend
from tests.factories import contracts as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _saved(page):
    expect(page.locator("ul.messagelist")).to_be_visible()
    assert not page.locator(".errornote").count(), page.locator("#content").inner_text()


def test_commissioner_adds_a_contract_its_spend_and_a_cdc_month(
    live_server, browser, organisation, commissioner
):
    cdc = f.cdc(icb=organisation, name="Fictional Town CDC")
    client = Client()
    client.force_login(commissioner)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    # The contract list: its heading is readable, not under the buttons.
    page.goto(live_server.url + reverse("admin:contracts_contract_changelist"))
    heading = page.get_by_role("heading", name="Select contract to change").bounding_box()
    for tool in page.locator(".object-tools a").all():
        assert not _boxes_overlap(heading, tool.bounding_box()), tool.inner_text()
    page.screenshot(path="var/screenshots/commissioner-contract-list.png")

    # A new contract, with a new supplier added from the + beside the supplier field.
    page.get_by_role("link", name="Add contract").click()
    expect(page.get_by_role("heading", name="Add contract")).to_be_visible()
    # The form's own widgets (not the admin's stock list filters) pass axe-core, the
    # empty supplier picker included.
    form = Axe().run(page, context="#content-main", options=WCAG_22_AA)
    assert form.violations_count == 0, form.generate_report()
    page.get_by_label("Organisation").select_option(label=organisation.name)
    page.get_by_label("Reference:", exact=True).fill("IS-MRI-10")
    with page.expect_popup() as popup:
        page.locator("#add_id_supplier").click()
    supplier = popup.value
    supplier.get_by_label("Name:", exact=True).fill("Scan Fictional Ltd")
    supplier.get_by_label("Kind").select_option(label="Independent-sector provider")
    supplier.get_by_role("button", name="Save").click()
    expect(page.locator("#select2-id_supplier-container")).to_contain_text("Scan Fictional Ltd")
    page.get_by_label("Title").fill("Community MRI: independent sector")
    page.get_by_label("Scope").fill("Outpatient MRI for GP direct access.")
    page.get_by_label("MRI", exact=True).check()
    page.get_by_label("Kind:").select_option(label="Independent sector")
    page.get_by_label("Payment basis").select_option(label="Annual value")
    page.get_by_label("Original value (GBP)").fill("1250000")
    page.get_by_label("Start date").fill("01/04/2026")
    page.get_by_label("Original end date").fill("31/03/2029")
    page.get_by_label("Notice period days").fill("90")
    page.get_by_label("Procurement route").select_option(label="PSR 2023 Competitive Process")
    page.get_by_label("Owner").select_option(label=commissioner.get_username())
    page.get_by_role("button", name="Save and continue editing").click()
    _saved(page)
    expect(page.locator(".field-last_day_to_give_notice")).to_contain_text("31 Dec 2028")
    page.screenshot(path="var/screenshots/commissioner-contract-added.png", full_page=True)

    # Its forecast spend for 2026/27, from the contract's page.
    page.get_by_role("link", name="Add spend for this contract").click()
    page.get_by_label("Financial year").fill("2026/27")
    page.get_by_label("Amount").fill("312500")
    page.get_by_label("Basis").select_option(label="Forecast")
    page.get_by_label("Source").fill("Budget plan 2026/27")
    page.get_by_role("button", name="Save", exact=True).click()
    _saved(page)

    contract = Contract.objects.get(reference="IS-MRI-10")
    assert contract.supplier.name == "Scan Fictional Ltd" and contract.owner == commissioner
    spend = ContractSpend.objects.get(contract=contract)
    assert (spend.financial_year, str(spend.amount), spend.kind) == (
        "2026/27",
        "312500.00",
        "independent_sector",
    )
    page.goto(live_server.url + reverse("admin:contracts_contract_change", args=[contract.pk]))
    expect(page.locator(".field-spend_by_year")).to_contain_text("2026/27 forecast: £312,500")

    # A month of the CDC's activity, from the CDC's page, the month typed as a month.
    page.goto(live_server.url + reverse("admin:contracts_communitydiagnosticcentre_changelist"))
    page.get_by_role("link", name="Fictional Town CDC").click()
    page.get_by_role("link", name="Record a month's activity").click()
    page.get_by_label("Modality").select_option(label="CT")
    page.get_by_label("Month").fill("2026-10")
    page.get_by_label("Planned").fill("1300")
    page.get_by_label("Actual").fill("1180")
    page.screenshot(path="var/screenshots/commissioner-cdc-activity.png", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    _saved(page)
    row = CdcActivity.objects.get(cdc=cdc)
    assert (row.modality, row.month.isoformat(), row.actual) == ("ct", "2026-10-01", 1180)
    context.close()


def test_register_pages_read_at_320_px_without_scrolling_sideways(
    live_server, browser, organisation, commissioner, today
):
    import datetime

    from tests.factories import metrics as metrics_factories

    f.contract(
        organisation=organisation,
        reference="SOON-1",
        title="Provision of non-obstetric ultrasound with a long title for a narrow screen",
        start_date=today - datetime.timedelta(days=400),
        end_date=today + datetime.timedelta(days=40),
        notice_period_days=30,
    )
    run = metrics_factories.completed_run()
    client = Client()
    client.force_login(commissioner)
    context = browser.new_context(viewport={"width": 320, "height": 640})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    for name, url in [
        ("ending-soon", reverse("admin:contracts_contract_expiring")),
        ("outlook", reverse("admin:contracts_contract_outlook")),
        ("import", reverse("admin:contracts_contract_import")),
        ("run", reverse("admin:metrics_run_change", args=[run.pk])),
    ]:
        page.goto(live_server.url + url)
        page.screenshot(path=f"var/screenshots/commissioner-320-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name} is {width} px wide"
        checked = Axe().run(
            page, context={"include": [["#content"], [".breadcrumbs"]]}, options=WCAG_22_AA
        )
        assert checked.violations_count == 0, name + checked.generate_report()
    context.close()
