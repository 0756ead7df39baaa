"""From an uploaded email to a logged request, a logged reply, or nothing lost."""

import datetime
from pathlib import Path

import pytest

from foiregister.intake import selectors, services
from foiregister.intake.exceptions import IntakeError
from foiregister.intake.models import InboundMessage
from foiregister.kernel import audit
from foiregister.requests import services as request_services
from foiregister.requests.models import Request, RequestEvent, RequestLink

EMAILS = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"
BY = audit.system("tests")


def _receive(organisation, name, replace=None):
    raw = (EMAILS / name).read_bytes()
    for old, new in (replace or {}).items():
        raw = raw.replace(old.encode(), new.encode())
    return services.receive_message(organisation=organisation, raw=raw, filename=name, by=BY)


def _log(message, **overrides):
    fields = {
        "title": message.subject,
        "body": message.body,
        "questions": services.draft_questions(message),
        "requester_name": message.sender_name,
        "requester_email": message.sender_email,
        **overrides,
    }
    return services.log_request_from_message(message=message, by=BY, **fields)


@pytest.mark.django_db
def test_a_new_request_is_drafted_with_its_questions(organisation):
    message, created = _receive(organisation, "new_request_plain.eml")
    assert created and message.status == InboundMessage.Status.NEW_REQUEST
    assert services.draft_questions(message) == [
        "How many Physician Associates are currently employed by your organisation?",
        "Please provide copies of any policies regarding physician associates in your "
        "organisation, for example on scope of practice and supervision.",
        "Please provide details of any patient safety incidents where the clinician "
        "involved was a Physician Associate.",
    ]


@pytest.mark.django_db
def test_the_same_message_twice_makes_one_request(organisation):
    first, _ = _receive(organisation, "new_request_plain.eml")
    _log(first)
    again, created = _receive(organisation, "new_request_plain.eml")
    assert not created and again.pk == first.pk
    assert Request.objects.filter(organisation=organisation).count() == 1


@pytest.mark.django_db
def test_the_logged_request_was_received_when_the_message_was_sent(organisation):
    message, _ = _receive(organisation, "new_request_html.eml")
    request = _log(message)
    # 23:30 on 2 September at +01:00 is 2 September in London: received that day
    assert request.received_at == datetime.datetime(2025, 9, 2, 22, 30, tzinfo=datetime.UTC)
    assert request.channel == Request.Channel.EMAIL


@pytest.mark.django_db
def test_the_sender_goes_only_into_the_private_requester_fields(organisation):
    message, _ = _receive(organisation, "new_request_plain.eml")
    request = _log(message)
    assert (request.requester.name, request.requester.email) == (
        "Alex Example",
        "alex.example@example.invalid",
    )
    assert "alex.example" not in request.body and "Alex Example" not in request.body
    assert "Alex Example" not in request.title


@pytest.mark.django_db
def test_attachments_go_into_the_case_file(organisation):
    message, _ = _receive(organisation, "new_request_html.eml")
    request = _log(message)
    assert [a.filename for a in selectors.case_file(request)] == ["earlier-letter.pdf"]


@pytest.mark.django_db
def test_a_malformed_message_is_kept_with_its_error_and_can_be_retried(organisation):
    message, _ = _receive(organisation, "no_date.eml")
    assert message.status == InboundMessage.Status.FAILED
    assert message.error == "no_date.eml, header Date: missing"
    assert bytes(message.raw) == (EMAILS / "no_date.eml").read_bytes()
    again = services.retry_message(message=message, by=BY)
    assert again.status == InboundMessage.Status.FAILED
    assert InboundMessage.objects.filter(organisation=organisation).count() == 1


@pytest.mark.django_db
def test_a_reply_in_the_thread_is_offered_and_logged_as_clarification_received(
    organisation, foi_officer
):
    first, _ = _receive(organisation, "new_request_plain.eml")
    request = _log(first)
    request_services.record_timeline_event(
        request=request,
        kind=RequestEvent.Kind.CLARIFICATION_SOUGHT,
        occurred_on=datetime.date(2025, 9, 4),
        by=foi_officer,
    )
    reply, _ = _receive(organisation, "clarification_reply.eml")
    assert reply.status == InboundMessage.Status.CORRESPONDENCE
    assert (reply.kind, reply.matched_request) == (InboundMessage.Kind.CLARIFICATION, request)
    services.confirm_correspondence(
        message=reply, kind=InboundMessage.Kind.CLARIFICATION, by=foi_officer
    )
    event = RequestEvent.objects.get(
        request=request, kind=RequestEvent.Kind.CLARIFICATION_RECEIVED
    )
    assert event.occurred_on == datetime.date(2025, 9, 5)
    assert [m.pk for m in selectors.correspondence(request)] == [first.pk, reply.pk]


@pytest.mark.django_db
def test_a_reference_in_the_subject_offers_an_internal_review(organisation):
    first, _ = _receive(organisation, "new_request_plain.eml")
    request = _log(first)
    review, _ = _receive(organisation, "review_request.eml", {"FOI/0925/0001": request.reference})
    assert (review.kind, review.matched_request) == (InboundMessage.Kind.REVIEW, request)


@pytest.mark.django_db
def test_an_automatic_reply_is_ignored_on_one_click(organisation):
    message, _ = _receive(organisation, "out_of_office.eml")
    assert message.kind == InboundMessage.Kind.AUTO_REPLY
    services.confirm_correspondence(message=message, kind=InboundMessage.Kind.AUTO_REPLY, by=BY)
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.IGNORED
    assert not RequestEvent.objects.exists()


@pytest.mark.django_db
def test_a_message_cannot_be_logged_twice(organisation):
    message, _ = _receive(organisation, "new_request_plain.eml")
    _log(message)
    with pytest.raises(IntakeError, match="is logged, not a new request"):
        _log(message)


@pytest.mark.django_db
def test_a_request_with_no_questions_is_refused_and_nothing_is_written(organisation):
    message, _ = _receive(organisation, "new_request_plain.eml")
    with pytest.raises(IntakeError, match="at least one question"):
        _log(message, questions=["  "])
    assert not Request.objects.exists()
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.NEW_REQUEST


@pytest.mark.django_db
def test_an_earlier_copy_of_the_round_robin_is_found_with_its_answers(organisation):
    first, _ = _receive(organisation, "new_request_plain.eml")
    earlier = _log(first)
    question = earlier.questions.get(number=1)
    question.answer = "Four whole-time equivalent."
    question.save()
    copy, _ = _receive(
        organisation,
        "new_request_plain.eml",
        {"pa-request-1": "pa-request-2", "Alex Example": "Jo Other", "alex.example": "jo.other"},
    )
    found = selectors.earlier_requests_like(
        text=copy.body, questions=services.draft_questions(copy), organisation=organisation
    )
    assert [e.request for e in found] == [earlier]
    assert found[0].round_robin
    assert found[0].questions[0].earlier_answer == "Four whole-time equivalent."
    later = _log(copy)
    services.group_round_robin(request=later, earlier=earlier, by=BY)
    assert RequestLink.objects.get(from_request=later).kind == RequestLink.Kind.ROUND_ROBIN


@pytest.mark.django_db
def test_another_organisations_requests_are_not_offered(organisation, other_organisation):
    first, _ = _receive(other_organisation, "new_request_plain.eml")
    _log(first)
    copy, _ = _receive(organisation, "new_request_plain.eml")
    assert (
        selectors.earlier_requests_like(text=copy.body, questions=[], organisation=organisation)
        == []
    )


@pytest.mark.django_db
def test_a_request_logged_by_hand_is_found_by_the_next_copy_of_its_round_robin(organisation):
    """Logged in the admin (not from the mailbox), then questions added and edited: the
    emailed copy that arrives later still finds it, with no `index_requests` run."""
    copy, _ = _receive(organisation, "new_request_plain.eml")
    by_hand = request_services.log_request(
        organisation=organisation,
        requester=None,
        title="Physician associates",
        received_at=copy.received_at - datetime.timedelta(days=30),
        body="A request typed in from a letter.",
        questions=["How many staff work in the estates team?"],
        by=BY,
    )
    lookup = {"text": copy.body, "questions": [], "organisation": organisation}
    assert selectors.earlier_requests_like(**lookup) == []
    first = by_hand.questions.get(number=1)
    request_services.update_request(request=by_hand, by=BY, body=copy.body)
    request_services.update_question(question=first, by=BY, text="Changed wording")
    assert [e.request for e in selectors.earlier_requests_like(**lookup)] == [by_hand]


@pytest.mark.django_db
def test_the_officer_who_logs_a_message_is_its_assignee(organisation, foi_officer):
    message, _ = _receive(organisation, "new_request_plain.eml")
    request = services.log_request_from_message(
        message=message,
        by=foi_officer,
        title=message.subject,
        body=message.body,
        questions=services.draft_questions(message),
        requester_name=message.sender_name,
        requester_email=message.sender_email,
    )
    assert request.assignee == foi_officer
    assert _log(_receive(organisation, "new_request_html.eml")[0]).assignee is None  # system


@pytest.mark.django_db
def test_an_earlier_answer_given_only_by_its_kind_reads_as_that_kind(organisation):
    first, _ = _receive(organisation, "new_request_plain.eml")
    earlier = _log(first)
    question = earlier.questions.get(number=1)
    question.answer, question.answer_kind = "", "not_held"
    question.save()
    copy, _ = _receive(organisation, "new_request_plain.eml", {"pa-request-1": "pa-request-3"})
    found = selectors.earlier_requests_like(
        text=copy.body, questions=services.draft_questions(copy), organisation=organisation
    )
    assert found[0].questions[0].earlier_answer == "(Not held)"
