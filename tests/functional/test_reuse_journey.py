"""An officer answers a round robin from last time's answer (issue 17, "Round robins and
reuse"), by clicking: the request logged from the mailbox repeats one the organisation answered
and published months ago, and another body published too. The mailbox screen lists both; the
workspace offers the earlier answer beside each question and says what changed since (a
contract has ended, the spend total moved); the officer takes it and the letter's preview
shows today's figures of their own registers. The mailbox screen and the workspace pass
axe-core's WCAG 2.2 AA rules. Screenshots in var/screenshots/reuse/."""

import datetime
import os
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse

from contracts import services as contract_services
from contracts.models import Contract
from foiregister.intake import services as intake_services
from foiregister.kernel.roles import FOI_LEAD
from foiregister.letters import services as letter_services
from tests.conftest import member
from tests.factories import TEST_DATA
from tests.factories import contracts as cf
from tests.factories.disclosure import published_entry
from tests.factories.foiregister import RequesterFactory, log_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots/reuse"
WCAG_22_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}
QUESTIONS = [
    "Please list your independent sector imaging contracts, with the supplier, the value "
    "and the expiry date of each.",
    "Please state the total expenditure on clinical insourcing in the financial year 2024/25.",
]
OTHER_BODY_REQUESTER = "Zebedee Canarywing"


def _letter(sign_off: str) -> str:
    listed = "\n".join(f"{n}. {q}" for n, q in enumerate(QUESTIONS, start=1))
    return (
        "Dear FOI team,\n\nUnder the Freedom of Information Act 2000 please tell me:\n\n"
        f"{listed}\n\nYours faithfully,\n{sign_off}"
    )


def _spend(organisation, amount, reference):
    contract_services.record_spend(
        organisation=organisation,
        financial_year="2024/25",
        amount=Decimal(amount),
        kind=Contract.Kind.INSOURCING,
        supplier=cf.supplier(name="Insourcing Partners Ltd"),
        category="mri",
        source="Ledger 2024/25",
        reference=reference,
        by=TEST_DATA,
    )


def _last_time(organisation, officer, lead, today):
    """Last time's answer: issued with its live blocks some 200 days ago, while the Dudley
    contract still ran."""
    start = today - datetime.timedelta(days=600)
    cf.contract(
        organisation=organisation,
        supplier_obj=cf.supplier(name="Alliance Medical"),
        title="Dudley CT/MRI",
        categories=["ct", "mri"],
        start_date=start,
        end_date=today - datetime.timedelta(days=30),
        is_public=True,
    )
    cf.contract(
        organisation=organisation,
        supplier_obj=cf.supplier(name="InHealth"),
        title="Walsall MRI",
        start_date=start,
        end_date=today + datetime.timedelta(days=400),
        is_public=True,
    )
    _spend(organisation, "3091519.00", "SPEND-1")
    then = today - datetime.timedelta(days=200)
    earlier = log_request(
        organisation=organisation,
        by=officer,
        title="Imaging contracts and insourcing spend",
        body=_letter("A. Requester"),
        questions=QUESTIONS,
        received_on=then - datetime.timedelta(days=10),
    )
    q1, q2 = earlier.questions.order_by("number")
    letter_services.set_answer(
        question=q1, by=officer, answer="Our imaging contracts:", answer_kind="provided"
    )
    letter_services.add_block(
        question=q1,
        block_type="independent_sector_contracts",
        params={"active_on": then.isoformat()},
        by=officer,
    )
    letter_services.set_answer(question=q2, by=officer, answer="", answer_kind="provided")
    letter_services.add_block(
        question=q2,
        block_type="spend_total",
        params={"financial_year": "2024/25", "kind": "insourcing"},
        by=officer,
    )
    letter = letter_services.draft_letter(request=earlier, kind="response", by=officer)
    letter_services.review_letter_blocks(letter=letter, by=officer)
    letter = letter_services.approve_letter(letter=letter, by=lead)
    letter_services.issue_letter(letter=letter, by=officer, issued_on=then)
    intake_services.index_request(earlier)
    return earlier


def _login(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_officer_takes_last_times_answer_and_sees_todays_figures(
    live_server, browser, organisation, other_organisation, foi_officer, foi_lead, today
):
    earlier = _last_time(organisation, foi_officer, foi_lead, today)
    # A late invoice for 2024/25, booked since the letter.
    _spend(organisation, "108481.00", "SPEND-LATE")
    other = published_entry(
        organisation=other_organisation,
        by=member(other_organisation, FOI_LEAD, "other_lead"),
        requester=RequesterFactory(organisation=other_organisation, name=OTHER_BODY_REQUESTER),
        title="Imaging and insourcing",
        questions=QUESTIONS,
        answers=("We hold one contract, with Medical Imaging Partnership.", "£812,000."),
        body=_letter(OTHER_BODY_REQUESTER),
    )
    intake_services.index_request(other.request)
    raw = (
        "From: Newcomer Requester <newcomer@example.invalid>\r\nTo: foi@icb.example\r\n"
        "Subject: Imaging contracts and insourcing\r\n"
        f"Date: {today:%a, %d %b %Y} 09:30:00 +0000\r\n"
        "Message-ID: <reuse-journey@example.invalid>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + _letter("Newcomer Requester")
    ).encode()
    message, _ = intake_services.receive_message(
        organisation=organisation, raw=raw, filename="round-robin.eml", by=foi_officer
    )
    ours = intake_services.log_request_from_message(
        message=message,
        title="Imaging contracts and insourcing",
        body=message.body,
        questions=QUESTIONS,
        requester_name="Newcomer Requester",
        requester_email="newcomer@example.invalid",
        by=foi_officer,
    )
    ended = today - datetime.timedelta(days=30)

    context = _login(browser, live_server, foi_officer)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type == "document"
            else None
        ),
    )
    os.makedirs(SHOTS, exist_ok=True)
    try:
        # The mailbox screen: last time's request, and the other body's published response.
        page.goto(
            live_server.url + reverse("admin:intake_inboundmessage_review", args=[message.pk])
        )
        page.get_by_role("heading", name="Earlier requests asking the same questions").wait_for()
        assert earlier.reference in page.content()
        published = page.locator("#published-elsewhere").inner_text()
        assert f"{other_organisation.name}: {other.reference}" in published
        assert "We hold one contract, with Medical Imaging Partnership." in published
        assert OTHER_BODY_REQUESTER not in page.content()
        page.screenshot(path=f"{SHOTS}/01-mailbox.png", full_page=True)
        results = Axe().run(page, options=WCAG_22_AA)
        assert results.violations_count == 0, results.generate_report()

        # The workspace: last time's answer beside each question, and what changed since.
        page.get_by_role("link", name="response workspace").first.click()
        page.get_by_role("heading", name="Earlier answers to this question").first.wait_for()
        q1 = page.locator("#q1").inner_text()
        assert (
            "1 contract has ended since (Alliance Medical, Dudley CT/MRI, ended "
            f"{ended.day} {ended:%b %Y})" in q1
        )
        q2 = page.locator("#q2").inner_text()
        assert "total insourcing spend 2024/25 changed from £3,091,519 to £3,200,000" in q2
        assert "We hold one contract, with Medical Imaging Partnership." in q1
        assert "check it is true of your organisation" in q1
        assert OTHER_BODY_REQUESTER not in page.content()
        page.screenshot(path=f"{SHOTS}/02-workspace-suggestions.png", full_page=True)
        results = Axe().run(page, options=WCAG_22_AA)
        assert results.violations_count == 0, results.generate_report()

        # The officer takes last time's answer to both questions.
        for number in (1, 2):
            page.locator(f"#q{number}").get_by_role(
                "button",
                name=f"Use this earlier answer ({earlier.reference}) for question {number}",
            ).click()
            page.get_by_text(f"Question {number} now has the answer of").wait_for()
        assert not errors, errors
        q1_answer = page.locator("#q1 .ws-blocks .ws-rendered").first.inner_text()
        assert "Walsall MRI" in q1_answer and "Dudley CT/MRI" not in q1_answer
        page.screenshot(path=f"{SHOTS}/03-taken.png", full_page=True)

        # Drafted, the preview shows today's figures of the officer's own registers.
        page.get_by_role("button", name="Draft response").click()
        preview = page.frame_locator("iframe.ws-preview").locator("body")
        preview.get_by_text("Our imaging contracts:").wait_for()
        letter_text = preview.inner_text()
        assert "Walsall MRI" in letter_text and "Dudley CT/MRI" not in letter_text
        assert "£3,200,000" in letter_text
        assert "Medical Imaging Partnership" not in letter_text
        page.screenshot(path=f"{SHOTS}/04-preview.png", full_page=True)
        assert not errors, errors
        assert ours.questions.get(number=1).live_blocks.count() == 1
    finally:
        context.close()
