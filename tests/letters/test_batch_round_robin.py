"""A round robin answered once and issued as a batch across organisations, each
organisation's letters approved by its own FOI lead. Services only, no HTTP.

The cast: two bodies (A, the ICB, and B, the Trust), an FOI lead of each, and an FOI officer
of a support unit who does casework for both (a member of both bodies, the FOI officer role).
"""

import pytest

from foiregister.kernel.audit import AuditAction
from foiregister.kernel.models import AuditEvent
from foiregister.letters import selectors, services
from foiregister.letters.exceptions import LetterError
from foiregister.letters.models import BatchIssue, Letter
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import Request
from tests.factories import letters as f
from tests.factories.foiregister import OrganisationFactory
from tests.letters.batch_fixtures import *  # noqa: F403 (the fixtures)
from tests.letters.batch_fixtures import QUESTIONS_AS_B_TYPED_THEM, make_request

pytestmark = pytest.mark.django_db


def _letter(batch, request):
    return Letter.objects.get(batch=batch, request=request)


def test_officer_working_for_two_bodies_starts_one_batch_across_both(
    batch, organisation, other_organisation, target_a, targets_b
):
    assert set(batch.requests.all()) == {target_a, *targets_b}
    started = AuditEvent.objects.filter(action=AuditAction.LETTER_BATCH_STARTED)
    assert {e.organisation_id for e in started} == {
        str(organisation.pk),
        str(other_organisation.pk),
    }
    b_row = started.get(organisation_id=str(other_organisation.pk))
    assert sorted(b_row.changes["requests"]) == sorted(t.reference for t in targets_b)


def test_request_of_a_body_the_starter_has_no_role_in_is_refused(
    source, target_a, support_officer
):
    stranger = OrganisationFactory(name="Elsewhere Community Trust", ods_code="RYY")
    theirs = make_request(stranger)
    with pytest.raises(LetterError) as caught:
        services.start_batch_issue(
            source_request=source, requests=[target_a, theirs], by=support_officer
        )
    assert "no FOI casework role in Elsewhere Community Trust" in caught.value.message
    assert theirs.reference in caught.value.message
    assert not BatchIssue.objects.exists()


def test_a_mismatched_question_names_the_request_and_the_question(
    source, organisation, other_organisation, support_officer
):
    fine = make_request(other_organisation, support_officer, QUESTIONS_AS_B_TYPED_THEM)
    wrong = make_request(
        other_organisation,
        support_officer,
        [f.QUESTIONS[0], "Please list your mental health out-of-area placements.", f.QUESTIONS[2]],
    )
    short = make_request(organisation, support_officer, f.QUESTIONS[:2])
    with pytest.raises(ValidationFailed) as caught:
        services.start_batch_issue(
            source_request=source, requests=[fine, wrong, short], by=support_officer
        )
    message = caught.value.message
    assert f"{wrong.reference} question 2 differs from {source.reference}'s" in message
    assert f"{short.reference} has 2 questions, {source.reference} has 3" in message
    assert fine.reference not in message
    assert not BatchIssue.objects.exists()


def test_questions_differing_only_in_case_spacing_and_punctuation_match(source, targets_b):
    assert selectors.question_mismatches(source, targets_b[0]) == []


def test_every_letter_waits_for_its_own_lead_when_the_starter_leads_none(
    batch, target_a, targets_b
):
    services.run_batch_issue(batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.failed) == (BatchIssue.Status.WAITING, 0, 0)
    for request in (target_a, *targets_b):
        assert _letter(batch, request).status == Letter.Status.DRAFT
        assert Request.objects.get(pk=request.pk).status == Request.Status.IN_APPROVAL


def test_each_target_gets_the_answers_and_blocks_fetching_its_own_figures(
    batch, targets_b, lead_b, other_organisation
):
    services.run_batch_issue(batch=batch)
    services.approve_batch_letters(batch=batch, by=lead_b, organisation=other_organisation)
    services.run_batch_issue(batch=batch)
    content = _letter(batch, targets_b[0]).content
    q1, q2, q3 = content["questions"]
    assert q2["answer"].startswith("Diagnostic Healthcare Ltd")
    assert q3["answer_kind"] == "not_held"
    values = [row["value"] for block in q1["blocks"] for row in block["data"]["rows"]]
    assert "figure of RNA" in values  # the Trust's own, not the ICB's QNC


def test_lead_of_b_approves_b_letters_and_the_run_issues_only_those(
    batch, target_a, targets_b, lead_b, other_organisation, mailoutbox
):
    services.run_batch_issue(batch=batch)
    approved, refused = services.approve_batch_letters(
        batch=batch, by=lead_b, organisation=other_organisation
    )
    assert (len(approved), refused) == (2, [])
    issued = []
    services.run_batch_issue(batch=batch, on_issued=issued.append)
    batch.refresh_from_db()
    assert sorted(letter.request_id for letter in issued) == sorted(t.pk for t in targets_b)
    assert _letter(batch, target_a).status == Letter.Status.DRAFT
    assert (batch.status, batch.done) == (BatchIssue.Status.WAITING, 2)
    for request in targets_b:
        letter = _letter(batch, request)
        assert (letter.status, letter.approved_by) == (Letter.Status.ISSUED, lead_b)
        assert Request.objects.get(pk=request.pk).status == Request.Status.RESPONDED


def test_lead_of_a_can_never_approve_b_letters(batch, targets_b, lead_a, other_organisation):
    services.run_batch_issue(batch=batch)
    with pytest.raises(LetterError, match="lead-a is not an FOI lead of The Dudley Group"):
        services.approve_batch_letters(batch=batch, by=lead_a, organisation=other_organisation)
    with pytest.raises(LetterError, match="does not act for"):
        services.approve_letter(letter=_letter(batch, targets_b[0]), by=lead_a)
    assert not Letter.objects.filter(batch=batch, status=Letter.Status.APPROVED).exists()


def test_approving_a_mixed_selection_refuses_before_approving_anything(
    batch, target_a, targets_b, lead_b
):
    services.run_batch_issue(batch=batch)
    ids = [_letter(batch, target_a).pk, _letter(batch, targets_b[0]).pk]
    with pytest.raises(LetterError, match="lead-b is not an FOI lead of Staffordshire"):
        services.approve_batch_letters(batch=batch, by=lead_b, letters=ids)
    assert not Letter.objects.filter(batch=batch, status=Letter.Status.APPROVED).exists()


def test_an_officer_cannot_approve_batch_letters(batch, support_officer, other_organisation):
    services.run_batch_issue(batch=batch)
    with pytest.raises(LetterError, match="not an FOI lead"):
        services.approve_batch_letters(
            batch=batch, by=support_officer, organisation=other_organisation
        )


def test_a_lead_who_starts_approves_their_own_bodys_letters_at_start(
    source, target_a, lead_a, mailoutbox
):
    batch = services.start_batch_issue(
        source_request=source, requests=[target_a], by=lead_a, approve_own=True
    )
    services.run_batch_issue(batch=batch)
    batch.refresh_from_db()
    letter = _letter(batch, target_a)
    assert (batch.status, batch.done) == (BatchIssue.Status.DONE, 1)
    assert (letter.status, letter.approved_by) == (Letter.Status.ISSUED, lead_a)


def test_without_the_tick_a_lead_starters_letters_wait_too(source, target_a, lead_a):
    batch = services.start_batch_issue(source_request=source, requests=[target_a], by=lead_a)
    services.run_batch_issue(batch=batch)
    assert _letter(batch, target_a).status == Letter.Status.DRAFT


def test_an_officer_may_not_tick_approve_my_organisations_letters(
    source, target_a, support_officer
):
    with pytest.raises(ValidationFailed, match="is not an FOI lead"):
        services.start_batch_issue(
            source_request=source, requests=[target_a], by=support_officer, approve_own=True
        )


def test_the_target_s_open_response_draft_is_reused_not_doubled(
    source, targets_b, support_officer
):
    target = targets_b[0]
    draft = services.draft_letter(request=target, kind="response", by=support_officer)
    batch = services.start_batch_issue(
        source_request=source, requests=[target], by=support_officer
    )
    services.run_batch_issue(batch=batch)
    open_responses = Letter.objects.filter(
        request=target, kind="response", status__in=Letter.OPEN_STATUSES
    )
    assert list(open_responses.values_list("pk", flat=True)) == [draft.pk]
    assert _letter(batch, target).pk == draft.pk
    drafted = AuditEvent.objects.get(action=AuditAction.LETTER_BATCH_DRAFTED)
    assert drafted.changes["reused_draft"] is True


def test_a_draft_in_another_unfinished_batch_is_refused_at_start(
    batch, source, targets_b, support_officer
):
    services.run_batch_issue(batch=batch)
    with pytest.raises(
        ValidationFailed, match=f"{targets_b[0].reference}'s response draft is in batch {batch.pk}"
    ):
        services.start_batch_issue(
            source_request=source, requests=[targets_b[0]], by=support_officer
        )


def test_running_again_issues_only_what_is_approved_and_not_yet_issued(
    batch, target_a, targets_b, lead_a, lead_b, other_organisation, organisation
):
    services.run_batch_issue(batch=batch)
    services.approve_batch_letters(batch=batch, by=lead_b, organisation=other_organisation)
    services.run_batch_issue(batch=batch)
    services.run_batch_issue(batch=batch)
    issued = AuditEvent.objects.filter(action=AuditAction.LETTER_ISSUED)
    assert issued.count() == 2
    services.approve_batch_letters(batch=batch, by=lead_a, organisation=organisation)
    services.run_batch_issue(batch=batch)
    services.run_batch_issue(batch=batch)
    batch.refresh_from_db()
    assert issued.count() == 3
    assert Letter.objects.filter(batch=batch).count() == 3
    assert (batch.status, batch.done, batch.total) == (BatchIssue.Status.DONE, 3, 3)


def test_lead_of_b_returns_a_letter_to_the_officer(batch, targets_b, lead_b, other_organisation):
    services.run_batch_issue(batch=batch)
    letter = _letter(batch, targets_b[0])
    services.return_letter(letter=letter, by=lead_b, comment="Say which year.")
    rows = {r.request.pk: r for g in selectors.batch_progress(batch, lead_b) for r in g.rows}
    assert rows[targets_b[0].pk].state == "returned"
    assert rows[targets_b[0].pk].reason == "Say which year."
    assert Request.objects.get(pk=targets_b[0].pk).status == Request.Status.IN_PROGRESS
    assert AuditEvent.objects.filter(action=AuditAction.LETTER_RETURNED).count() == 1
    assert letter not in selectors.batch_letters_awaiting(lead_b)


def test_the_officers_answer_to_a_return_puts_it_back_before_the_lead(
    batch, targets_b, lead_b, support_officer
):
    services.run_batch_issue(batch=batch)
    letter = _letter(batch, targets_b[0])
    services.return_letter(letter=letter, by=lead_b, comment="Say which year.")
    services.comment_on_letter(letter=letter, by=support_officer, comment="2024/25 added.")
    assert letter in selectors.batch_letters_awaiting(lead_b)
    rows = {r.request.pk: r for g in selectors.batch_progress(batch, lead_b) for r in g.rows}
    assert rows[targets_b[0].pk].state == "awaiting"


def test_lead_of_a_cannot_return_b_letters(batch, targets_b, lead_a):
    services.run_batch_issue(batch=batch)
    with pytest.raises(LetterError, match="does not act for"):
        services.return_letter(letter=_letter(batch, targets_b[0]), by=lead_a, comment="No.")


def test_the_batch_page_shows_a_lead_only_their_organisations_requests(
    batch, target_a, targets_b, lead_b, support_officer, other_organisation
):
    services.run_batch_issue(batch=batch)
    assert batch in selectors.batches_visible_to(lead_b)
    groups = selectors.batch_progress(batch, lead_b)
    assert [g.organisation for g in groups] == [other_organisation]
    assert groups[0].viewer_leads
    assert {r.state for r in groups[0].rows} == {"awaiting"}
    assert "Awaiting approval by the FOI lead of The Dudley Group" in groups[0].rows[0].label
    officer_view = selectors.batch_progress(batch, support_officer)
    assert len(officer_view) == 2
    assert not any(g.viewer_leads for g in officer_view)


def test_letters_awaiting_a_leads_approval_are_theirs_only(batch, targets_b, lead_a, lead_b):
    services.run_batch_issue(batch=batch)
    mine = selectors.batch_letters_awaiting(lead_b)
    assert sorted(letter.request_id for letter in mine) == sorted(t.pk for t in targets_b)
    assert {
        letter.request.organisation_id for letter in selectors.batch_letters_awaiting(lead_a)
    } == {batch.source_request.organisation_id}


def test_a_failed_letter_is_named_with_its_reason_and_the_rest_go_on(
    batch, target_a, targets_b, support_officer, lead_b, other_organisation
):
    from foiregister.requests import services as register_services

    register_services.record_timeline_event(
        request=targets_b[1],
        kind="withdrawn",
        occurred_on=targets_b[1].received_at.date(),
        by=support_officer,
    )
    services.run_batch_issue(batch=batch)
    services.approve_batch_letters(batch=batch, by=lead_b, organisation=other_organisation)
    services.run_batch_issue(batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchIssue.Status.FAILED
    assert [e["request"] for e in batch.errors] == [targets_b[1].reference]
    rows = {r.request.pk: r for g in selectors.batch_progress(batch, lead_b) for r in g.rows}
    assert rows[targets_b[1].pk].state == "failed"
    assert rows[targets_b[1].pk].reason
    assert rows[targets_b[0].pk].state == "issued"
