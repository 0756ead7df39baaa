"""The officer's central job done by clicking (issue #13): a request with four questions is
answered on its workspace with a contract block, a CDC block and a spend block; the lead
returns it with a comment, the officer revises, the lead approves beside the preview, the
letter is issued and published. No id and no JSON is typed; every page must load without
an error, and no form may show an error the journey did not expect. The workspace passes
axe-core's WCAG 2.2 AA rules."""

import datetime
import os
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse

from contracts import services as contract_services
from contracts.models import Contract
from foiregister.letters.models import Letter
from foiregister.requests.models import Request
from tests.factories import TEST_DATA
from tests.factories import contracts as cf
from tests.factories.foiregister import log_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots/workspace"
WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
QUESTIONS = [
    "Please list your independent sector imaging contracts live today.",
    "What is the capacity and utilisation of the community diagnostic centres in your area?",
    "What did you spend on clinical insourcing in 2024/25?",
    "Do you plan to procure a new PET-CT service?",
]


def _registers(organisation, today):
    trust = cf.OrganisationFactory(kind="trust", name="Fictional Hospitals NHS Trust")
    cf.contract(
        organisation=organisation,
        supplier=cf.supplier(name="Diagnostic Healthcare Ltd"),
        title="Provision of MRI services",
        categories=["mri"],
        start_date=today - datetime.timedelta(days=400),
        end_date=today + datetime.timedelta(days=400),
        is_public=True,
    )
    cdc = cf.cdc(host_trust=trust, icb=organisation, name="Fictional Town CDC", is_public=True)
    contract_services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=1,
        hours_per_week=Decimal("40"),
        examinations_per_hour=Decimal("2"),
        by=TEST_DATA,
    )
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    contract_services.record_cdc_activity(
        cdc=cdc, modality="mri", month=last_month, planned=400, actual=300, by=TEST_DATA
    )
    contract_services.record_spend(
        organisation=organisation,
        financial_year="2024/25",
        amount=Decimal("3091519.00"),
        kind=Contract.Kind.INSOURCING,
        supplier=cf.supplier(name="Insourcing Partners Ltd"),
        category="mri",
        source="Ledger 2024/25",
        by=TEST_DATA,
    )


class Journey:
    """One role's browser: every page it opens is checked for an error status, and every
    step can be photographed."""

    def __init__(self, browser, live_server, user, role):
        client = Client()
        client.force_login(user)
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        self.page = self.context.new_page()
        self.base = live_server.url
        self.role = role
        self.errors: list[str] = []
        self.page.on(
            "response",
            lambda r: (
                self.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type in ("document", "stylesheet")
                else None
            ),
        )
        self.page.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))

    def go(self, url):
        self.page.goto(self.base + url)
        self.check()

    def click(self, name, *, expect_form_error=False, kind="button"):
        self.page.get_by_role(kind, name=name, exact=True).first.click()
        self.page.wait_for_load_state()
        self.check(expect_form_error=expect_form_error)

    def check(self, *, expect_form_error=False):
        assert not self.errors, self.errors
        form_errors = self.page.locator("form .errorlist, .messagelist .error").all_inner_texts()
        if not expect_form_error:
            assert not form_errors, form_errors

    def shot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        self.page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)

    def question(self, number):
        return self.page.locator(f"#q{number}")

    def answer(self, number, kind, text=""):
        q = self.question(number)
        q.get_by_label("Answer kind").select_option(label=kind)
        if text:
            q.get_by_label("Your answer").fill(text)
        q.get_by_role("button", name=f"Save answer to question {number}").click()
        self.page.wait_for_load_state()
        self.check()

    def add_block(self, number, title):
        q = self.question(number)
        q.get_by_label(f"Add a live block to question {number}").select_option(label=title)
        q.get_by_role("button", name="Add block").click()
        self.page.wait_for_load_state()
        self.check()

    def close(self):
        self.context.close()


def test_officer_answers_lead_returns_officer_revises_lead_approves_and_it_is_issued(
    live_server, browser, organisation, foi_officer, foi_lead, today
):
    _registers(organisation, today)
    request = log_request(
        organisation=organisation,
        by=foi_officer,
        title="Imaging contracts, CDCs and insourcing",
        questions=QUESTIONS,
        received_on=today - datetime.timedelta(days=7),
    )
    officer = Journey(browser, live_server, foi_officer, "officer")
    lead = Journey(browser, live_server, foi_lead, "lead")
    try:
        # The officer finds the request in the list and opens its workspace.
        officer.go(reverse("admin:foiregister_request_changelist"))
        officer.page.get_by_role("link", name=f"Workspace for {request.reference}").click()
        officer.page.wait_for_load_state()
        officer.check()
        officer.shot("01-workspace-empty")

        # Q1: the contracts live today, MRI only, from the block's own form.
        officer.answer(1, "Provided", "Our independent-sector imaging contracts are:")
        officer.add_block(1, "Independent-sector contracts")
        officer.page.get_by_label("MRI").check()
        assert officer.page.get_by_label("Live on").input_value() == today.isoformat()
        officer.shot("02-contract-block-form")
        results = Axe().run(officer.page, options=WCAG_22_AA)
        assert results.violations_count == 0, results.generate_report()
        officer.click("Add block")

        # Q2: the CDCs in the area over the last twelve months (the defaults).
        officer.answer(2, "Provided", "The CDCs in our area:")
        officer.add_block(2, "Community diagnostic centres: capacity and utilisation")
        officer.shot("03-cdc-block-form")
        officer.click("Add block")

        # Q3: insourcing spend in 2024/25, chosen from the lists.
        officer.answer(3, "Provided")
        officer.add_block(3, "Total spend in a financial year")
        officer.page.get_by_label("Financial year").select_option("2024/25")
        officer.page.get_by_label("Kind of contract").select_option(label="Insourcing")
        officer.click("Add block")

        # Q4: no plans.
        officer.answer(4, "No plans / nil return")
        page_text = officer.page.locator("#q3").inner_text()
        assert "£3,091,519" in page_text  # rendered as the requester will read it
        assert "Diagnostic Healthcare Ltd" in officer.page.locator("#q1").inner_text()
        assert "Fictional Town CDC" in officer.page.locator("#q2").inner_text()

        officer.click("Draft response")
        officer.click("Mark live blocks reviewed")
        officer.shot("04-workspace-answered")

        # The workspace passes WCAG 2.2 AA.
        results = Axe().run(officer.page, options=WCAG_22_AA)
        assert results.violations_count == 0, results.generate_report()

        # The lead reads it and returns it with a comment.
        url = reverse("admin:letters_workspace", args=[request.pk])
        lead.go(url)
        lead.page.get_by_label("What should the officer change?").fill(
            "Question 4: say when the PET-CT review will report."
        )
        lead.click("Return to the officer")
        lead.shot("05-lead-returned")

        # The officer sees the comment, revises question 4 and replies.
        officer.go(url)
        conversation = officer.page.locator(".ws-conversation").inner_text()
        assert "Question 4: say when the PET-CT review will report." in conversation
        officer.answer(4, "No plans / nil return", "Our review of PET-CT reports in March.")
        officer.page.get_by_label("Add a comment").fill("Question 4 now says when.")
        officer.click("Add comment")
        officer.shot("06-officer-revised")

        # The lead approves on the page with the preview, which renders in the frame.
        lead.go(url)
        preview = lead.page.frame_locator("iframe.ws-preview")
        assert "Our review of PET-CT reports in March." in preview.locator("body").inner_text()
        assert "£3,091,519" in preview.locator("body").inner_text()
        lead.shot("07-lead-before-approval")
        lead.click("Approve exactly as previewed")
        lead.click("Issue and email")
        lead.shot("08-issued")
        letter = Letter.objects.get(request=request, kind="response")
        assert letter.is_issued
        assert list(letter.comments.values_list("kind", flat=True)) == [
            "returned",
            "comment",
            "approved",
        ]

        # Published from the disclosure screen the lead reaches from the admin.
        lead.go(reverse("admin:disclosure_publish", args=[request.pk]))
        lead.shot("09-publish")
        # The personal-data check flags the salutation "Dear Requester" (the test
        # requester's surname is "Requester"): the lead reads it and accepts it.
        findings = lead.page.locator("input[name=accept]")
        for n in range(findings.count()):
            findings.nth(n).check()
        if findings.count():
            lead.page.get_by_label("Reason for accepting").fill(
                "The salutation, not the requester's name."
            )
            lead.click("Accept the ticked findings")
        lead.click("Publish to the disclosure log")
        lead.shot("10-published")
        assert Request.objects.get(pk=request.pk).disclosure_entry is not None
    finally:
        officer.close()
        lead.close()
