"""Services: references, the clock from the timeline, validation with field names, audit."""

import datetime
from decimal import Decimal

import pytest

from foiregister.kernel.models import AuditEvent
from foiregister.requests import selectors, services
from foiregister.requests.exceptions import TimelineError, TransitionError, ValidationFailed
from foiregister.requests.models import Question, Request
from foiregister.requests.services import timeline as timeline_services
from tests.factories import TEST_DATA
from tests.factories.foiregister import (
    DepartmentFactory,
    OrganisationFactory,
    RequesterFactory,
    log_request,
    received,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def test_reference_follows_the_organisations_pattern(foi_officer):
    org = OrganisationFactory(reference_pattern="FOI/{mm}{yy}/{seq}", next_sequence=1434)
    request = log_request(organisation=org, received_on=D(2025, 9, 1), by=foi_officer)
    assert request.reference == "FOI/0925/1434"


def test_reference_numbers_are_never_reused(foi_officer):
    org = OrganisationFactory(reference_pattern="FOI-{seq:05d}", next_sequence=7)
    first = log_request(organisation=org, by=foi_officer)
    second = log_request(organisation=org, by=foi_officer)
    assert (first.reference, second.reference) == ("FOI-00007", "FOI-00008")
    org.refresh_from_db()
    assert org.next_sequence == 9


def test_reference_skips_a_number_already_taken(foi_officer):
    org = OrganisationFactory(reference_pattern="X-{seq}", next_sequence=1)
    log_request(organisation=org, by=foi_officer, reference="X-1")
    assert log_request(organisation=org, by=foi_officer).reference == "X-2"


def test_logged_request_has_its_due_date_and_audit_row(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    assert request.due_on == D(2026, 12, 1)
    assert request.status == Request.Status.RECEIVED
    row = AuditEvent.objects.get(action="request.logged", object_id=str(request.pk))
    assert row.actor == "officer"
    assert row.changes["due_on"] == "2026-12-01"


def test_request_received_late_at_night_london_time_is_received_that_day(foi_officer):
    # 23:30 UTC on Sat 6 Jun 2026 is 00:30 BST on Sun 7 Jun: received Sunday, due with Friday's.
    at = datetime.datetime(2026, 6, 5, 23, 30, tzinfo=datetime.UTC)
    request = log_request(received_at=at, by=foi_officer)
    assert request.clock_started_on == D(2026, 6, 6)


def test_future_receipt_is_refused_naming_the_field(foi_officer):
    with pytest.raises(ValidationFailed) as exc:
        log_request(received_on=D(2099, 1, 1), by=foi_officer)
    assert exc.value.field == "received_at"


def test_unknown_exemption_section_is_refused_and_nothing_saved(foi_officer):
    org = OrganisationFactory()
    before = Request.objects.count()
    with pytest.raises(ValidationFailed, match="unknown exemption section s99") as exc:
        log_request(
            organisation=org,
            by=foi_officer,
            questions=[
                services.QuestionInput(text="Q", answer_kind="exempt", exemption_codes=("s99",))
            ],
        )
    assert exc.value.field == "exemptions"
    assert Request.objects.count() == before


def test_qualified_exemption_needs_public_interest_reasoning(foi_officer):
    request = log_request(by=foi_officer)
    question = request.questions.get()
    with pytest.raises(ValidationFailed) as exc:
        services.update_question(
            question=question, by=foi_officer, answer_kind="exempt", exemption_codes=["s43_2"]
        )
    assert exc.value.field == "public_interest_reasoning"


def test_absolute_exemption_needs_no_public_interest_reasoning(foi_officer):
    question = log_request(by=foi_officer).questions.get()
    services.update_question(
        question=question,
        by=foi_officer,
        answer_kind="exempt",
        exemption_codes=["s40_2"],
        answer="Names withheld.",
    )
    assert list(question.exemptions.values_list("code", flat=True)) == ["s40_2"]


def test_answer_available_elsewhere_needs_its_link(foi_officer):
    question = log_request(by=foi_officer).questions.get()
    with pytest.raises(ValidationFailed) as exc:
        services.update_question(question=question, by=foi_officer, answer_kind="elsewhere")
    assert exc.value.field == "elsewhere_url"


def test_question_change_is_audited_field_by_field(foi_officer):
    question = log_request(by=foi_officer).questions.get()
    services.update_question(
        question=question,
        by=foi_officer,
        answer="None held.",
        answer_kind=Question.AnswerKind.NOT_HELD,
    )
    row = AuditEvent.objects.get(action="question.changed")
    assert row.changes["answer"] == ["", "None held."]
    assert row.changes["answer_kind"] == ["", "not_held"]


def test_clarification_received_before_it_was_sought_is_refused(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    with pytest.raises(TimelineError, match="before it was sought"):
        services.record_timeline_event(
            request=request,
            kind="clarification_received",
            occurred_on=D(2026, 11, 4),
            by=foi_officer,
        )
    assert not request.events.exists()


def test_response_before_receipt_is_refused_naming_the_date_field(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    with pytest.raises(TimelineError) as exc:
        services.record_timeline_event(
            request=request, kind="response_sent", occurred_on=D(2026, 10, 30), by=foi_officer
        )
    assert exc.value.field == "occurred_on"
    assert "before the request was received" in exc.value.message


def test_clarification_restarts_the_stored_due_date(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="clarification_sought", occurred_on=D(2026, 11, 4), by=foi_officer
    )
    request.refresh_from_db()
    assert request.status == Request.Status.AWAITING_CLARIFICATION
    assert request.due_on is None
    services.record_timeline_event(
        request=request, kind="clarification_received", occurred_on=D(2026, 11, 9), by=foi_officer
    )
    request.refresh_from_db()
    assert request.status == Request.Status.IN_PROGRESS
    assert request.due_on == D(2026, 12, 8)


def test_timeline_event_audit_rows_record_the_dates_they_moved(foi_officer):
    """FOIA s.10(1) and s.1(3): received Mon 2 Nov 2026, day 1 is Tue 3 Nov; 20 working days
    skipping Mon 30 Nov (St Andrew's Day, a Scottish bank holiday) end Tue 1 Dec. Seeking
    clarification on Wed 4 Nov stops the clock (no due date); it arrives Mon 9 Nov, the 20
    days start again on Tue 10 Nov and, skipping 30 Nov again, end Tue 8 Dec. Counted by
    hand."""
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    for kind, day in (
        ("clarification_sought", D(2026, 11, 4)),
        ("clarification_received", D(2026, 11, 9)),
    ):
        services.record_timeline_event(request=request, kind=kind, occurred_on=day, by=foi_officer)
    sought = AuditEvent.objects.get(action="request.event.clarification_sought")
    received_ = AuditEvent.objects.get(action="request.event.clarification_received")
    assert sought.changes["due_on"] == ["2026-12-01", None]
    assert sought.changes["status"] == ["received", "awaiting_clarification"]
    assert sought.changes["occurred_on"] == "2026-11-04"
    assert received_.changes["due_on"] == [None, "2026-12-08"]
    assert received_.changes["status"] == ["awaiting_clarification", "in_progress"]


def test_fee_notice_and_payment_pause_the_stored_due_date(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="fees_notice", occurred_on=D(2026, 11, 5), by=foi_officer
    )
    services.record_timeline_event(
        request=request, kind="fee_paid", occurred_on=D(2026, 11, 11), by=foi_officer
    )
    request.refresh_from_db()
    assert request.due_on == D(2026, 12, 8)


def test_pit_extension_needs_the_estimate_given(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    with pytest.raises(TimelineError) as exc:
        services.record_timeline_event(
            request=request, kind="pit_extension", occurred_on=D(2026, 11, 20), by=foi_officer
        )
    assert exc.value.field == "target_on"


def test_pit_extension_is_refused_for_eir(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), regime="eir", by=foi_officer)
    with pytest.raises(TimelineError, match="FOI requests only"):
        services.record_timeline_event(
            request=request,
            kind="pit_extension",
            occurred_on=D(2026, 11, 9),
            target_on=D(2026, 12, 20),
            by=foi_officer,
        )


def test_closed_request_cannot_go_back_to_in_progress(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="response_sent", occurred_on=D(2026, 11, 16), by=foi_officer
    )
    services.change_status(request=request, to=Request.Status.CLOSED, by=foi_officer)
    with pytest.raises(TransitionError, match="closed cannot become in progress"):
        services.change_status(request=request, to=Request.Status.IN_PROGRESS, by=foi_officer)


def test_internal_review_needs_a_response_first(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    with pytest.raises(TimelineError, match="needs a response"):
        services.record_timeline_event(
            request=request, kind="review_requested", occurred_on=D(2026, 11, 9), by=foi_officer
        )


def test_review_decision_must_say_upheld_or_overturned(foi_officer):
    request = log_request(received_on=D(2026, 10, 1), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="response_sent", occurred_on=D(2026, 10, 20), by=foi_officer
    )
    services.record_timeline_event(
        request=request, kind="review_requested", occurred_on=D(2026, 11, 2), by=foi_officer
    )
    with pytest.raises(TimelineError) as exc:
        services.record_timeline_event(
            request=request, kind="review_decided", occurred_on=D(2026, 11, 16), by=foi_officer
        )
    assert exc.value.field == "decision"
    request.refresh_from_db()
    # Asked Mon 2 Nov 2026: 3-27 Nov are days 1-19, 30 Nov skipped, Tue 1 Dec day 20.
    assert request.review_due_on == D(2026, 12, 1)


def test_adding_a_proclaimed_holiday_recomputes_open_requests_and_audits_it(foi_officer):
    open_request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    withdrawn = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.record_timeline_event(
        request=withdrawn, kind="withdrawn", occurred_on=D(2026, 11, 10), by=foi_officer
    )
    _, changed = services.add_proclaimed_holiday(
        date=D(2026, 11, 27), name="Proclaimed day", by=foi_officer
    )
    open_request.refresh_from_db()
    withdrawn.refresh_from_db()
    assert changed == 1
    assert open_request.due_on == D(2026, 12, 2)
    assert withdrawn.due_on == D(2026, 12, 1)
    assert AuditEvent.objects.filter(
        action="request.dates_recomputed", object_id=str(open_request.pk)
    ).exists()


def test_holiday_with_an_unknown_nation_is_refused(foi_officer):
    with pytest.raises(ValidationFailed) as exc:
        services.add_proclaimed_holiday(
            date=D(2026, 11, 27), name="x", nations="ENG,XYZ", by=foi_officer
        )
    assert exc.value.field == "nations"


def test_department_deadline_defaults_to_10_working_days_before_due(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    dept = DepartmentFactory(organisation=request.organisation)
    contribution = services.ask_department(
        request=request,
        department=dept,
        by=foi_officer,
        questions=request.questions.all(),
        asked_on=D(2026, 11, 3),
    )
    # Due Tue 1 Dec; counting back 27, 26, 25, 24, 23, 20, 19, 18, 17, 16 Nov (30 Nov is
    # St Andrew's Day): Mon 16 Nov.
    assert contribution.internal_due_on == D(2026, 11, 16)
    request.refresh_from_db()
    assert request.allocated_at is not None


def test_assigning_records_when_the_request_was_allocated(foi_officer):
    request = log_request(by=foi_officer)
    assert request.allocated_at is None
    services.update_request(request=request, assignee=foi_officer, by=foi_officer)
    assert services.allocation_delay(request) is not None


def test_s12_warning_as_hours_approach_the_limit(foi_officer):
    from foiregister.requests import selectors

    request = log_request(by=foi_officer)
    services.log_time(
        request=request,
        person=foi_officer,
        hours=Decimal("10"),
        activity="locating",
        worked_on=D(2025, 9, 2),
        by=foi_officer,
    )
    services.log_time(
        request=request,
        person=foi_officer,
        hours=Decimal("6"),
        activity="redacting",
        worked_on=D(2025, 9, 2),
        by=foi_officer,
    )
    assert selectors.s12_warning(request) == ""
    services.update_request(request=request, s12_estimate_hours=Decimal("5"), by=foi_officer)
    assert "approaching" in selectors.s12_warning(request)
    services.update_request(request=request, s12_estimate_hours=Decimal("9"), by=foi_officer)
    assert "over the appropriate limit" in selectors.s12_warning(request)


def test_link_is_shown_on_both_requests(foi_officer):
    from foiregister.requests import selectors

    a = log_request(by=foi_officer)
    b = log_request(organisation=a.organisation, by=foi_officer)
    services.link_requests(request=a, other=b, kind="round_robin", by=foi_officer)
    assert selectors.linked_requests(a) == [("Same round robin", b)]
    assert selectors.linked_requests(b) == [("Same round robin", a)]


def test_requester_of_another_organisation_is_refused(foi_officer):
    with pytest.raises(ValidationFailed) as exc:
        services.log_request(
            organisation=OrganisationFactory(),
            requester=RequesterFactory(),
            title="t",
            received_at=received(D(2025, 9, 1)),
            by=foi_officer,
        )
    assert exc.value.field == "requester"


def test_recomputation_reports_progress_per_chunk(foi_officer, monkeypatch):
    from foiregister.requests.models import DeadlineRecomputation

    monkeypatch.setattr(timeline_services, "RECOMPUTE_CHUNK", 2)
    org = OrganisationFactory()
    for _ in range(5):
        log_request(organisation=org, received_on=D(2026, 11, 2), by=foi_officer)
    services.add_proclaimed_holiday(
        date=D(2026, 11, 27), name="Proclaimed day", by=foi_officer, recompute=False
    )
    seen = []
    changed = services.recompute_due_dates(progress=lambda *a: seen.append(a), by=TEST_DATA)
    assert changed == 5
    assert seen == [(2, 5, 2), (4, 5, 4), (5, 5, 5)]
    job = services.queue_deadline_recomputation(reason="again", by=foi_officer)
    job = services.run_deadline_recomputation(recomputation_id=job.pk)
    assert (job.status, job.total, job.changed) == (DeadlineRecomputation.Status.DONE, 5, 0)


def test_holiday_moves_the_review_window_of_an_answered_request(foi_officer):
    """The requester's 40 working days to ask for a review are an in-flight deadline too.
    Responded Tue 10 Nov 2026: 11-13 Nov days 1-3, 16-20 4-8, 23-26 9-12, 27 Nov 13,
    (30 Nov St Andrew's), 1-4 Dec 14-17, 7-11 18-22, 14-18 23-27, 21-24 28-31, (25, 28 Dec),
    29-31 Dec 32-34, (1 Jan; Mon 4 Jan, Scotland's 2 January substitute), 5-8 Jan 35-38,
    Mon 11 Jan 39, Tue 12 Jan 2027 day 40. With 27 Nov proclaimed, day 40 is Wed 13 Jan."""
    today = D(2026, 11, 23)
    answered = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.record_timeline_event(
        request=answered, kind="response_sent", occurred_on=D(2026, 11, 10), by=foi_officer
    )
    answered.refresh_from_db()
    assert answered.review_window_closes_on == D(2027, 1, 12)
    services.add_proclaimed_holiday(
        date=D(2026, 11, 27), name="Proclaimed day", by=foi_officer, recompute=False
    )
    changed = services.recompute_due_dates(
        requests=selectors.requests_with_running_clocks(today=today), by=TEST_DATA
    )
    answered.refresh_from_db()
    assert changed == 1
    assert answered.review_window_closes_on == D(2027, 1, 13)


def test_status_responded_set_by_hand_records_the_response_and_opens_the_review_window(
    foi_officer,
):
    """Setting "responded" on the status page is the response being sent: the timeline,
    the stored response date and the requester's review window follow."""
    request = log_request(received_on=D(2026, 10, 1), by=foi_officer)
    services.change_status(
        request=request, to=Request.Status.RESPONDED, on=D(2026, 11, 2), by=foi_officer
    )
    request.refresh_from_db()
    assert request.status == Request.Status.RESPONDED
    assert request.responded_on == D(2026, 11, 2)
    assert request.review_window_closes_on == D(2026, 12, 31)
    assert request.events.get().kind == "response_sent"


def test_status_awaiting_clarification_set_by_hand_stops_the_clock(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.change_status(
        request=request,
        to=Request.Status.AWAITING_CLARIFICATION,
        on=D(2026, 11, 4),
        by=foi_officer,
    )
    request.refresh_from_db()
    assert request.due_on is None
    services.change_status(
        request=request, to=Request.Status.IN_PROGRESS, on=D(2026, 11, 9), by=foi_officer
    )
    request.refresh_from_db()
    # As test_clarification_restarts_the_stored_due_date: restarted Mon 9 Nov, due Tue 8 Dec.
    assert request.due_on == D(2026, 12, 8)
    assert [e.kind for e in request.events.all()] == [
        "clarification_sought",
        "clarification_received",
    ]


def test_status_pit_extended_needs_the_estimate_so_it_is_refused_on_the_status_page(
    foi_officer,
):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    with pytest.raises(TransitionError) as exc:
        services.change_status(request=request, to=Request.Status.PIT_EXTENDED, by=foi_officer)
    assert exc.value.field == "to"
    request.refresh_from_db()
    assert request.status == Request.Status.RECEIVED


def test_status_in_approval_is_a_plain_audited_step(foi_officer):
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.change_status(request=request, to=Request.Status.IN_APPROVAL, by=foi_officer)
    request.refresh_from_db()
    assert request.status == Request.Status.IN_APPROVAL
    assert not request.events.exists()
    row = AuditEvent.objects.get(action="request.status")
    assert row.changes["status"] == ["received", "in_approval"]


def test_scotland_only_proclaimed_day_moves_foi_but_not_sar(foi_officer):
    """FOIA s.10(6) counts a bank holiday in any part of the UK; a SAR's month-end move uses
    England and Wales days only (the ICO's reading). Pretend Tue 1 Dec 2026 is proclaimed
    for Scotland only.
    FOI received Mon 2 Nov 2026: day 20 was Tue 1 Dec; now 1 Dec is skipped, so Wed 2 Dec.
    SAR received Sun 1 Nov 2026: corresponding date Tue 1 Dec 2026, a working day in England
    and Wales, so it stays."""
    foi = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    sar = log_request(received_on=D(2026, 11, 1), regime="sar", by=foi_officer)
    assert (foi.due_on, sar.due_on) == (D(2026, 12, 1), D(2026, 12, 1))
    services.add_proclaimed_holiday(
        date=D(2026, 12, 1), name="Proclaimed for Scotland", nations="SCT", by=foi_officer
    )
    foi.refresh_from_db()
    sar.refresh_from_db()
    assert foi.due_on == D(2026, 12, 2)
    assert sar.due_on == D(2026, 12, 1)


def test_department_asked_while_awaiting_clarification_needs_its_deadline_given(foi_officer):
    """Clarification restarts the clock, so the date it would have been due is no base for a
    department's deadline: there is none until the clarification arrives."""
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="clarification_sought", occurred_on=D(2026, 11, 3), by=foi_officer
    )
    request.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.ask_department(
            request=request,
            department=DepartmentFactory(organisation=request.organisation),
            questions=request.questions.all(),
            asked_on=D(2026, 11, 4),
            by=foi_officer,
        )
    assert exc.value.field == "internal_due_on"


def test_closing_dated_before_the_response_is_refused_naming_the_date(foi_officer):
    request = log_request(received_on=D(2026, 10, 1), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="response_sent", occurred_on=D(2026, 11, 2), by=foi_officer
    )
    with pytest.raises(TimelineError) as exc:
        services.record_timeline_event(
            request=request, kind="closed", occurred_on=D(2026, 10, 20), by=foi_officer
        )
    assert exc.value.field == "occurred_on"
    assert "before the response sent already recorded on 02 Nov 2026" in exc.value.message
    request.refresh_from_db()
    assert request.status == Request.Status.RESPONDED


def test_clarification_moves_a_departments_default_deadline_but_not_a_chosen_one(foi_officer):
    """Asked Tue 3 Nov 2026 with the request due Tue 1 Dec: default Mon 16 Nov (see
    test_department_deadline_defaults_to_10_working_days_before_due). Clarification sought
    Wed 4 Nov and received Mon 9 Nov: due Tue 8 Dec; 10 working days before: 7, 4, 3, 2,
    1 Dec, (30 Nov), 27, 26, 25, 24, 23 Nov -> Mon 23 Nov."""
    request = log_request(received_on=D(2026, 11, 2), by=foi_officer)
    default = services.ask_department(
        request=request,
        department=DepartmentFactory(organisation=request.organisation),
        questions=request.questions.all(),
        asked_on=D(2026, 11, 3),
        by=foi_officer,
    )
    chosen = services.ask_department(
        request=request,
        department=DepartmentFactory(organisation=request.organisation),
        questions=request.questions.all(),
        asked_on=D(2026, 11, 3),
        internal_due_on=D(2026, 11, 13),
        by=foi_officer,
    )
    for kind, day in (("clarification_sought", 4), ("clarification_received", 9)):
        services.record_timeline_event(
            request=request, kind=kind, occurred_on=D(2026, 11, day), by=foi_officer
        )
    default.refresh_from_db()
    chosen.refresh_from_db()
    assert default.internal_due_on == D(2026, 11, 23)
    assert chosen.internal_due_on == D(2026, 11, 13)


# -- requesters: written through the service, audited without their details ---------------

CANARY = {
    "name": "Canary Requester Quill",
    "email": "canary.quill@example.invalid",
    "postal_address": "Rosebank Cottage, Little Canarby",
    "telephone": "01632 960 999",
}


def _no_canary_in(rows):
    text = repr([(r.object_repr, r.changes, r.note) for r in rows])
    for value in CANARY.values():
        assert value not in text


def test_creating_a_requester_audits_which_fields_were_given_not_their_values(
    organisation, foi_officer
):
    requester = services.create_requester(organisation=organisation, by=foi_officer, **CANARY)
    row = AuditEvent.objects.get(action="requester.created", object_id=str(requester.pk))
    assert row.changes == {"fields": ["email", "name", "postal_address", "telephone"]}
    _no_canary_in([row])


def test_changing_a_requester_audits_which_fields_changed_not_their_values(
    organisation, foi_officer
):
    requester = services.create_requester(
        organisation=organisation, name="A Requester", email="a@example.invalid", by=foi_officer
    )
    services.update_requester(
        requester=requester, by=foi_officer, name=CANARY["name"], email="a@example.invalid",
        postal_address=CANARY["postal_address"],
    )  # fmt: skip
    requester.refresh_from_db()
    assert (requester.name, requester.postal_address) == (
        CANARY["name"],
        CANARY["postal_address"],
    )
    row = AuditEvent.objects.get(action="requester.changed", object_id=str(requester.pk))
    assert row.changes == {"fields": ["name", "postal_address"]}
    _no_canary_in(AuditEvent.objects.all())


def test_a_requester_change_that_changes_nothing_writes_no_audit_row(organisation, foi_officer):
    requester = services.create_requester(organisation=organisation, name="Same", by=foi_officer)
    services.update_requester(requester=requester, by=foi_officer, name="Same")
    assert not AuditEvent.objects.filter(action="requester.changed").exists()


def test_a_requester_field_the_service_does_not_know_is_refused(organisation, foi_officer):
    requester = services.create_requester(organisation=organisation, name="R", by=foi_officer)
    with pytest.raises(ValidationFailed) as exc:
        services.update_requester(requester=requester, by=foi_officer, pk=99)
    assert "pk" in exc.value.message
