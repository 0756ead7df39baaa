"""Factories for the disclosure log: requests are logged, answered, responded to and
published through the services, as an FOI lead would."""

from __future__ import annotations

from foiregister.disclosure import services
from foiregister.requests import services as register_services
from foiregister.requests.models import Request
from tests.factories import TEST_DATA
from tests.factories.foiregister import RequesterFactory, log_request


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
