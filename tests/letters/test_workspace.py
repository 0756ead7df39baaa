"""The response workspace: answers, live blocks by form fields, the letter beside them,
approval as a conversation, one draft per kind, discarding (issue #13)."""

import datetime

import pytest
from django.urls import reverse

from foiregister.kernel.audit import AuditAction
from foiregister.kernel.models import AuditEvent
from foiregister.letters import services
from foiregister.letters.blocks import get_block
from foiregister.letters.forms import BlockParamsForm
from foiregister.letters.models import AnswerBlock, Letter, LetterComment
from tests.factories import letters as f
from tests.factories.foiregister import log_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(organisation, foi_officer):
    return f.answered_request(organisation=organisation, officer=foi_officer)


def _ws(request):
    return reverse("admin:letters_workspace", args=[request.pk])


def _actions(letter_id):
    return AuditEvent.objects.filter(object_id=str(letter_id), object_type="letters.Letter")


# -- live blocks by ordinary fields ------------------------------------------------------


def test_block_form_offers_date_pickers_and_choice_lists_with_defaults():
    today = datetime.date(2025, 11, 30)  # a Sunday in the 2025/26 financial year
    form = BlockParamsForm(block=get_block("independent_sector_contracts"), today=today)
    assert form.fields["active_on"].widget.input_type == "date"
    assert form["active_on"].value() == "2025-11-30"
    assert "MRI" in str(form["categories"]) and 'type="checkbox"' in str(form["categories"])

    spend = BlockParamsForm(block=get_block("spend_total"), today=today)
    years = [value for value, _ in spend.fields["financial_year"].choices]
    assert years[:3] == ["2025/26", "2024/25", "2023/24"]
    assert spend["financial_year"].value() == "2024/25"  # the last complete year
    assert spend["kind"].value() == "insourcing"

    cdc = BlockParamsForm(block=get_block("cdcs_hosted"), today=today)
    assert (cdc["start"].value(), cdc["end"].value()) == ("2024-11-01", "2025-10-31")


def test_block_form_puts_the_blocks_own_error_on_its_field():
    form = BlockParamsForm(
        {"start": "2025-06-01", "end": "2025-03-31", "area": "hosted"},
        block=get_block("cdcs_hosted"),
        today=datetime.date(2025, 11, 30),
    )
    assert not form.is_valid()
    assert "ends before it starts" in form.errors["end"][0]


def test_officer_adds_a_block_to_a_question_by_its_number_from_the_menu(
    answered, foi_officer_client
):
    page = foi_officer_client.get(_ws(answered))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="block_type"' in html and "Plans to procure or re-tender" in html
    add = reverse("admin:letters_workspace_block_add", args=[answered.pk, 2])
    form_page = foi_officer_client.get(add, {"block_type": "independent_sector_contracts"})
    assert 'type="date"' in form_page.content.decode()
    assert "{" not in form_page.context["form"]["active_on"].value()

    response = foi_officer_client.post(
        add + "?block_type=independent_sector_contracts",
        {"active_on": "2025-09-01", "categories": ["mri"]},
    )
    assert response.status_code == 302 and response.url.endswith("#q2")
    block = AnswerBlock.objects.get(question__number=2, question__request=answered)
    assert block.params == {"active_on": "2025-09-01", "categories": ["mri"]}


def test_planned_procurements_block_accepts_its_default_of_no_categories(
    answered, foi_officer_client
):
    add = reverse("admin:letters_workspace_block_add", args=[answered.pk, 3])
    response = foi_officer_client.post(add + "?block_type=planned_procurements", {})
    assert response.status_code == 302
    block = AnswerBlock.objects.get(question__number=3, question__request=answered)
    assert block.params == {"categories": []}


def test_a_bad_block_parameter_is_shown_on_the_field_and_nothing_is_saved(
    answered, foi_officer_client
):
    add = reverse("admin:letters_workspace_block_add", args=[answered.pk, 2])
    response = foi_officer_client.post(
        add + "?block_type=cdcs_hosted",
        {"start": "2025-06-01", "end": "2025-03-31", "area": "hosted"},
    )
    assert response.status_code == 200
    assert "ends before it starts" in str(response.context["form"]["end"].errors)
    assert not AnswerBlock.objects.filter(question__number=2, question__request=answered)


def test_officer_changes_and_removes_a_block_by_its_place_in_the_question(
    answered, foi_officer_client
):
    q1 = answered.questions.get(number=1)
    services.add_block(
        question=q1,
        block_type="spend_total",
        params={"financial_year": "2023/24", "kind": "insourcing"},
        by=q1.request.assignee or answered.organisation.members.first(),
    )
    block = q1.live_blocks.get(block_type="spend_total")
    edit = reverse("admin:letters_workspace_block", args=[answered.pk, 1, block.position])
    page = foi_officer_client.get(edit)
    assert page.context["form"]["financial_year"].value() == "2023/24"
    foi_officer_client.post(edit, {"financial_year": "2024/25", "kind": "insourcing"})
    block.refresh_from_db()
    assert block.params["financial_year"] == "2024/25"

    remove = reverse("admin:letters_workspace_block_remove", args=[answered.pk, 1, block.position])
    assert foi_officer_client.get(remove).status_code == 403  # a button, not a link
    foi_officer_client.post(remove)
    assert not AnswerBlock.objects.filter(pk=block.pk).exists()


def test_generic_block_admin_sends_the_officer_to_the_workspace(answered, foi_officer_client):
    block = AnswerBlock.objects.get(question__request=answered)
    response = foi_officer_client.get(reverse("admin:letters_answerblock_change", args=[block.pk]))
    assert response.status_code == 302
    assert response.url == reverse(
        "admin:letters_workspace_block", args=[answered.pk, 1, block.position]
    )
    add = foi_officer_client.get(reverse("admin:letters_answerblock_add"))
    assert add.status_code == 403


# -- the workspace page ------------------------------------------------------------------


def test_workspace_shows_each_answer_its_wording_its_blocks_and_the_letter(
    answered, foi_officer, foi_officer_client
):
    services.open_draft(request=answered, kind="response", by=foi_officer)
    page = foi_officer_client.get(_ws(answered))
    html = page.content.decode()
    assert "Question 1" in html and "Question 3" in html
    assert "£3,091,519" in html  # the live block rendered as the requester reads it
    assert "does not hold it" in html  # q3's standard wording (not held)
    preview = reverse("admin:letters_letter_preview", args=[answered.letters.get().pk])
    assert f'src="{preview}"' in html
    assert html.count("<select name=") >= 3  # kinds and the block menu, no id inputs
    assert "Philippa" not in html  # the requester is not on the workspace


def test_workspace_is_reached_from_the_request_page_and_the_list(answered, foi_officer_client):
    change = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[answered.pk])
    )
    assert _ws(answered) in change.content.decode()
    listing = foi_officer_client.get(reverse("admin:foiregister_request_changelist"))
    assert _ws(answered) in listing.content.decode()


def test_another_organisations_officer_cannot_open_the_workspace(answered, other_organisation):
    from django.test import Client

    from foiregister.kernel.roles import FOI_OFFICER
    from tests.conftest import member

    stranger = member(other_organisation, FOI_OFFICER, "stranger")
    client = Client()
    client.force_login(stranger)
    assert client.get(_ws(answered)).status_code == 404
    add = reverse("admin:letters_workspace_block_add", args=[answered.pk, 1])
    assert client.post(add + "?block_type=planned_procurements", {}).status_code == 404


def test_an_exempt_answer_asks_for_its_exemptions_on_the_field(answered, foi_officer_client):
    url = reverse("admin:letters_workspace_answer", args=[answered.pk, 2])
    response = foi_officer_client.post(url, {"q2-answer_kind": "exempt", "q2-answer": ""})
    assert response.status_code == 200
    form = next(p.form for p in response.context["panels"] if p.question.number == 2)
    assert "needs the sections" in str(form["exemptions"].errors)
    assert answered.questions.get(number=2).answer_kind == "provided"  # unchanged


def test_exemptions_are_dropped_when_the_kind_does_not_use_them(answered, foi_officer_client):
    from foiregister.requests.models import Exemption

    url = reverse("admin:letters_workspace_answer", args=[answered.pk, 2])
    s40 = Exemption.objects.get(code="s40_2")
    foi_officer_client.post(
        url, {"q2-answer_kind": "not_held", "q2-exemptions": [s40.pk], "q2-answer": ""}
    )
    q2 = answered.questions.get(number=2)
    assert q2.answer_kind == "not_held" and not q2.exemptions.exists()
    foi_officer_client.post(url, {"q2-answer_kind": "exempt", "q2-exemptions": [s40.pk]})
    assert list(answered.questions.get(number=2).exemptions.values_list("code", flat=True)) == [
        "s40_2"
    ]


# -- approval as a conversation ----------------------------------------------------------


def test_lead_returns_the_letter_with_a_comment_the_officer_sees_it_then_lead_approves(
    answered, foi_officer, foi_lead, foi_officer_client, foi_lead_client
):
    letter, _ = services.open_draft(request=answered, kind="response", by=foi_officer)
    act = "admin:letters_workspace_letter"
    back = foi_lead_client.post(
        reverse(act, args=[answered.pk, letter.pk, "return"]),
        {"comment": "Say which financial year in question 1."},
    )
    assert back.status_code == 302
    page = foi_officer_client.get(_ws(answered))
    assert "Say which financial year in question 1." in page.content.decode()
    assert _actions(letter.pk).filter(action=AuditAction.LETTER_RETURNED).exists()

    # the officer cannot return or approve a response
    assert not services.may_approve(letter, foi_officer)
    foi_officer_client.post(
        reverse(act, args=[answered.pk, letter.pk, "return"]), {"comment": "x"}
    )
    assert LetterComment.objects.filter(letter=letter, kind="returned").count() == 1

    foi_officer_client.post(
        reverse(act, args=[answered.pk, letter.pk, "comment"]), {"comment": "Done: 2024/25."}
    )
    lead_page = foi_lead_client.get(_ws(answered))
    content_hash = lead_page.context["draft"].content_hash
    assert "Approve exactly as previewed" in lead_page.content.decode()
    foi_lead_client.post(
        reverse(act, args=[answered.pk, letter.pk, "approve"]), {"content_hash": content_hash}
    )
    letter.refresh_from_db()
    assert letter.status == "approved" and letter.approved_by == foi_lead
    kinds = list(letter.comments.values_list("kind", flat=True))
    assert kinds == ["returned", "comment", "approved"]


def test_returning_an_approved_letter_withdraws_the_approval(answered, foi_officer, foi_lead):
    letter = f.approved_response(request=answered, officer=foi_officer, lead=foi_lead)
    services.return_letter(letter=letter, by=foi_lead, comment="One more look at Q2.")
    letter.refresh_from_db()
    assert letter.status == "draft" and not letter.approved_hash


def test_a_return_needs_a_comment(answered, foi_officer, foi_lead):
    letter, _ = services.open_draft(request=answered, kind="response", by=foi_officer)
    with pytest.raises(Exception, match="what the officer should change"):
        services.return_letter(letter=letter, by=foi_lead, comment="  ")


def test_officer_issues_an_acknowledgement_without_a_lead_only_where_allowed(
    organisation, foi_officer
):
    request = log_request(organisation=organisation, by=foi_officer)
    ack, _ = services.open_draft(request=request, kind="acknowledgement", by=foi_officer)
    assert organisation.officers_issue_routine_letters is False  # the default
    with pytest.raises(Exception, match="may not approve"):
        services.approve_letter(letter=ack, by=foi_officer)

    organisation.officers_issue_routine_letters = True
    organisation.save()
    ack = Letter.objects.get(pk=ack.pk)
    services.approve_letter(letter=ack, by=foi_officer)
    issued = services.issue_letter(letter=ack, by=foi_officer)
    assert issued.is_issued
    approved = _actions(ack.pk).get(action=AuditAction.LETTER_APPROVED)
    assert approved.changes["as_lead"] is False

    response, _ = services.open_draft(request=request, kind="response", by=foi_officer)
    assert not services.may_approve(response, foi_officer)


# -- one draft per kind, discarding ------------------------------------------------------


def test_opening_a_draft_link_twice_makes_one_draft(organisation, foi_officer, foi_officer_client):
    request = log_request(organisation=organisation, by=foi_officer)
    url = reverse("admin:letters_letter_draft", args=[request.pk, "acknowledgement"])
    first = foi_officer_client.get(url)
    second = foi_officer_client.get(url)
    assert first.url == second.url
    assert Letter.objects.filter(request=request, kind="acknowledgement").count() == 1
    ws = reverse("admin:letters_workspace_draft", args=[request.pk, "acknowledgement"])
    foi_officer_client.post(ws)
    assert Letter.objects.filter(request=request, kind="acknowledgement").count() == 1
    with pytest.raises(Exception, match="already has"):
        services.draft_letter(request=request, kind="acknowledgement", by=foi_officer)


def test_a_discarded_draft_stays_in_the_history_and_a_new_one_may_start(
    organisation, foi_officer, foi_officer_client
):
    request = log_request(organisation=organisation, by=foi_officer)
    letter, _ = services.open_draft(request=request, kind="clarification", by=foi_officer)
    foi_officer_client.post(
        reverse("admin:letters_workspace_letter", args=[request.pk, letter.pk, "discard"]),
        {"comment": "Started on the wrong request."},
    )
    letter.refresh_from_db()
    assert letter.status == "discarded" and letter.discarded_by == foi_officer
    assert _actions(letter.pk).filter(action=AuditAction.LETTER_DISCARDED).exists()
    page = foi_officer_client.get(reverse("admin:letters_workspace", args=[request.pk]))
    assert "Discarded" in page.content.decode()
    again, created = services.open_draft(request=request, kind="clarification", by=foi_officer)
    assert created and again.pk != letter.pk
    with pytest.raises(Exception, match="discarded"):
        services.update_letter(letter=letter, by=foi_officer, body="more")


def test_an_issued_letter_cannot_be_discarded(answered, foi_officer, foi_lead):
    letter = f.issued_response(request=answered, officer=foi_officer, lead=foi_lead)
    with pytest.raises(Exception, match="issued"):
        services.discard_letter(letter=letter, by=foi_officer)


# -- an issued refusal notice sets the outcome --------------------------------------------


def _refuse(organisation, officer, lead, *, kind, **answer):
    request = log_request(organisation=organisation, by=officer)
    question = request.questions.get()
    services.set_answer(question=question, by=officer, answer_kind=kind, **answer)
    letter, _ = services.open_draft(request=request, kind="refusal_notice", by=officer)
    services.approve_letter(letter=letter, by=lead)
    services.issue_letter(letter=letter, by=officer, issued_on=datetime.date(2025, 9, 10))
    request.refresh_from_db()
    return request


def test_an_issued_s12_refusal_notice_records_refused_on_cost(organisation, foi_officer, foi_lead):
    request = _refuse(
        organisation,
        foi_officer,
        foi_lead,
        kind="refused_s12",
        answer="You could ask for one financial year.",
    )
    assert request.outcome == "refused_s12"


def test_an_issued_s14_refusal_notice_records_vexatious(organisation, foi_officer, foi_lead):
    request = _refuse(organisation, foi_officer, foi_lead, kind="refused_s14")
    assert request.outcome == "refused_s14"


def test_an_issued_refusal_notice_for_exemptions_records_withheld(
    organisation, foi_officer, foi_lead
):
    request = _refuse(
        organisation, foi_officer, foi_lead, kind="exempt", exemption_codes=["s40_2"]
    )
    assert request.outcome == "withheld"


def test_a_public_interest_extension_notice_sets_no_outcome(organisation, foi_officer, foi_lead):
    request = log_request(organisation=organisation, by=foi_officer)
    services.set_answer(
        question=request.questions.get(),
        by=foi_officer,
        answer_kind="exempt",
        exemption_codes=["s40_2"],
    )
    letter = services.draft_letter(
        request=request,
        kind="refusal_notice",
        by=foi_officer,
        pit_estimate_on=datetime.date(2025, 10, 20),
    )
    services.approve_letter(letter=letter, by=foi_lead)
    services.issue_letter(letter=letter, by=foi_officer, issued_on=datetime.date(2025, 9, 10))
    request.refresh_from_db()
    assert request.outcome == ""


# -- the officer sees a failed email -------------------------------------------------------


def test_a_failed_email_shows_on_the_workspace(
    answered, foi_officer, foi_lead, foi_officer_client, settings
):
    from unittest import mock

    from foiregister.letters import tasks

    letter = f.issued_response(request=answered, officer=foi_officer, lead=foi_lead)
    with mock.patch(
        "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("refused")
    ):
        with pytest.raises(OSError):
            tasks.email_letter.apply(args=[letter.pk], throw=True, retries=5)
    page = foi_officer_client.get(_ws(answered)).content.decode()
    assert "NOT emailed: the mail server refused it" in page


def test_a_refused_email_keeps_the_requesters_address_out_of_the_audit_log_and_the_retry(
    answered, foi_officer, foi_lead, settings
):
    """smtplib's refusal quotes the address it refused: neither the audit row (kept past
    erasure) nor the exception Celery logs on retry may carry it."""
    import smtplib
    from unittest import mock

    from foiregister.kernel.models import AuditEvent
    from foiregister.letters import tasks

    letter = f.issued_response(request=answered, officer=foi_officer, lead=foi_lead)
    address = answered.requester.email
    assert address
    refused = smtplib.SMTPRecipientsRefused({address: (550, b"no such user " + address.encode())})
    assert address in str(refused)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        with pytest.raises(OSError) as raised:
            tasks.email_letter.apply(args=[letter.pk], throw=True, retries=5)
    assert address not in str(raised.value)
    assert "SMTPRecipientsRefused" in str(raised.value)
    failures = AuditEvent.objects.filter(action="letter.email_failed")
    assert failures.exists()
    for event in failures:
        assert address not in str(event.changes)


# -- the standard wording, inserted and editable ---------------------------------------


def test_the_officer_edits_one_questions_standard_wording(
    answered, foi_officer, foi_officer_client
):
    from foiregister.letters.context import draft_state

    url = reverse("admin:letters_workspace_answer", args=[answered.pk, 3])
    page = foi_officer_client.get(_ws(answered))
    q3 = next(p.form for p in page.context["panels"] if p.question.number == 3)
    standard = q3["standard_wording"].value()
    assert "does not hold it" in standard  # inserted, ready to edit

    edited = standard.replace("does not hold it", "does not hold it: the team was formed in 2025")
    foi_officer_client.post(
        url,
        {
            "q3-answer_kind": "not_held",
            "q3-wording_kind": "not_held",
            "q3-standard_wording": edited,
        },
    )
    letter, _ = services.open_draft(request=answered, kind="response", by=foi_officer)
    q = draft_state(letter).content["questions"][2]
    assert q["standard_wording"] == edited
    assert AuditEvent.objects.filter(action=AuditAction.LETTER_WORDING_SET).exists()

    # Put back as it was: the organisation's wording prints again, not a copy of it.
    foi_officer_client.post(
        url,
        {
            "q3-answer_kind": "not_held",
            "q3-wording_kind": "not_held",
            "q3-standard_wording": standard,
        },
    )
    from foiregister.letters.models import QuestionWording

    assert not QuestionWording.objects.exists()


def test_a_wording_written_for_another_kind_is_not_kept(answered, foi_officer_client):
    from foiregister.letters.models import QuestionWording

    url = reverse("admin:letters_workspace_answer", args=[answered.pk, 3])
    foi_officer_client.post(
        url,
        {
            "q3-answer_kind": "refused_s14",
            "q3-wording_kind": "not_held",  # the box still held the old kind's wording
            "q3-standard_wording": "We have searched and do not hold it.",
        },
    )
    assert answered.questions.get(number=3).answer_kind == "refused_s14"
    assert not QuestionWording.objects.exists()


def test_officer_sends_the_response_to_the_lead_from_the_workspace(
    answered, foi_officer, foi_officer_client, foi_lead_client
):
    """A new officer looked for "send for approval" beside the preview and found none: the
    workspace now offers it, and the request is then on the lead's My work."""
    letter, _ = services.open_draft(request=answered, kind="response", by=foi_officer)
    page = foi_officer_client.get(_ws(answered) + f"?letter={letter.pk}").content.decode()
    assert "Send to the FOI lead for approval" in page

    foi_officer_client.post(
        reverse("admin:letters_workspace_letter", args=[answered.pk, letter.pk, "submit"])
    )

    answered.refresh_from_db()
    assert answered.status == "in_approval"
    my_work = foi_lead_client.get(reverse("admin:foiregister_request_my_work"))
    assert answered.reference in my_work.content.decode()
    page = foi_officer_client.get(_ws(answered) + f"?letter={letter.pk}").content.decode()
    assert "Send to the FOI lead for approval" not in page
