"""The round robin of the batch tests: two bodies (A, the ICB, and B, the Trust), an FOI
lead of each, and an FOI officer of a support unit who does casework for both (a member
of both bodies in the FOI officer role); a source request of A answered with a live block
that fetches each body's own figure; a request of A and two of B asking the same
questions, B's typed with other capitals, spacing and punctuation.

Star-imported by the test modules that use them (``# noqa: F403``)."""

import pytest

from foiregister.kernel.roles import FOI_LEAD, FOI_OFFICER
from foiregister.letters import services
from foiregister.letters.blocks import REGISTRY, LiveBlock, Param, register
from tests.conftest import member
from tests.factories import letters as f
from tests.factories.foiregister import RequesterFactory, log_request

__all__ = [
    "QUESTIONS_AS_B_TYPED_THEM",
    "batch",
    "lead_a",
    "lead_b",
    "make_request",
    "source",
    "support_officer",
    "target_a",
    "targets_b",
]


class OwnFigureBlock(LiveBlock):
    """A figure that differs by organisation: the body's ODS code, so a letter shows whose
    figures it fetched."""

    key = "test_own_figure"
    title = "Own figure"
    template_name = "letters/blocks/figures.html"
    params = (Param("name", "text", "Figure name"),)

    def fetch(self, *, organisation, params):
        return {"rows": [{"label": params["name"], "value": f"figure of {organisation.ods_code}"}]}


if OwnFigureBlock.key not in REGISTRY:
    register(OwnFigureBlock)


# The same round robin as another body's form sets it out: capitals, spacing, punctuation.
QUESTIONS_AS_B_TYPED_THEM = [
    "please state the total expenditure on clinical insourcing in 2024/25",
    "Please list your  independent-sector imaging contracts!",
    "How many patients were referred to independent sector providers ?",
]


@pytest.fixture
def support_officer(organisation, other_organisation):
    officer = member(organisation, FOI_OFFICER, "support-officer")
    other_organisation.members.add(officer)
    return officer


@pytest.fixture
def lead_a(organisation):
    return member(organisation, FOI_LEAD, "lead-a")


@pytest.fixture
def lead_b(other_organisation):
    return member(other_organisation, FOI_LEAD, "lead-b")


@pytest.fixture
def source(organisation, support_officer):
    request = f.answered_request(organisation=organisation, officer=support_officer)
    q1 = request.questions.get(number=1)
    services.review_blocks(
        blocks=[
            services.add_block(
                question=q1,
                block_type="test_own_figure",
                params={"name": "insourcing"},
                by=support_officer,
            )
        ],
        by=support_officer,
    )
    return request


def make_request(organisation, by=None, questions=f.QUESTIONS):
    return log_request(
        organisation=organisation,
        requester=RequesterFactory(organisation=organisation),
        questions=questions,
        **({"by": by} if by is not None else {}),
    )


@pytest.fixture
def target_a(organisation, support_officer):
    return make_request(organisation, support_officer)


@pytest.fixture
def targets_b(other_organisation, support_officer):
    return [
        make_request(other_organisation, support_officer, QUESTIONS_AS_B_TYPED_THEM) for _ in "12"
    ]


@pytest.fixture
def batch(source, target_a, targets_b, support_officer):
    return services.start_batch_issue(
        source_request=source, requests=[target_a, *targets_b], by=support_officer
    )
