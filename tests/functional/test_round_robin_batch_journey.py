"""A round robin answered once for two bodies, by clicking: the support unit's FOI officer,
who works for both, starts the batch from the answered request; the letters wait for each
body's own lead; the lead of the Trust finds theirs on My work, approves them on the batch
page, and they are issued. No id is typed; every page loads without an error; the batch
page passes axe-core's WCAG 2.2 AA rules."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from foiregister.kernel.roles import FOI_LEAD, FOI_OFFICER
from foiregister.letters.models import Letter
from tests.conftest import member
from tests.factories import letters as lf
from tests.factories.foiregister import RequesterFactory, log_request
from tests.functional.test_response_journey import WCAG_22_AA, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots/round-robin-batch"


def _shot(journey, name):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    journey.page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _axe_clean(journey):
    results = Axe().run(journey.page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()


def test_officer_batches_a_round_robin_for_two_bodies_and_the_trusts_lead_approves_it(
    live_server, browser, organisation, other_organisation
):
    officer_user = member(organisation, FOI_OFFICER, "support-officer")
    other_organisation.members.add(officer_user)
    member(organisation, FOI_LEAD, "icb-lead")
    trust_lead = member(other_organisation, FOI_LEAD, "trust-lead")
    lf.FIGURES["spend"] = "£3,091,519"
    source = lf.answered_request(organisation=organisation, officer=officer_user)
    icb_copy = log_request(
        organisation=organisation,
        requester=RequesterFactory(organisation=organisation),
        by=officer_user,
        questions=lf.QUESTIONS,
        title="Insourcing and imaging (round robin)",
    )
    trust_copy = log_request(
        organisation=other_organisation,
        requester=RequesterFactory(organisation=other_organisation),
        by=officer_user,
        questions=[q.upper() for q in lf.QUESTIONS],  # another body's form, in capitals
        title="Insourcing and imaging (round robin)",
    )
    officer = Journey(browser, live_server, officer_user, "officer")
    lead = Journey(browser, live_server, trust_lead, "lead")
    try:
        # The officer opens the answered request and asks to issue its answers to its
        # round robin: both copies are offered, ticked, across both bodies.
        officer.go(reverse("admin:foiregister_request_change", args=[source.pk]))
        officer.click("Issue these answers to a round robin", kind="link")
        for copy in (icb_copy, trust_copy):
            box = officer.page.get_by_label(f"{copy.reference}: ", exact=False)
            assert box.is_checked()
        assert officer.page.get_by_label("Approve my organisations' letters").count() == 0
        _shot(officer, "01-start")
        _axe_clean(officer)
        officer.click("Start batch issue")

        # Drafted in each request's own response draft; every letter awaits its lead.
        body = officer.page.locator("#content-main").inner_text()
        assert "Waiting for approval" in body
        assert f"Awaiting approval by the FOI lead of {other_organisation.name}" in body
        assert f"Awaiting approval by the FOI lead of {organisation.name}" in body
        _shot(officer, "02-batch-awaiting")
        _axe_clean(officer)

        # The Trust's lead finds the letter on My work and approves it on the batch page.
        lead.go(reverse("admin:foiregister_request_my_work"))
        assert trust_copy.reference in lead.page.locator("#content-main").inner_text()
        _shot(lead, "03-lead-my-work")
        lead.page.get_by_role("link", name="Approve on the page of batch", exact=False).click()
        lead.page.wait_for_load_state()
        lead.check()
        body = lead.page.locator("#content-main").inner_text()
        assert source.reference not in body and icb_copy.reference not in body
        _axe_clean(lead)
        _shot(lead, "04-lead-batch-page")
        # On a phone the approve button wraps and the page scrolls down, not sideways.
        lead.page.set_viewport_size({"width": 320, "height": 800})
        _shot(lead, "04-lead-batch-page-320")
        assert lead.page.evaluate("document.documentElement.scrollWidth") <= 320
        lead.page.set_viewport_size({"width": 1280, "height": 900})
        lead.click(f"Approve the ticked letters of {other_organisation.name} and issue them")
        body = lead.page.locator("#content-main").inner_text()
        assert "Issued" in body
        _shot(lead, "05-issued")
        _axe_clean(lead)
    finally:
        officer.close()
        lead.close()

    trust_letter = Letter.objects.get(request=trust_copy, kind="response")
    assert (trust_letter.status, trust_letter.approved_by) == ("issued", trust_lead)
    assert Letter.objects.get(request=icb_copy, kind="response").status == "draft"
