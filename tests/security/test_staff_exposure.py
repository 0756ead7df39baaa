"""What staff of one body could learn of another through the admin: usernames, the
reference sequence, and linked requests' references (issue 12, item 14)."""

import pytest
from django.test import Client
from django.urls import reverse

from foiregister.kernel import audit
from foiregister.kernel.models import Organisation
from foiregister.kernel.roles import FOI_LEAD
from foiregister.requests import services
from tests.factories.foiregister import UserFactory, log_request

from .conftest import member_of
from .test_admin_walk import victim_world, walk  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db]


def test_a_lead_finds_no_other_bodys_usernames_in_any_admin_page(organisation, victim_world):  # noqa: F811
    """Pickers, filters, autocompletes and lists offer one's colleagues only
    (``access.colleagues_of``), never every account of the install."""
    lead = member_of(organisation, FOI_LEAD, "curious-lead")
    client = Client()
    client.force_login(lead)

    problems = walk(
        client,
        lead,
        victim_world,
        forbidden=set(victim_world),
        canaries=("victim-officer", "victim-lead", "victim-commissioner"),
    )

    assert problems == []


def _organisation_form(organisation, **changes):
    data = {
        "name": organisation.name,
        "ods_code": organisation.ods_code,
        "kind": organisation.kind,
        "reference_pattern": organisation.reference_pattern,
        "retention_years": organisation.retention_years,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["lead", "superuser"])
def test_nobody_can_rewind_a_bodys_reference_sequence_in_the_admin(organisation, foi_lead, who):
    """``next_sequence`` is taken under a row lock when a request is logged; an edit would
    reissue a reference (or skip thousands)."""
    user = foi_lead if who == "lead" else UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    organisation.next_sequence = 41
    organisation.save()
    url = reverse("admin:foiregister_organisation_change", args=[organisation.pk])

    form = client.get(url).content.decode()
    client.post(url, _organisation_form(organisation, next_sequence=1))

    assert 'name="next_sequence"' not in form
    assert Organisation.objects.get(pk=organisation.pk).next_sequence == 41


def test_a_linked_request_of_another_body_shows_its_organisation_not_its_reference(
    organisation, other_organisation, foi_officer, foi_officer_client
):
    ours = log_request(organisation=organisation, by=foi_officer)
    theirs = log_request(
        organisation=other_organisation, by=foi_officer, title="Dudley private MRI matter"
    )
    services.link_requests(request=ours, other=theirs, kind="round_robin", by=foi_officer)
    ours2 = log_request(organisation=organisation, by=foi_officer)
    services.link_requests(request=theirs, other=ours2, kind="related", by=foi_officer)

    for request in (ours, ours2):
        url = reverse("admin:foiregister_request_change", args=[request.pk])
        page = foi_officer_client.get(url).content.decode()

        assert theirs.reference not in page
        assert "Dudley private MRI matter" not in page
        assert f"a request of {other_organisation.name}" in page
    for event in audit.AuditEvent.objects.filter(organisation_id=str(organisation.pk)):
        assert theirs.reference not in str(event.changes), event.action
