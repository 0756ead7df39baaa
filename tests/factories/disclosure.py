"""Factories for the disclosure log: requests are logged, answered, responded to and
published through the services, as an FOI lead would."""

from __future__ import annotations

from foiregister.disclosure import services
from foiregister.letters import services as letter_services
from foiregister.requests import services as register_services
from foiregister.requests.models import Request
from tests.factories import TEST_DATA
from tests.factories import contracts as cf
from tests.factories.foiregister import RequesterFactory, log_request
from tests.factories.letters import answered_request, issued_response


def responded_request(
    *,
    organisation,
    requester=None,
    title="Independent sector imaging contracts",
    questions=("How many independent sector imaging contracts do you hold?",),
    answers=("We hold three such contracts.",),
    outcome=Request.Outcome.GRANTED,
    topic="Imaging",
    by=TEST_DATA,
    **kwargs,
) -> Request:
    requester = requester or RequesterFactory(organisation=organisation)
    request = log_request(
        organisation=organisation,
        requester=requester,
        title=title,
        questions=list(questions),
        topic=topic,
        by=by,
        **kwargs,
    )
    for question, answer in zip(request.questions.order_by("number"), answers, strict=False):
        register_services.update_question(
            question=question, by=by, answer=answer, answer_kind="provided"
        )
    register_services.update_request(request=request, by=by, outcome=outcome)
    return register_services.change_status(request=request, to=Request.Status.RESPONDED, by=by)


def published_entry(*, organisation, by, **kwargs):
    """A response published by ``by`` (an FOI lead of ``organisation``)."""
    request = responded_request(organisation=organisation, by=by, **kwargs)
    return services.publish_response(request=request, by=by)


def published_with_every_register_block(organisation, officer, lead):
    """Question 2 carries a block of every register kind, over registers holding private
    rows with canaries in every field (``register_with_private_rows``)."""
    cf.register_with_private_rows(organisation=organisation)
    request = answered_request(organisation=organisation, officer=officer)
    question = request.questions.get(number=2)
    letter_services.review_blocks(
        blocks=[
            letter_services.add_block(question=question, block_type=key, params=params, by=officer)
            for key, params in cf.REGISTER_BLOCKS
        ],
        by=officer,
    )
    register_services.update_request(request=request, by=officer, outcome="granted")
    first = issued_response(request=request, officer=officer, lead=lead)
    request.refresh_from_db()
    return request, first, services.publish_response(request=request, by=lead)
