"""Choosing a batch's source among hundreds of answered requests, by clicking (README,
"Batch issue"): the start page lists the newest of the officer's own organisations'
answered requests by reference, date and subject, the officer searches by a word of the
request, and picks it by its reference. No id is typed; the page passes axe-core's WCAG
2.2 AA rules; another body's answered request is never listed."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from foiregister.kernel.roles import FOI_OFFICER
from foiregister.letters import services
from tests.conftest import member
from tests.factories.foiregister import log_request
from tests.functional.test_response_journey import WCAG_22_AA, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots/batch-source-search"
MANY = 210


def _answered(organisation, officer, *, title, question, received_on):
    request = log_request(
        organisation=organisation,
        by=officer,
        title=title,
        questions=[question],
        received_on=received_on,
    )
    services.set_answer(
        question=request.questions.get(), by=officer, answer="Yes.", answer_kind="provided"
    )
    return request


def _shot(journey, name):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    journey.page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_officer_finds_the_source_among_hundreds_by_a_word_and_picks_it_by_reference(
    live_server, browser, organisation, other_organisation
):
    officer_user = member(organisation, FOI_OFFICER, "officer-many")
    first = datetime.date(2025, 4, 1)
    for n in range(MANY):
        _answered(
            organisation,
            officer_user,
            title=f"Car parking charges, request {n}",
            question="How much did staff car parking raise in 2024/25?",
            received_on=first + datetime.timedelta(days=n % 200),
        )
    wanted = _answered(
        organisation,
        officer_user,
        title="Insourcing of endoscopy",
        question="Which companies provide insourced endoscopy lists?",
        received_on=datetime.date(2025, 5, 14),
    )
    theirs = _answered(
        other_organisation,
        member(other_organisation, FOI_OFFICER, "their-officer"),
        title="Insourcing of endoscopy at the other body",
        question="Which companies provide insourced endoscopy lists?",
        received_on=datetime.date(2025, 5, 15),
    )
    officer = Journey(browser, live_server, officer_user, "officer")
    try:
        officer.go(reverse("admin:letters_batchissue_start"))
        body = officer.page.locator("#content-main").inner_text()
        assert "the 25 newest shown, search to find the others" in body
        _shot(officer, "01-newest")

        officer.page.get_by_label("Reference or words in the request or its questions").fill(
            "endoscopy"
        )
        officer.click("Search")
        rows = officer.page.locator("table.batch-sources tbody tr")
        assert rows.count() == 1
        cells = [" ".join(c.split()) for c in rows.first.locator("th, td").all_inner_texts()]
        assert cells[:3] == [
            f"{wanted.reference} : use its answers",
            "14 May 2025",
            "Insourcing of endoscopy",
        ]
        assert theirs.reference not in officer.page.content()
        assert "1 answered request matching" in officer.page.locator("caption").inner_text()
        results = Axe().run(officer.page, options=WCAG_22_AA)
        assert results.violations_count == 0, results.generate_report()
        _shot(officer, "02-search")

        officer.page.get_by_role("link", name=wanted.reference).click()
        officer.page.wait_for_load_state()
        officer.check()
        assert f"Source: {wanted.reference} Insourcing of endoscopy" in (
            officer.page.locator("#content-main").inner_text()
        )
        _shot(officer, "03-chosen")
    finally:
        officer.close()
