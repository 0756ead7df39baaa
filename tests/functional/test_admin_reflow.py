"""Staff pages on a phone: the intake message's draft form and Django's own change forms
(a contract, a request) reflow at 320 px instead of scrolling sideways (WCAG 1.4.10), and
still fill a 1,280 px window. Screenshots in var/screenshots/reflow-*.png."""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from contracts import services
from foiregister.intake import services as intake_services
from tests.conftest import member
from tests.factories import contracts as f
from tests.factories.foiregister import RequesterFactory, log_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAILS = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"
SHOTS = Path("var/screenshots")


@pytest.fixture
def pages(organisation, foi_officer):
    """The three kinds of page, each with long content in it."""
    commissioner = member(organisation, "Commissioner", "reflow-commissioner")
    message, _ = intake_services.receive_message(
        organisation=organisation,
        raw=(EMAILS / "new_request_html.eml").read_bytes(),
        filename="new_request_html.eml",
        by=foi_officer,
    )
    contract = f.contract(
        organisation=organisation,
        by=commissioner,
        supplier=f.supplier(
            name="InHealth Intelligence Diagnostic Imaging Services Limited",
            by=commissioner,
        ),
        reference="SSOT-IS-MRI-2024-INSOURCING-EXTENDED",
        title="Provision of insourced magnetic resonance imaging sessions at weekends",
        scope="Weekend MRI lists at Royal Stoke University Hospital and County Hospital",
    )
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=datetime.date(2026, 12, 1),
        new_end_date=datetime.date(2027, 12, 31),
        reason="Option 1 of 2 exercised after review by the Diagnostics Programme Board",
        by=commissioner,
    )
    request = log_request(
        organisation=organisation,
        requester=RequesterFactory(
            organisation=organisation,
            name="Alexandra Montgomery-Fairweather",
            email="alexandra.montgomery-fairweather@investigative-journalism.example.org",
        ),
        title="Independent sector diagnostic imaging contracts and their expiry dates",
        questions=[
            "Please list every contract for diagnostic imaging held with independent sector "
            "providers, as published at https://www.staffordshireandstokeontrent.icb.nhs.uk/"
            "about-us/freedom-of-information/disclosure-log/",
        ],
    )
    return {
        "intake-message": (
            foi_officer,
            reverse("admin:intake_inboundmessage_change", args=[message.pk]),
        ),
        "contract-change": (
            commissioner,
            reverse("admin:contracts_contract_change", args=[contract.pk]),
        ),
        "request-change": (
            foi_officer,
            reverse("admin:foiregister_request_change", args=[request.pk]),
        ),
    }


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("name", ["intake-message", "contract-change", "request-change"])
def test_staff_page_does_not_scroll_sideways(live_server, browser, pages, name, width):
    user, url = pages[name]
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    response = page.goto(live_server.url + url)
    # Folded sections (the requester, the history) are read opened too.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reflow-{name}-{width}.png"), full_page=True)
    sizes = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    # What sticks out, innermost first, to say what to fix when this fails.
    wide = page.evaluate(
        """() => {
            const edge = document.documentElement.clientWidth + 1;
            const out = e => e.getBoundingClientRect().right > edge;
            return [...document.querySelectorAll('body *')]
                .filter(e => out(e) && ![...e.children].some(out))
                .slice(0, 8)
                .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' in '
                     + (e.parentElement.id || e.parentElement.className) + ' '
                     + Math.round(e.getBoundingClientRect().right));
        }"""
    )
    context.close()
    assert response.status == 200
    assert sizes["scroll"] <= sizes["client"], wide
