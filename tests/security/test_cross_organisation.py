"""Attacks by an FOI officer (or lead) of one body on another body's casework through the
letter screens and services: each reads or changes what the access gate must keep to the
victim's own staff (issue 11; issue 12 item 4)."""

import pytest
from django.urls import reverse

from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.letters import services
from foiregister.letters.models import AnswerBlock, AnswerWording, Letter
from foiregister.requests.exceptions import ValidationFailed

from .conftest import CANARY

pytestmark = pytest.mark.django_db


def test_letter_form_does_not_print_another_bodys_request_through_its_request_widget(
    victim_request, foi_officer_client
):
    page = foi_officer_client.get(
        reverse("admin:letters_letter_add") + f"?request={victim_request.pk}"
    )
    body = page.content.decode()
    assert CANARY not in body
    assert victim_request.reference not in body


def test_letter_form_does_not_print_another_bodys_letter_through_its_corrects_widget(
    victim_approved_letter, foi_officer_client
):
    page = foi_officer_client.get(
        reverse("admin:letters_letter_add") + f"?corrects={victim_approved_letter.pk}"
    )
    assert victim_approved_letter.request.reference not in page.content.decode()


def test_officer_cannot_draft_a_letter_on_another_bodys_request_through_the_add_form(
    victim_request, foi_officer_client
):
    foi_officer_client.post(
        reverse("admin:letters_letter_add"),
        {"request": victim_request.pk, "kind": "response", "body": "drafted by an outsider"},
    )
    assert not Letter.objects.filter(request=victim_request).exists()


def test_officer_cannot_add_a_live_block_to_another_bodys_question_through_the_add_form(
    victim_request, foi_officer_client
):
    question = victim_request.questions.get(number=2)
    foi_officer_client.post(
        reverse("admin:letters_answerblock_add"),
        {
            "question": question.pk,
            "position": 1,
            "block_type": "test_figure",
            "params": '{"name": "spend"}',
        },
    )
    assert not AnswerBlock.objects.filter(question=question).exists()


def test_answer_block_form_does_not_offer_another_bodys_questions(
    victim_request, foi_officer_client
):
    """Blocks are added on a request's workspace, by question number; the generic add
    form that listed questions is closed, and another body's workspace is not found."""
    page = foi_officer_client.get(reverse("admin:letters_answerblock_add"))
    assert page.status_code == 403 and CANARY not in page.content.decode()
    add = reverse("admin:letters_workspace_block_add", args=[victim_request.pk, 1])
    page = foi_officer_client.get(add, {"block_type": "planned_procurements"})
    assert page.status_code == 404 and CANARY not in page.content.decode()


def test_officer_cannot_create_standard_wording_for_another_body(
    other_organisation, foi_officer_client
):
    foi_officer_client.post(
        reverse("admin:letters_answerwording_add"),
        {"organisation": other_organisation.pk, "answer_kind": "not_held", "text": "Ours now."},
    )
    assert not AnswerWording.objects.filter(organisation=other_organisation).exists()


def test_officer_cannot_edit_another_bodys_standard_wording(victim_wording, foi_officer_client):
    url = reverse("admin:letters_answerwording_change", args=[victim_wording.pk])
    assert CANARY not in foi_officer_client.get(url, follow=True).content.decode()
    foi_officer_client.post(
        url,
        {
            "organisation": victim_wording.organisation_id,
            "answer_kind": "not_held",
            "text": "Overwritten by an outsider.",
        },
    )
    victim_wording.refresh_from_db()
    assert victim_wording.text.startswith(CANARY)


def test_wording_form_for_another_body_does_not_withdraw_its_lead_approval(
    victim_approved_letter, other_organisation, foi_officer_client
):
    foi_officer_client.post(
        reverse("admin:letters_answerwording_add"),
        {"organisation": other_organisation.pk, "answer_kind": "not_held", "text": "Changed."},
    )
    victim_approved_letter.refresh_from_db()
    assert victim_approved_letter.status == Letter.Status.APPROVED


# -- the services refuse an object the user does not act for ----------------------------


def test_draft_letter_refuses_another_bodys_request(victim_request, foi_officer):
    with pytest.raises(FoiRegisterError, match="does not act for"):
        services.draft_letter(request=victim_request, kind="response", by=foi_officer)
    assert not Letter.objects.filter(request=victim_request).exists()


def test_add_block_refuses_another_bodys_question(victim_request, foi_officer):
    question = victim_request.questions.get(number=2)
    with pytest.raises(FoiRegisterError, match="does not act for"):
        services.add_block(
            question=question, block_type="test_figure", params={"name": "spend"}, by=foi_officer
        )


def test_set_answer_wording_refuses_another_body_and_keeps_its_approvals(
    victim_approved_letter, other_organisation, foi_lead
):
    with pytest.raises(FoiRegisterError, match="does not act for"):
        services.set_answer_wording(
            organisation=other_organisation, answer_kind="not_held", text="Ours.", by=foi_lead
        )
    victim_approved_letter.refresh_from_db()
    assert victim_approved_letter.status == Letter.Status.APPROVED


def test_another_bodys_lead_cannot_withdraw_or_approve(victim_approved_letter, foi_lead):
    with pytest.raises(FoiRegisterError, match="does not act for"):
        services.withdraw_approval(letter=victim_approved_letter, by=foi_lead)
    with pytest.raises(FoiRegisterError, match="does not act for"):
        services.approve_letter(letter=victim_approved_letter, by=foi_lead)
    victim_approved_letter.refresh_from_db()
    assert victim_approved_letter.approved_by.username == "victim-lead"


def test_change_block_refuses_another_bodys_block(victim_request, foi_officer):
    block = AnswerBlock.objects.get(question__request=victim_request)
    with pytest.raises(FoiRegisterError, match="does not act for"):
        services.change_block(block=block, params={"name": "other"}, by=foi_officer)


def test_update_letter_refuses_another_bodys_letter(victim_approved_letter, foi_officer):
    with pytest.raises(FoiRegisterError, match="does not act for"):
        services.update_letter(letter=victim_approved_letter, by=foi_officer, body="Mine.")


# -- pickers offer only people who may do the work ---------------------------------------


def test_assignee_picker_offers_only_foi_staff_of_the_requests_organisation(
    organisation,
    other_organisation,
    foi_officer,
    foi_lead,
    commissioner,
    administrator,
    foi_officer_client,
):
    from tests.factories.letters import answered_request

    from .conftest import member_of

    outsider = member_of(other_organisation, "FOI officer", "outsider-officer")
    # an FOI officer of both bodies: in the picker of this body's requests only if a member
    other_organisation.members.add(foi_officer)
    request = answered_request(organisation=organisation, officer=foi_officer)
    page = foi_officer_client.get(reverse("admin:foiregister_request_change", args=[request.pk]))
    offered = set(page.context["adminform"].form.fields["assignee"].queryset)
    assert offered == {foi_officer, foi_lead}
    assert outsider not in offered


def test_time_entry_picker_offers_only_foi_staff_of_the_requests_organisation(
    organisation, foi_officer, foi_lead, commissioner, administrator, foi_officer_client
):
    from tests.factories.letters import answered_request

    request = answered_request(organisation=organisation, officer=foi_officer)
    page = foi_officer_client.get(reverse("admin:foiregister_request_change", args=[request.pk]))
    [time_formset] = [
        f for f in page.context["inline_admin_formsets"] if f.formset.model.__name__ == "TimeEntry"
    ]
    offered = set(time_formset.formset.form.base_fields["person"].queryset)
    assert offered == {foi_officer, foi_lead}


assert ValidationFailed  # the refusals above are domain errors, not crashes
