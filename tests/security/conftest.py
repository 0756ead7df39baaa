"""The victim: an organisation the role fixtures' users do not belong to, with its own FOI
officer and lead, and casework whose every private field carries a canary string that must
never reach an outsider's screen."""

import pytest

from foiregister.kernel.roles import FOI_LEAD, FOI_OFFICER
from foiregister.letters import services as letter_services
from tests.conftest import member
from tests.factories import letters as letter_factories
from tests.factories.foiregister import RequesterFactory

CANARY = "CANARYq7x"


member_of = member  # a staff member of an organisation, in a role (tests/conftest.py)


@pytest.fixture
def victim_officer(other_organisation):
    return member_of(other_organisation, FOI_OFFICER, "victim-officer")


@pytest.fixture
def victim_lead(other_organisation):
    return member_of(other_organisation, FOI_LEAD, "victim-lead")


@pytest.fixture
def victim_request(other_organisation, victim_officer):
    """Another body's answered request: canaries in its title, requester and answers."""
    letter_factories.FIGURES["spend"] = "£3,091,519"
    requester = RequesterFactory(
        organisation=other_organisation,
        name=f"{CANARY} Requester",
        email=f"{CANARY.lower()}@example.invalid",
    )
    return letter_factories.answered_request(
        organisation=other_organisation,
        officer=victim_officer,
        requester=requester,
        title=f"{CANARY} imaging contracts title",
    )


@pytest.fixture
def victim_approved_letter(victim_request, victim_officer, victim_lead):
    return letter_factories.approved_response(
        request=victim_request, officer=victim_officer, lead=victim_lead, body=f"{CANARY} body"
    )


@pytest.fixture
def victim_wording(other_organisation, victim_lead):
    return letter_services.set_answer_wording(
        organisation=other_organisation,
        answer_kind="not_held",
        text=f"{CANARY} we do not hold this information.",
        by=victim_lead,
    )
