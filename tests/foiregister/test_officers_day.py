"""The officer's day (issue 13): My work, the list's default, the case's clocks stated,
duplicates, reassignment, readable time and questions split out of the text.

Expected dates are counted by hand on the 2026 calendar (Sun 29 Nov 2026; Christmas Fri 25
Dec, Boxing Day's substitute Mon 28 Dec), as in ../shared/domain/foi-deadlines.md (beside the repository).
"""

import datetime
from decimal import Decimal

import pytest

from foiregister.kernel.models import AuditEvent
from foiregister.requests import selectors, services
from foiregister.requests.exceptions import TimelineError, ValidationFailed
from foiregister.requests.models import Request
from tests.conftest import member
from tests.factories.foiregister import log_request

D = datetime.date
pytestmark = pytest.mark.django_db
MY_WORK = "/admin/foiregister/request/my-work/"
LIST = "/admin/foiregister/request/"


def _event(request, kind, on, by, **kw):
    return services.record_timeline_event(request=request, kind=kind, occurred_on=on, by=by, **kw)


RESPONDED_ON = D(2026, 10, 30)


def _answered(organisation, by, *, regime="foi", responded_on=RESPONDED_ON, **kw):
    request = log_request(
        organisation=organisation, received_on=D(2026, 10, 1), by=by, regime=regime, **kw
    )
    _event(request, "response_sent", responded_on, by)
    return request


# -- "due this week" and My work ------------------------------------------------------------


@pytest.mark.parametrize("today", [D(2026, 11, 29)])
def test_due_this_week_on_a_sunday_includes_tuesdays_deadline(organisation, foi_officer, today):
    """Sun 29 Nov 2026: the working week ahead is five working days, Tue 1 to Mon 7 Dec
    (Mon 30 Nov is St Andrew's Day, a Scottish bank holiday, so not a working day). Received
    Mon 2 Nov: 3-6 Nov days 1-4, 9-13 5-9, 16-20 10-14, 23-27 15-19, Tue 1 Dec day 20.
    Received Mon 9 Nov: Tue 8 Dec, outside. A Monday-to-Sunday week (23-29 Nov) left
    Tuesday's out."""
    tuesday = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    later = log_request(organisation=organisation, received_on=D(2026, 11, 9), by=foi_officer)
    assert (tuesday.due_on, later.due_on) == (D(2026, 12, 1), D(2026, 12, 8))
    assert selectors.week_ahead(today) == (today, D(2026, 12, 7))
    due = selectors.due_or_late_this_week(Request.objects.all(), today=today)
    assert list(due) == [tuesday]


@pytest.mark.parametrize("today", [D(2026, 11, 29)])
def test_my_work_lists_my_cases_by_days_left_and_late_ones_this_week(
    organisation, other_organisation, foi_officer, today
):
    colleague = member(organisation, "FOI officer", "colleague")
    late = log_request(
        organisation=organisation, received_on=D(2026, 10, 1), by=foi_officer, assignee=foi_officer
    )
    soon = log_request(
        organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer, assignee=foi_officer
    )
    log_request(organisation=organisation, received_on=D(2026, 11, 2), assignee=colleague)
    log_request(organisation=other_organisation, received_on=D(2026, 11, 2))
    work = selectors.my_work(foi_officer, today=today)
    assert list(work.open_requests) == [late, soon]
    assert list(work.due_this_week) == [late, soon]
    assert not work.is_lead and work.team == []


def test_my_work_page_shows_an_officer_their_own_work_only(
    client, organisation, other_organisation, foi_officer
):
    mine = log_request(organisation=organisation, by=foi_officer, assignee=foi_officer)
    theirs = log_request(organisation=other_organisation, title="Another body's request")
    client.force_login(foi_officer)
    page = client.get(MY_WORK).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page and "Another body" not in page
    assert "The team's workload" not in page


def test_my_work_page_shows_a_lead_approvals_and_the_teams_load(
    client, organisation, foi_officer, foi_lead
):
    waiting = log_request(organisation=organisation, by=foi_officer, assignee=foi_officer)
    services.change_status(request=waiting, to="in_approval", by=foi_officer)
    client.force_login(foi_lead)
    page = client.get(MY_WORK).content.decode()
    assert "Awaiting my approval" in page and waiting.reference in page
    assert "The team&#x27;s workload" in page or "The team's workload" in page
    assert "officer" in page


def test_someone_without_casework_is_sent_to_the_index(client, commissioner):
    client.force_login(commissioner)
    response = client.get(MY_WORK)
    assert response.status_code == 302 and response.url == "/admin/"


@pytest.mark.parametrize("login", ["/admin/login/", "/admin/login/?next=/admin/"])
def test_signing_in_without_another_destination_lands_on_my_work(client, login):
    page = client.get(login).content.decode()
    assert f'name="next" value="{MY_WORK}"' in page


def test_signing_in_for_another_page_still_goes_there(client):
    page = client.get("/admin/login/?next=/admin/foiregister/request/").content.decode()
    assert 'name="next" value="/admin/foiregister/request/"' in page


def test_the_header_links_to_my_work(foi_officer_client):
    page = foi_officer_client.get(LIST).content.decode()
    assert f'href="{MY_WORK}"' in page


# -- the request list ---------------------------------------------------------------------


def test_the_list_opens_on_open_cases_not_closed_2023_ones(foi_officer_client, organisation):
    old = log_request(organisation=organisation, received_on=D(2023, 3, 1), title="Old case")
    officer = old.assignee or member(organisation, "FOI officer", "closer")
    _event(old, "response_sent", D(2023, 3, 20), officer)
    _event(old, "closed", D(2023, 4, 1), officer)
    current = log_request(organisation=organisation, received_on=D(2026, 11, 2), title="Current")
    page = foi_officer_client.get(LIST).content.decode()
    assert current.reference in page and old.reference not in page
    everything = foi_officer_client.get(LIST + "?state=all").content.decode()
    assert old.reference in everything


def test_the_list_shows_and_filters_an_internal_review_in_progress(
    foi_officer_client, organisation, foi_officer
):
    """Review requested Mon 2 Nov 2026: due Tue 1 Dec (20th working day)."""
    reviewed = _answered(organisation, foi_officer, title="Reviewed case")
    _event(reviewed, "review_requested", D(2026, 11, 2), foi_officer)
    plain = log_request(organisation=organisation, received_on=D(2026, 11, 2), title="Plain")
    page = foi_officer_client.get(LIST).content.decode()
    assert "In progress, due 01 Dec 2026" in page
    filtered = foi_officer_client.get(LIST + "?review=in_progress").content.decode()
    assert reviewed.reference in filtered and plain.reference not in filtered


# -- the case's clocks ----------------------------------------------------------------------


def test_an_eir_reconsideration_is_due_on_the_40th_working_day(organisation, foi_officer):
    """Asked Mon 2 Nov 2026: 20th Tue 1 Dec; 2-4 Dec 21-23, 7-11 24-28, 14-18 29-33, 21-24
    34-37, (25 and 28 Dec), 29-31 Dec 38-40: Thu 31 Dec 2026 (EIR reg 11(4))."""
    request = _answered(organisation, foi_officer, regime="eir")
    _event(request, "review_requested", D(2026, 11, 2), foi_officer)
    request.refresh_from_db()
    assert request.review_due_on == D(2026, 12, 31)


def test_an_foi_review_is_due_on_the_20th_working_day(organisation, foi_officer):
    request = _answered(organisation, foi_officer)
    _event(request, "review_requested", D(2026, 11, 2), foi_officer)
    request.refresh_from_db()
    assert request.review_due_on == D(2026, 12, 1)


def test_a_decided_review_shows_its_decision_not_review_due(
    foi_officer_client, organisation, foi_officer
):
    request = _answered(organisation, foi_officer)
    _event(request, "review_requested", D(2026, 11, 2), foi_officer)
    _event(request, "review_decided", D(2026, 11, 20), foi_officer, decision="upheld")
    request.refresh_from_db()
    assert request.review_decided_on == D(2026, 11, 20)
    assert selectors.review_state(request) == "decided"
    assert not selectors.internal_reviews_pending().filter(pk=request.pk).exists()
    page = foi_officer_client.get(f"{LIST}{request.pk}/change/").content.decode()
    assert "Internal review decided (upheld)" in page
    assert "Internal review due" not in page


def test_the_reviewer_may_not_be_the_responses_assignee(organisation, foi_officer):
    request = _answered(organisation, foi_officer, assignee=foi_officer)
    with pytest.raises(TimelineError) as exc:
        _event(request, "review_requested", D(2026, 11, 2), foi_officer, reviewer=foi_officer)
    assert exc.value.field == "reviewer"
    assert "the request's assignee" in exc.value.message
    assert "took no part in the original decision" in exc.value.message
    request.refresh_from_db()
    assert request.review_due_on is None  # nothing saved


def test_another_officer_is_named_reviewer_and_audited(organisation, foi_officer, foi_lead):
    request = _answered(organisation, foi_officer, assignee=foi_officer)
    _event(request, "review_requested", D(2026, 11, 2), foi_officer, reviewer=foi_lead)
    request.refresh_from_db()
    assert request.reviewer == foi_lead
    row = AuditEvent.objects.get(action="request.event.review_requested")
    assert row.changes["reviewer"] == [None, "lead"]


def test_a_reviewer_from_another_organisation_is_refused(
    organisation, other_organisation, foi_officer
):
    outsider = member(other_organisation, "FOI officer", "outsider")
    request = _answered(organisation, foi_officer)
    _event(request, "review_requested", D(2026, 11, 2), foi_officer)
    with pytest.raises(TimelineError) as exc:
        services.assign_reviewer(request=request, reviewer=outsider, by=foi_officer)
    assert "not an FOI officer or lead of" in exc.value.message


def test_ico_decision_notice_is_complied_with_in_35_calendar_days(
    foi_officer_client, organisation, foi_officer
):
    """Notice Mon 2 Nov 2026 + 35 days: 30 Nov is +28, so Mon 7 Dec 2026."""
    request = _answered(organisation, foi_officer, responded_on=D(2026, 10, 5))
    _event(request, "ico_complaint", D(2026, 10, 20), foi_officer, reference="IC-123456-A1B2")
    _event(request, "ico_decision", D(2026, 11, 2), foi_officer, reference="IC-123456-A1B2")
    request.refresh_from_db()
    assert request.ico_compliance_due_on == D(2026, 12, 7)
    page = foi_officer_client.get(f"{LIST}{request.pk}/change/").content.decode()
    assert "ICO decision notice IC-123456-A1B2" in page
    assert "Comply with the decision notice by (35 calendar days)" in page


def test_ico_decision_notice_with_its_own_compliance_date(organisation, foi_officer):
    request = _answered(organisation, foi_officer, responded_on=D(2026, 10, 5))
    _event(request, "ico_complaint", D(2026, 10, 20), foi_officer)
    _event(request, "ico_decision", D(2026, 11, 2), foi_officer, target_on=D(2026, 11, 30))
    request.refresh_from_db()
    assert request.ico_compliance_due_on == D(2026, 11, 30)


def test_after_a_pit_extension_lists_use_the_date_promised(organisation, foi_officer):
    """Received Mon 2 Nov 2026: statutory Tue 1 Dec, 40th working day Thu 31 Dec; the
    requester was promised Fri 18 Dec."""
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2))
    _event(request, "pit_extension", D(2026, 11, 20), foi_officer, target_on=D(2026, 12, 18))
    request.refresh_from_db()
    assert request.statutory_due_on == D(2026, 12, 1)
    assert request.extended_due_on == D(2026, 12, 31)
    assert request.due_on == D(2026, 12, 18)
    due = selectors.requests_due_within(today=D(2026, 12, 14), working_days=5)
    assert request in due  # Mon 14 + 5 working days = Mon 21 Dec; the 31st would not be


def test_while_a_fee_is_awaited_the_page_shows_days_used_left_and_lapse(
    foi_officer_client, organisation, foi_officer
):
    """Received Mon 2 Nov 2026, fees notice Mon 9 Nov: Tue 3 to Fri 6 Nov used (4), the
    notice day paused, 16 left; lapses three months after the notice, Tue 9 Feb 2027."""
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2))
    _event(request, "fees_notice", D(2026, 11, 9), foi_officer, fee_amount=Decimal("30"))
    clock = services.clock_for(request)
    assert (clock.fee_days_used, clock.fee_days_left) == (4, 16)
    assert clock.fee_lapses_on == D(2027, 2, 9)
    page = foi_officer_client.get(f"{LIST}{request.pk}/change/").content.decode()
    assert "4 working day(s) used, 16 left" in page
    assert "Tue 09 Feb 2027 (three months after the notice)" in page


# -- duplicates and reassignment ----------------------------------------------------------


def test_a_request_logged_twice_is_closed_as_a_duplicate_never_deleted(organisation, foi_officer):
    kept = log_request(organisation=organisation, title="Scanner contracts")
    twice = log_request(organisation=organisation, title="Scanner contracts")
    services.mark_duplicate(request=twice, of=kept, by=foi_officer, note="same email twice")
    twice.refresh_from_db()
    assert twice.status == Request.Status.DUPLICATE and twice.duplicate_of == kept
    assert not twice.is_open and twice.due_on is None
    assert Request.objects.filter(pk=twice.pk).exists()
    assert ("Repeated request", kept) in selectors.linked_requests(twice)
    row = AuditEvent.objects.get(action="request.marked_duplicate")
    assert row.changes["duplicate_of"] == kept.reference and row.actor == "officer"


def test_a_duplicate_of_another_organisations_request_is_refused(
    organisation, other_organisation, foi_officer
):
    ours = log_request(organisation=organisation)
    theirs = log_request(organisation=other_organisation)
    with pytest.raises(ValidationFailed) as exc:
        services.mark_duplicate(request=ours, of=theirs, by=foi_officer)
    assert exc.value.field == "duplicate_of"
    ours.refresh_from_db()
    assert ours.is_open


def test_a_lead_reassigns_an_officers_open_work_in_one_step(organisation, foi_officer, foi_lead):
    taker = member(organisation, "FOI officer", "taker")
    first = log_request(organisation=organisation, assignee=foi_officer)
    second = log_request(organisation=organisation, assignee=foi_officer)
    done = _answered(organisation, foi_officer, assignee=foi_officer)
    moved = services.reassign_open_work(from_user=foi_officer, to_user=taker, by=foi_lead)
    assert {r.pk for r in moved} == {first.pk, second.pk}
    done.refresh_from_db()
    assert done.assignee == foi_officer
    rows = AuditEvent.objects.filter(action="request.reassigned")
    assert {r.object_id for r in rows} == {str(first.pk), str(second.pk)}
    assert all(r.changes["assignee"] == ["officer", "taker"] for r in rows)


def test_work_is_not_reassigned_to_someone_without_casework(
    organisation, foi_officer, foi_lead, commissioner
):
    log_request(organisation=organisation, assignee=foi_officer)
    with pytest.raises(ValidationFailed) as exc:
        services.reassign_open_work(from_user=foi_officer, to_user=commissioner, by=foi_lead)
    assert "nothing was reassigned" in exc.value.message


def test_an_officer_cannot_open_the_reassignment_page(foi_officer_client):
    assert foi_officer_client.get(LIST + "reassign/").status_code == 403


# -- forms that fit -------------------------------------------------------------------------


def test_questions_are_split_out_of_numbered_and_bulleted_lists():
    text = (
        "Dear FOI team,\n\nPlease tell me:\n1. How many MRI scanners do you have?\n"
        "2) Who supplies them,\n   and when do the contracts end?\n\n"
        "Also:\n- What did you spend in 2024/25?\n* Do you plan a CDC?\n\nThanks"
    )
    assert services.questions_in_text(text) == [
        "How many MRI scanners do you have?",
        "Who supplies them, and when do the contracts end?",
        "What did you spend in 2024/25?",
        "Do you plan a CDC?",
    ]


def test_text_without_a_list_proposes_no_questions():
    assert services.questions_in_text("Please send me your imaging contracts.") == []


def test_confirmed_questions_are_numbered_after_the_existing_ones(
    foi_officer_client, organisation
):
    request = log_request(
        organisation=organisation, body="1. First thing?\n2. Second thing?\n3. Third?"
    )
    response = foi_officer_client.post(
        f"{LIST}{request.pk}/split-questions/", {"question": ["0", "2"]}
    )
    assert response.status_code == 302
    numbered = list(request.questions.values_list("number", "text"))
    assert numbered[1:] == [(2, "First thing?"), (3, "Third?")]


def test_a_time_entry_reads_as_a_line_and_the_page_totals_it(
    foi_officer_client, organisation, foi_officer
):
    foi_officer.first_name, foi_officer.last_name = "Asha", "Patel"
    foi_officer.save()
    request = log_request(organisation=organisation)
    entry = services.log_time(
        request=request,
        person=foi_officer,
        hours=Decimal("2.5"),
        activity="locating",
        worked_on=D(2026, 11, 3),
        by=foi_officer,
    )
    assert str(entry) == "Asha Patel, 03 Nov 2026, 2.5 h, Locating (s.12)"
    page = foi_officer_client.get(f"{LIST}{request.pk}/change/").content.decode()
    assert "TimeEntry object" not in page
    assert "2.50 of 18 hours" in page
    assert "15.50 hours left" in page


def test_the_assignee_picker_offers_only_caseworkers_of_our_organisations(
    foi_officer_client, organisation, other_organisation, commissioner
):
    member(other_organisation, "FOI officer", "outsider")
    page = foi_officer_client.get(LIST + "add/").content.decode()
    picker = page[
        page.index('name="assignee"') : page.index("</select>", page.index('name="assignee"'))
    ]
    assert ">officer<" in picker
    assert "commissioner" not in picker and "outsider" not in picker


def test_the_event_form_marks_which_fields_each_kind_needs_and_dates_today(
    foi_officer_client, organisation, today
):
    request = log_request(organisation=organisation)
    page = foi_officer_client.get(f"{LIST}{request.pk}/event/").content.decode()
    assert 'data-kinds="pit_extension ico_decision"' in page
    assert 'data-kinds="review_requested"' in page
    assert f'value="{today:%Y-%m-%d}"' in page


def test_the_internal_reviewer_is_reminded_of_the_review(organisation, foi_officer, foi_lead):
    """Review asked Mon 2 Nov 2026, due Tue 1 Dec; on Fri 27 Nov it is within five working
    days, so the reviewer (not only the assignee and leads) is told."""
    from django.core import mail

    reviewer = member(organisation, "FOI officer", "reviewer")
    reviewer.email = "reviewer@example.nhs.uk"
    reviewer.save()
    request = _answered(organisation, foi_officer, assignee=foi_officer)
    _event(request, "review_requested", D(2026, 11, 2), foi_officer, reviewer=reviewer)
    services.send_deadline_reminders(today=D(2026, 11, 27))
    to_reviewer = [m for m in mail.outbox if m.to == ["reviewer@example.nhs.uk"]]
    assert len(to_reviewer) == 1
    assert "internal review due Tue 01 Dec 2026" in to_reviewer[0].body
