"""A lead returning a letter to the officer, by every route (README, "Batch issue" and "The
response workspace"): from the response workspace or from the batch page, the request
leaves "in approval" and is back with the officer, in progress, with the lead's comment in
the letter's conversation on the workspace. Each route is driven as the lead uses it (a
POST from the page), and each ends in the same state."""

import pytest
from django.test import Client
from django.urls import reverse

from foiregister.kernel.audit import AuditAction
from foiregister.kernel.models import AuditEvent
from foiregister.letters import selectors, services
from foiregister.letters.models import Letter
from foiregister.requests.models import Request
from tests.factories import letters as f
from tests.letters.batch_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db

COMMENT = "Say which financial year the spend is for."


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _return_on_workspace(lead, letter):
    return _client(lead).post(
        reverse("admin:letters_workspace_letter", args=[letter.request_id, letter.pk, "return"]),
        {"comment": COMMENT},
    )


def _return_on_batch_page(lead, letter):
    return _client(lead).post(
        reverse("admin:letters_batchissue_return", args=[letter.batch_id]),
        {"letter": letter.pk, "comment": COMMENT},
    )


def _assert_back_with_the_officer(letter, officer):
    request = Request.objects.get(pk=letter.request_id)
    assert request.status == Request.Status.IN_PROGRESS
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    page = _client(officer).get(reverse("admin:letters_workspace", args=[request.pk]))
    html = page.content.decode()
    assert "Returned to the officer" in html and COMMENT in html
    assert f"{request.get_regime_display()} request, in progress" in html
    # Both the return and the status change are in the audit log.
    assert AuditEvent.objects.filter(
        action=AuditAction.LETTER_RETURNED, object_id=str(letter.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.REQUEST_STATUS,
        object_id=str(request.pk),
        changes__status=[Request.Status.IN_APPROVAL, Request.Status.IN_PROGRESS],
    ).exists()


def test_a_letter_returned_on_the_workspace_puts_its_request_back_in_progress(
    organisation, foi_officer, foi_lead
):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    letter, _ = services.open_draft(request=request, kind="response", by=foi_officer)
    services.send_for_approval(letter=letter, by=foi_officer)
    assert Request.objects.get(pk=request.pk).status == Request.Status.IN_APPROVAL

    response = _return_on_workspace(foi_lead, letter)

    assert response.status_code == 302
    _assert_back_with_the_officer(letter, foi_officer)


@pytest.mark.parametrize(
    "route", [_return_on_workspace, _return_on_batch_page], ids=["workspace", "batch page"]
)
def test_a_batch_letter_returned_by_either_route_ends_the_same(
    route, batch, targets_b, lead_b, support_officer
):
    services.run_batch_issue(batch=batch)
    letter = Letter.objects.get(batch=batch, request=targets_b[0])
    assert Request.objects.get(pk=targets_b[0].pk).status == Request.Status.IN_APPROVAL

    response = route(lead_b, letter)

    assert response.status_code == 302
    _assert_back_with_the_officer(letter, support_officer)
    rows = {r.request.pk: r for g in selectors.batch_progress(batch, lead_b) for r in g.rows}
    assert (rows[targets_b[0].pk].state, rows[targets_b[0].pk].reason) == ("returned", COMMENT)
    assert letter not in selectors.batch_letters_awaiting(lead_b)


def test_returning_a_draft_never_sent_for_approval_leaves_the_request_as_it_was(
    organisation, foi_officer, foi_lead
):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    letter, _ = services.open_draft(request=request, kind="response", by=foi_officer)
    before = Request.objects.get(pk=request.pk).status

    _return_on_workspace(foi_lead, letter)

    assert Request.objects.get(pk=request.pk).status == before
    assert letter.comments.filter(kind="returned", text=COMMENT).exists()
