"""Attack of issue 12 item 6: the topic is published (every page's topic filter and the
API) and was not checked. Every published field is."""

import pytest

from foiregister.disclosure import checks, selectors, services
from foiregister.disclosure.exceptions import PersonalDataFound
from tests.factories.disclosure import responded_request
from tests.factories.foiregister import RequesterFactory

pytestmark = pytest.mark.django_db


def requester(organisation):
    return RequesterFactory(
        organisation=organisation, name="Philippa Quartermaine", email="pq@example.invalid"
    )


def test_requesters_name_in_the_requests_topic_blocks_publication(organisation, foi_lead, client):
    request = responded_request(
        organisation=organisation,
        requester=requester(organisation),
        by=foi_lead,
        topic="Philippa Quartermaine pq@example.invalid",
    )
    with pytest.raises(PersonalDataFound) as caught:
        services.publish_response(request=request, by=foi_lead)
    assert {f.location for f in caught.value.findings} == {"topic"}
    assert "Quartermaine" not in client.get("/").content.decode()
    assert "Quartermaine" not in client.get("/api/v1/responses/").content.decode()


def test_requesters_email_in_a_topic_typed_at_publication_blocks_it(organisation, foi_lead):
    request = responded_request(
        organisation=organisation, requester=requester(organisation), by=foi_lead
    )
    with pytest.raises(PersonalDataFound):
        services.publish_response(request=request, by=foi_lead, topic="pq@example.invalid")


def test_lead_sees_a_topic_finding_on_the_publish_screen(organisation, foi_lead):
    request = responded_request(
        organisation=organisation, requester=requester(organisation), by=foi_lead
    )
    findings = selectors.personal_data_findings(request, topic="Quartermaine")
    assert [(f.kind, f.location) for f in findings] == [(checks.REQUESTER_NAME, "topic")]
