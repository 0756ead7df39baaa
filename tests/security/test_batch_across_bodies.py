"""A support unit's batch across two bodies: a lead of one body approves its letters on
the batch page, but never reads the other body's source request, not even its reference."""

import pytest
from django.urls import reverse

from foiregister.kernel.models import AuditEvent
from foiregister.kernel.roles import FOI_OFFICER
from foiregister.letters import services as letters
from tests.conftest import _client_for, member
from tests.factories import letters as letter_factories

pytestmark = pytest.mark.django_db


PRIVATE_REFERENCE = "DUDPRIVREF"


def test_another_bodys_lead_in_a_shared_batch_never_sees_the_source_requests_reference(
    organisation, other_organisation, foi_lead
):
    """A support unit's officer, a member of A and B, answers A's request and issues the
    round robin as one batch with B's copy. B's lead approves B's letter from the batch
    page, which names A's source only as "a request of" A: the batch list, B's audit log
    and My work must not give A's (unpublished) reference either."""
    other_organisation.reference_pattern = PRIVATE_REFERENCE + "/{seq}"
    other_organisation.save(update_fields=["reference_pattern"])
    support = member(other_organisation, FOI_OFFICER, "support-officer")
    organisation.members.add(support)
    source = letter_factories.answered_request(organisation=other_organisation, officer=support)
    ours = letter_factories.answered_request(organisation=organisation, officer=support)
    assert source.reference.startswith(PRIVATE_REFERENCE)
    batch = letters.start_batch_issue(source_request=source, requests=[ours], by=support)
    letters.run_batch_issue(batch=batch)
    client = _client_for(foi_lead)

    pages = {
        "batch list": reverse("admin:letters_batchissue_changelist"),
        "batch page": reverse("admin:letters_batchissue_progress", args=[batch.pk]),
        "audit log": reverse("admin:foiregister_auditevent_changelist"),
        "my work": reverse("admin:foiregister_request_my_work"),
        "our request": reverse("admin:foiregister_request_change", args=[ours.pk]),
        "our workspace": reverse("admin:letters_workspace", args=[ours.pk]),
    }
    for event in AuditEvent.objects.filter(organisation_id=str(organisation.pk)):
        pages[f"audit {event.action}"] = reverse(
            "admin:foiregister_auditevent_change", args=[event.pk]
        )
    seen = {}
    for name, url in pages.items():
        response = client.get(url, follow=True)
        seen[name] = (response.status_code, PRIVATE_REFERENCE in response.content.decode())

    assert {name: found for name, (_, found) in seen.items() if found} == {}
    assert seen["batch list"][0] == 200 and seen["batch page"][0] == 200


def test_the_starter_who_acts_for_the_source_sees_its_reference_in_the_batch_list(
    organisation, other_organisation
):
    support = member(other_organisation, FOI_OFFICER, "support-officer")
    organisation.members.add(support)
    source = letter_factories.answered_request(organisation=other_organisation, officer=support)
    ours = letter_factories.answered_request(organisation=organisation, officer=support)
    letters.start_batch_issue(source_request=source, requests=[ours], by=support)

    listing = _client_for(support).get(reverse("admin:letters_batchissue_changelist"))

    assert source.reference in listing.content.decode()
