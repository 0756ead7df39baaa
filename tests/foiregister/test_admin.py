"""The officers' screens: scoping, the changelist, the request page and its forms."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from foiregister import services
from foiregister.models import Request, RequestEvent
from tests.factories.foiregister import OrganisationFactory, RequesterFactory, log_request

D = datetime.date
pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/foiregister/request/"


def test_officer_sees_only_their_organisations_requests(
    foi_officer_client, organisation, foi_officer
):
    mine = log_request(organisation=organisation, title="Ours", by=foi_officer)
    theirs = log_request(organisation=OrganisationFactory(), title="Theirs", by=foi_officer)
    page = foi_officer_client.get(CHANGELIST).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page
    assert foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[theirs.pk])
    ).status_code in (302, 404)


def test_commissioner_cannot_open_the_request_register(
    commissioner_client, organisation, foi_officer
):
    log_request(organisation=organisation, by=foi_officer)
    assert commissioner_client.get(CHANGELIST).status_code == 403


def test_requester_details_are_shown_to_officers_of_the_organisation(
    foi_officer_client, organisation, foi_officer
):
    requester = RequesterFactory(organisation=organisation, name="Canary Requester Name")
    request = log_request(requester=requester, by=foi_officer)
    page = foi_officer_client.get(reverse("admin:foiregister_request_change", args=[request.pk]))
    assert "Canary Requester Name" in page.content.decode()


def test_changelist_marks_late_and_due_soon_requests(
    foi_officer_client, organisation, foi_officer
):
    from foiregister import calendar, selectors

    today = selectors.local_today()
    cal = selectors.working_day_calendar()
    log_request(
        organisation=organisation,
        received_on=calendar.subtract_working_days(today, 25, calendar=cal),
        title="Late one",
        by=foi_officer,
    )
    log_request(
        organisation=organisation,
        received_on=calendar.subtract_working_days(today, 17, calendar=cal),
        title="Amber one",
        by=foi_officer,
    )
    log_request(organisation=organisation, received_on=today, title="Fresh one", by=foi_officer)
    page = foi_officer_client.get(CHANGELIST).content.decode()
    assert page.count('class="foi-late"') == 1
    assert page.count('class="foi-due_soon"') == 1
    assert page.count('class="foi-on_time"') == 1
    overdue = foi_officer_client.get(CHANGELIST + "?deadline=overdue").content.decode()
    assert "Late one" in overdue and "Amber one" not in overdue


def test_changelist_query_count_does_not_grow_with_rows(
    foi_officer_client, organisation, foi_officer
):
    for _ in range(3):
        log_request(organisation=organisation, by=foi_officer, assignee=foi_officer)
    with CaptureQueriesContext(connection) as few:
        foi_officer_client.get(CHANGELIST)
    for _ in range(12):
        log_request(organisation=organisation, by=foi_officer, assignee=foi_officer)
    with CaptureQueriesContext(connection) as many:
        foi_officer_client.get(CHANGELIST)
    assert len(many) == len(few)


def test_search_finds_question_text(foi_officer_client, organisation, foi_officer):
    log_request(
        organisation=organisation,
        by=foi_officer,
        questions=["How many MRI scanners does the CDC have?"],
        title="CDC question",
    )
    page = foi_officer_client.get(CHANGELIST + "?q=scanners").content.decode()
    assert "CDC question" in page


def test_record_event_form_shows_the_services_error_on_the_field(
    foi_officer_client, organisation, foi_officer
):
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    url = reverse("admin:foiregister_request_record_event", args=[request.pk])
    response = foi_officer_client.post(
        url, {"kind": "clarification_received", "occurred_on": "2026-11-04"}
    )
    assert response.status_code == 200
    assert "clarification received before it was sought" in response.content.decode()
    assert not RequestEvent.objects.exists()


def test_record_event_form_records_and_redirects(foi_officer_client, organisation, foi_officer):
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    url = reverse("admin:foiregister_request_record_event", args=[request.pk])
    response = foi_officer_client.post(url, {"kind": "acknowledged", "occurred_on": "2026-11-03"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Request.Status.ACKNOWLEDGED


def test_request_page_explains_the_due_date(foi_officer_client, organisation, foi_officer):
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[request.pk])
    ).content.decode()
    assert "Day 1: Tue 03 Nov 2026" in page
    assert "Saint Andrew" in page
    assert "Due: Tue 01 Dec 2026" in page


def test_officer_logs_a_request_with_questions_through_the_admin(
    foi_officer_client, organisation, foi_officer
):
    requester = RequesterFactory(organisation=organisation)
    data = {
        "organisation": organisation.pk,
        "requester": requester.pk,
        "regime": "foi",
        "received_at_0": "2026-11-02",
        "received_at_1": "09:00",
        "channel": "email",
        "title": "CDC utilisation",
        "body": "",
        "topic": "",
        "assignee": "",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-number": "1",
        "questions-0-text": "What is the MRI utilisation?",
        "questions-0-answer_kind": "",
        "questions-0-answer": "",
        "questions-0-elsewhere_url": "",
        "questions-0-public_interest_reasoning": "",
    }
    for prefix in ("contributions", "time_entries", "links_out", "events"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = foi_officer_client.post(reverse("admin:foiregister_request_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    request = Request.objects.get(title="CDC utilisation")
    assert request.due_on == D(2026, 12, 1)
    assert list(request.questions.values_list("text", flat=True)) == [
        "What is the MRI utilisation?"
    ]


def test_no_role_can_delete_a_request(foi_officer_client, organisation, foi_officer):
    request = log_request(organisation=organisation, by=foi_officer)
    url = reverse("admin:foiregister_request_delete", args=[request.pk])
    assert foi_officer_client.post(url, {"post": "yes"}).status_code == 403
    assert Request.objects.filter(pk=request.pk).exists()


def test_holiday_added_in_admin_moves_open_deadlines_through_a_queued_job(
    client, organisation, foi_officer, administrator, django_capture_on_commit_callbacks
):
    from foiregister.models import DeadlineRecomputation

    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/admin/foiregister/proclaimedholiday/add/",
            {
                "date": "2026-11-27",
                "name": "Proclaimed day",
                "nations": "ENG,WLS,SCT,NIR",
                "source": "test",
            },
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    request.refresh_from_db()
    assert request.due_on == D(2026, 12, 2)
    job = DeadlineRecomputation.objects.get()
    assert (job.status, job.total, job.done, job.changed) == ("done", 1, 1, 1)
    progress = client.get("/admin/foiregister/deadlinerecomputation/").content.decode()
    assert "1 of 1 open requests (100%)" in progress


def test_request_received_in_the_future_is_refused_on_the_field(foi_officer_client, organisation):
    requester = RequesterFactory(organisation=organisation)
    data = {
        "organisation": organisation.pk,
        "requester": requester.pk,
        "regime": "foi",
        "received_at_0": "2099-11-02",
        "received_at_1": "09:00",
        "channel": "email",
        "title": "From the future",
    }
    for prefix in ("questions", "contributions", "time_entries", "links_out", "events"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = foi_officer_client.post(reverse("admin:foiregister_request_add"), data)
    assert response.status_code == 200
    assert "which is in the future" in response.content.decode()
    assert not Request.objects.filter(title="From the future").exists()


def test_question_change_shows_in_the_request_history(
    foi_officer_client, organisation, foi_officer
):
    request = log_request(organisation=organisation, by=foi_officer)
    services.update_question(
        question=request.questions.get(),
        by=foi_officer,
        answer="Answer text",
        answer_kind="provided",
    )
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[request.pk])
    ).content.decode()
    assert "question.changed" in page


def test_holiday_with_unknown_nation_is_refused_on_the_field(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/admin/foiregister/proclaimedholiday/add/",
        {"date": "2026-11-27", "name": "x", "nations": "ENG,XYZ", "source": ""},
    )
    assert response.status_code == 200
    assert "unknown nation XYZ" in response.content.decode()


def test_editing_a_request_in_the_admin_is_audited_with_old_and_new(
    foi_officer_client, organisation, foi_officer
):
    from foiregister.models import AuditEvent

    request = log_request(organisation=organisation, title="Old title", by=foi_officer)
    page = foi_officer_client.get(reverse("admin:foiregister_request_change", args=[request.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"title": "New title", "assignee": "", "outcome": ""})
    question = request.questions.get()
    data.update(
        {
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": question.pk,
            "questions-0-request": request.pk,
            "questions-0-number": "1",
            "questions-0-text": question.text,
            "questions-0-answer_kind": "not_held",
            "questions-0-answer": "Not held.",
            "questions-0-elsewhere_url": "",
            "questions-0-public_interest_reasoning": "",
        }
    )
    for prefix in ("contributions", "time_entries", "links_out", "events"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = foi_officer_client.post(
        reverse("admin:foiregister_request_change", args=[request.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = AuditEvent.objects.get(action="request.changed", object_id=str(request.pk))
    assert changed.changes["title"] == ["Old title", "New title"]
    answered = AuditEvent.objects.get(action="question.changed", object_id=str(question.pk))
    assert answered.changes["answer"] == ["", "Not held."]


def test_request_page_offers_letters(foi_officer_client, organisation, foi_officer):
    request = log_request(organisation=organisation, by=foi_officer)
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[request.pk])
    ).content.decode()
    assert reverse("admin:letters_letter_draft", args=[request.pk, "response"]) in page


def test_status_page_offers_only_allowed_transitions_and_changes_status(
    foi_officer_client, organisation, foi_officer
):
    request = log_request(organisation=organisation, by=foi_officer)
    url = reverse("admin:foiregister_request_status", args=[request.pk])
    page = foi_officer_client.get(url).content.decode()
    assert 'value="in_approval"' in page and 'value="closed"' not in page
    refused = foi_officer_client.post(url, {"to": "closed"})
    assert refused.status_code == 200
    response = foi_officer_client.post(url, {"to": "in_progress", "note": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Request.Status.IN_PROGRESS
