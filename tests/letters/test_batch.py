"""Batch issue: a round robin answered once, issued for many requests, never twice."""

import pytest

from foiregister.letters import services, tasks
from foiregister.letters.models import BatchIssue, Letter, LetterDocument
from foiregister.requests import services as register_services
from foiregister.requests.models import Request
from tests.factories import letters as f
from tests.factories.foiregister import RequesterFactory, log_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_robin(organisation, foi_officer):
    source = f.answered_request(organisation=organisation, officer=foi_officer)
    targets = [
        log_request(
            organisation=organisation,
            requester=RequesterFactory(organisation=organisation),
            by=foi_officer,
            questions=f.QUESTIONS,
        )
        for _ in range(3)
    ]
    return source, targets


def test_batch_issues_a_letter_for_every_request(
    round_robin, foi_lead, django_capture_on_commit_callbacks, mailoutbox
):
    source, targets = round_robin
    batch = services.start_batch_issue(
        source_request=source, requests=targets, by=foi_lead, approve_own=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_batch_issue.delay(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.failed) == ("done", 3, 3, 0)
    letters = Letter.objects.filter(batch=batch, status="issued")
    assert sorted(letters.values_list("request_id", flat=True)) == sorted(t.pk for t in targets)
    assert LetterDocument.objects.filter(letter__batch=batch).count() == 6
    assert len(mailoutbox) == 3
    q1 = letters.first().content["questions"][0]
    assert q1["blocks"][0]["data"]["rows"][0]["value"] == "£3,091,519"


def test_rerunning_a_batch_does_not_issue_twice(round_robin, foi_lead):
    source, targets = round_robin
    batch = services.start_batch_issue(
        source_request=source, requests=targets, by=foi_lead, approve_own=True
    )
    services.run_batch_issue(batch=batch)
    services.run_batch_issue(batch=batch)
    assert Letter.objects.filter(batch=batch).count() == 3
    batch.refresh_from_db()
    assert (batch.status, batch.done) == ("done", 3)


def test_failure_part_way_leaves_each_letter_issued_or_not_at_all(
    round_robin, foi_officer, foi_lead
):
    source, targets = round_robin
    # A withdrawn request cannot be responded to: its letter must fail, whole.
    register_services.record_timeline_event(
        request=targets[1],
        kind="withdrawn",
        occurred_on=targets[1].received_at.date(),
        by=foi_officer,
    )
    batch = services.start_batch_issue(
        source_request=source, requests=targets, by=foi_lead, approve_own=True
    )
    services.run_batch_issue(batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.failed) == ("failed", 2, 1)
    assert batch.errors[0]["request"] == targets[1].reference
    assert not Letter.objects.filter(request=targets[1]).exists()
    assert not LetterDocument.objects.filter(letter__request=targets[1]).exists()
    assert Request.objects.get(pk=targets[1].pk).responded_on is None
    assert Letter.objects.filter(batch=batch, status="issued").count() == 2


def test_batch_refuses_requests_with_different_questions(organisation, foi_officer, foi_lead):
    from foiregister.requests.exceptions import ValidationFailed

    source = f.answered_request(organisation=organisation, officer=foi_officer)
    other = log_request(organisation=organisation, by=foi_officer, questions=["Something else?"])
    with pytest.raises(ValidationFailed, match="has 1 questions"):
        services.start_batch_issue(source_request=source, requests=[other], by=foi_lead)
    assert not BatchIssue.objects.exists()
