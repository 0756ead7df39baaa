"""The FOI lead's publish page in the admin."""

import pytest

from foiregister.disclosure import selectors
from foiregister.kernel.models import AuditEvent
from tests.factories.disclosure import responded_request

pytestmark = pytest.mark.django_db


def test_lead_accepts_a_finding_then_publishes(organisation, foi_lead, foi_lead_client):
    request = responded_request(
        organisation=organisation, by=foi_lead, answers=("Email lead@trust.example",)
    )
    url = f"/admin/disclosure/disclosurelogentry/publish/{request.pk}/"
    page = foi_lead_client.get(url).content.decode()
    assert "lead@trust.example" in page and 'name="accept"' in page
    [finding] = selectors.outstanding_findings(request)
    foi_lead_client.post(
        url, {"action": "accept", "accept": [finding.fingerprint], "reason": "work address"}
    )
    response = foi_lead_client.post(
        url, {"action": "publish", "title": "Imaging contracts", "summary": "", "topic": "Imaging"}
    )
    assert response.status_code == 302
    assert selectors.public_disclosure_log().get().request == request


def test_officer_cannot_open_the_publish_page(organisation, foi_officer, foi_officer_client):
    request = responded_request(organisation=organisation, by=foi_officer)
    url = f"/admin/disclosure/disclosurelogentry/publish/{request.pk}/"
    assert foi_officer_client.get(url).status_code == 403


def test_lead_withdraws_with_a_reason(organisation, foi_lead, foi_lead_client):
    from tests.factories.disclosure import published_entry

    entry = published_entry(organisation=organisation, by=foi_lead)
    url = f"/admin/disclosure/disclosurelogentry/{entry.pk}/withdraw/"
    assert foi_lead_client.post(url, {"reason": "found a name"}).status_code == 302
    assert not selectors.public_disclosure_log().exists()


def test_lead_lists_a_private_name_from_the_admin(organisation, foi_lead, foi_lead_client):
    response = foi_lead_client.post(
        "/admin/disclosure/privatename/add/",
        {"organisation": organisation.pk, "name": "Jane Smith", "reason": "band 6"},
    )
    assert response.status_code == 302
    assert selectors.private_names_for(organisation) == ["Jane Smith"]
    assert AuditEvent.objects.filter(action="disclosure.private_name_added").exists()


def test_officer_cannot_see_the_private_names(organisation, foi_officer_client):
    assert foi_officer_client.get("/admin/disclosure/privatename/").status_code == 403


def test_the_request_page_leads_a_lead_to_publishing_it_once(
    organisation, foi_lead, foi_lead_client, foi_officer, foi_officer_client
):
    from tests.factories.disclosure import published_entry

    request = responded_request(organisation=organisation, by=foi_lead)
    page = f"/admin/foiregister/request/{request.pk}/change/"
    publish = f"/admin/disclosure/disclosurelogentry/publish/{request.pk}/"
    assert publish in foi_lead_client.get(page).content.decode()
    assert publish not in foi_officer_client.get(page).content.decode()
    entry = published_entry(organisation=organisation, by=foi_lead)
    done = f"/admin/disclosure/disclosurelogentry/publish/{entry.request.pk}/"
    assert (
        done
        not in foi_lead_client.get(
            f"/admin/foiregister/request/{entry.request.pk}/change/"
        ).content.decode()
    )
