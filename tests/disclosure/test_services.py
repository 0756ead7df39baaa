"""Publishing, acceptance and withdrawal."""

import pytest

from foiregister.disclosure import selectors, services
from foiregister.disclosure.exceptions import PersonalDataFound, PublicationError
from foiregister.disclosure.models import AcceptedFinding
from foiregister.kernel import audit
from foiregister.requests import services as register_services
from tests.factories.disclosure import published_entry, responded_request
from tests.factories.foiregister import RequesterFactory, log_request

pytestmark = pytest.mark.django_db


def test_foi_lead_publishes_a_responded_request_and_it_is_audited(organisation, foi_lead):
    request = responded_request(organisation=organisation, by=foi_lead)
    entry = services.publish_response(request=request, by=foi_lead)
    assert selectors.public_disclosure_log().get() == entry
    assert entry.questions[0]["answer"] == "We hold three such contracts."
    assert audit.history_for(entry).filter(action="disclosure.published").exists()


def test_open_request_cannot_be_published(organisation, foi_lead):
    request = log_request(organisation=organisation, by=foi_lead)
    with pytest.raises(PublicationError, match="only a responded or closed"):
        services.publish_response(request=request, by=foi_lead)


def test_foi_officer_cannot_publish(organisation, foi_officer):
    request = responded_request(organisation=organisation, by=foi_officer)
    with pytest.raises(PublicationError, match="FOI lead"):
        services.publish_response(request=request, by=foi_officer)


def test_requesters_name_in_an_answer_blocks_publication(organisation, foi_lead):
    requester = RequesterFactory(organisation=organisation, name="Ottoline Quarrendon")
    request = responded_request(
        organisation=organisation,
        requester=requester,
        by=foi_lead,
        answers=("As Ms Ottoline Quarrendon knows, we hold three.",),
    )
    with pytest.raises(PersonalDataFound) as exc:
        services.publish_response(request=request, by=foi_lead)
    assert exc.value.findings[0].kind == "requester_name"
    assert not selectors.public_disclosure_log().exists()


def test_redacting_the_text_clears_the_finding(organisation, foi_lead):
    request = responded_request(
        organisation=organisation, by=foi_lead, answers=("Ring 01632 960123 for details.",)
    )
    with pytest.raises(PersonalDataFound):
        services.publish_response(request=request, by=foi_lead)
    question = request.questions.get()
    register_services.update_question(
        question=question, by=foi_lead, answer="Ring [redacted] for details."
    )
    assert services.publish_response(request=request, by=foi_lead).is_live


def test_accepted_finding_is_stored_and_audited_and_lets_publication_go(organisation, foi_lead):
    request = responded_request(
        organisation=organisation,
        by=foi_lead,
        answers=("The contract manager is reachable at director@trust.example.",),
    )
    [finding] = selectors.outstanding_findings(request)
    services.accept_finding(
        request=request, fingerprint=finding.fingerprint, by=foi_lead, reason="work email"
    )
    entry = services.publish_response(request=request, by=foi_lead)
    assert AcceptedFinding.objects.get().match == "director@trust.example"
    assert audit.history_for(request).filter(action="disclosure.finding_accepted").exists()
    published = audit.history_for(entry).get(action="disclosure.published")
    assert published.changes["accepted"] == [finding.fingerprint]


def test_acceptance_does_not_survive_a_changed_text(organisation, foi_lead):
    request = responded_request(
        organisation=organisation, by=foi_lead, answers=("Email a@trust.example",)
    )
    [finding] = selectors.outstanding_findings(request)
    services.accept_finding(request=request, fingerprint=finding.fingerprint, by=foi_lead)
    register_services.update_question(
        question=request.questions.get(), by=foi_lead, answer="Email b@trust.example"
    )
    with pytest.raises(PersonalDataFound):
        services.publish_response(request=request, by=foi_lead)


def test_withdrawal_takes_the_response_off_the_log_and_is_audited(organisation, foi_lead):
    entry = published_entry(organisation=organisation, by=foi_lead)
    services.withdraw_response(entry=entry, by=foi_lead, reason="third-party data found")
    assert not selectors.public_disclosure_log().exists()
    assert audit.history_for(entry).filter(action="disclosure.withdrawn").exists()


def test_withdrawn_response_can_be_republished_under_the_same_id(organisation, foi_lead):
    entry = published_entry(organisation=organisation, by=foi_lead)
    services.withdraw_response(entry=entry, by=foi_lead, reason="check")
    again = services.publish_response(request=entry.request, by=foi_lead)
    assert again.public_id == entry.public_id and again.is_live


def test_name_listed_as_private_blocks_publication_until_redacted(organisation, foi_lead):
    services.add_private_name(
        organisation=organisation, name="Jane Smith", by=foi_lead, reason="band 6"
    )
    request = responded_request(
        organisation=organisation,
        by=foi_lead,
        answers=("The contract is managed by Jane Smith.",),
    )
    with pytest.raises(PersonalDataFound) as exc:
        services.publish_response(request=request, by=foi_lead)
    assert [f.kind for f in exc.value.findings] == ["private_name"]
    register_services.update_question(
        question=request.questions.get(), by=foi_lead, answer="The contract is managed."
    )
    assert services.publish_response(request=request, by=foi_lead).is_live


def test_another_organisations_private_names_do_not_apply(
    organisation, other_organisation, foi_lead
):
    other_organisation.members.add(foi_lead)
    services.add_private_name(organisation=other_organisation, name="Jane Smith", by=foi_lead)
    request = responded_request(
        organisation=organisation, by=foi_lead, answers=("Jane Smith manages it.",)
    )
    assert selectors.outstanding_findings(request) == []


def test_private_names_are_kept_by_foi_leads_and_audited(organisation, foi_lead, foi_officer):
    with pytest.raises(PublicationError, match="FOI lead"):
        services.add_private_name(organisation=organisation, name="Jane Smith", by=foi_officer)
    private = services.add_private_name(
        organisation=organisation, name=" Jane  Smith ", by=foi_lead, reason="band 6"
    )
    assert private.name == "Jane Smith"
    assert audit.history_for(private).get().action == "disclosure.private_name_added"
    with pytest.raises(PublicationError, match="already listed"):
        services.add_private_name(organisation=organisation, name="jane smith", by=foi_lead)
    history = audit.history_for(private)
    services.remove_private_name(private_name=private, by=foi_lead, reason="left the trust")
    assert selectors.private_names_for(organisation) == []
    assert history.filter(action="disclosure.private_name_removed").exists()
