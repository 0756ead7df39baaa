"""A commissioner records an extension and then a back-dated variation from the contract
page, and sees them in Ending soon, the public contract register and the OCDS output
(issue 15). Screenshots in var/screenshots/contract-*.png."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.contracts.ocds_tools import compiled_end_date, ocdskit_compile
from tests.factories import contracts as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _day(d: datetime.date) -> str:
    return f"{d.day} {d:%b %Y}"


def _record(page, *, kind: str, effective: datetime.date, reason: str, end=None, value=None):
    page.get_by_role("link", name="Record an extension, variation or termination").first.click()
    page.get_by_label(kind).check()
    page.get_by_label("Takes effect on").fill(effective.isoformat())
    if end:
        page.get_by_label("New end date").fill(end.isoformat())
    if value:
        page.get_by_label("Value change").fill(value)
    page.get_by_label("Reason").fill(reason)
    page.screenshot(path=f"var/screenshots/contract-record-{kind.split()[0].lower()}.png")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Change recorded")


def test_commissioner_records_an_extension_and_a_back_dated_variation(
    live_server, browser, organisation, commissioner, today, settings
):
    settings.OCDS_PREFIX = "ocds-abc123"
    end = today + datetime.timedelta(days=120)
    extended = today + datetime.timedelta(days=300)  # within the 12-month horizon
    f.contract(
        organisation=organisation,
        reference="JOURNEY-1",
        title="Provision of MRI services",
        start_date=today - datetime.timedelta(days=700),
        end_date=end,
        latest_end_date=today + datetime.timedelta(days=400),
        notice_period_days=60,
        is_public=True,
        reasons_are_public=True,
        owner=commissioner,
    )
    client = Client()
    client.force_login(commissioner)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    # The contract page, as reached from the contracts list.
    page.goto(live_server.url + reverse("admin:contracts_contract_changelist"))
    page.get_by_role("link", name="JOURNEY-1").click()
    _record(
        page,
        kind="Extension exercised",
        effective=today,
        end=extended,
        reason="Extension option exercised",
    )
    _record(
        page,
        kind="Variation",
        effective=today - datetime.timedelta(days=30),
        value="25000",
        reason="Saturday lists added, recorded late",
    )
    page.screenshot(path="var/screenshots/contract-page-after-changes.png", full_page=True)
    changes = page.locator("#changes-group").inner_text()
    assert "Extension exercised" in changes and "Variation" in changes

    # Ending soon: the extended end date and the last day to give notice (60 days before).
    page.goto(live_server.url + reverse("admin:contracts_contract_changelist"))
    page.get_by_role("link", name="Ending soon").click()
    row = page.locator("tr", has_text="JOURNEY-1")
    page.screenshot(path="var/screenshots/contract-ending-soon.png", full_page=True)
    assert _day(extended) in row.inner_text()
    assert _day(extended - datetime.timedelta(days=60)) in row.inner_text()

    # The public register shows the new end date.
    public = browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = public.new_page()
    visitor.goto(live_server.url + reverse("registers:contracts"))
    visitor.screenshot(path="var/screenshots/contract-public-register.png", full_page=True)
    public_row = visitor.locator("tr", has_text="JOURNEY-1")
    assert _day(extended) in public_row.inner_text()

    # OCDS: the extension is change-1 and keeps that id although the variation, recorded
    # after it, takes effect before it; compiling gives the register's end date.
    response = visitor.request.get(live_server.url + reverse("registers:ocds"))
    package = json.loads(response.text())
    public.close()
    context.close()
    ocid = "ocds-abc123-QNC-JOURNEY-1"
    releases = {r["id"]: r for r in package["releases"] if r["ocid"] == ocid}
    assert releases[f"{ocid}-change-1"]["date"] == f"{today.isoformat()}T00:00:00Z"
    variation_day = (today - datetime.timedelta(days=30)).isoformat()
    assert releases[f"{ocid}-change-2"]["date"] == f"{variation_day}T00:00:00Z"
    compiled = ocdskit_compile(package)[ocid]
    assert compiled_end_date(compiled) == f"{extended.isoformat()}T00:00:00Z"
    assert compiled["contracts"][0]["value"]["amount"] == 125000


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_commissioner_saves_cannock_chase_cdc_hosted_by_another_trust(
    live_server, browser, organisation, commissioner
):
    from contracts.models import CommunityDiagnosticCentre
    from tests.factories.foiregister import OrganisationFactory

    OrganisationFactory(name="The Royal Wolverhampton NHS Trust", ods_code="RL4", kind="trust")
    context = _signed_in(browser, live_server, commissioner)
    page = context.new_page()

    page.goto(live_server.url + reverse("admin:contracts_communitydiagnosticcentre_add"))
    page.get_by_label("Name").fill("Cannock Chase CDC")
    page.get_by_label("Host trust").select_option(label="The Royal Wolverhampton NHS Trust")
    page.get_by_label("ICB").select_option(label=organisation.name)
    page.screenshot(path="var/screenshots/cdc-add-host-trust.png", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("Cannock Chase CDC")
    context.close()

    cdc = CommunityDiagnosticCentre.objects.get(name="Cannock Chase CDC")
    assert cdc.host_trust.name == "The Royal Wolverhampton NHS Trust"
