"""The officers' screens: scoping, the changelist, the request page and its forms."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from foiregister.kernel import roles
from foiregister.requests import selectors, services
from foiregister.requests.models import Request, RequestEvent
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
    foi_officer_client, organisation, foi_officer, today
):
    from foiregister import calendar
    from foiregister.requests import selectors

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


def test_record_event_form_offers_today_in_the_form_a_date_picker_reads(
    foi_officer_client, organisation, foi_officer, today
):
    """A date input takes YYYY-MM-DD; the site's own format (29/11/2026) left it empty."""
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    url = reverse("admin:foiregister_request_record_event", args=[request.pk])

    page = foi_officer_client.get(url).content.decode()

    assert f'type="date" value="{today:%Y-%m-%d}"' in page or (
        f'value="{today:%Y-%m-%d}"' in page and 'type="date"' in page
    )
    assert f"{today:%d/%m/%Y}" not in page


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
    client, organisation, foi_officer, install_operator, django_capture_on_commit_callbacks
):
    from foiregister.requests.models import DeadlineRecomputation

    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    client.force_login(install_operator)
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
    assert "1 of 1 requests (100%)" in progress


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
    assert "Q1 question.changed" in page
    assert "answer: (blank) \u2192 Answer text" in page


def test_holiday_with_unknown_nation_is_refused_on_the_field(client, install_operator):
    client.force_login(install_operator)
    response = client.post(
        "/admin/foiregister/proclaimedholiday/add/",
        {"date": "2026-11-27", "name": "x", "nations": "ENG,XYZ", "source": ""},
    )
    assert response.status_code == 200
    assert "unknown nation XYZ" in response.content.decode()


def test_editing_a_request_in_the_admin_is_audited_with_old_and_new(
    foi_officer_client, organisation, foi_officer
):
    from foiregister.kernel.models import AuditEvent

    request = log_request(organisation=organisation, title="Old title", by=foi_officer)
    question = request.questions.get()
    response = _post_change(
        foi_officer_client,
        request,
        title="New title",
        **{"questions-0-answer_kind": "not_held", "questions-0-answer": "Not held."},
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


def _change_data(client, request, **changes):
    """The request page's form as the officer would submit it: the request's fields, its
    one question unchanged, and no other inline rows unless ``changes`` adds them."""
    page = client.get(reverse("admin:foiregister_request_change", args=[request.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"assignee": "", "outcome": ""})
    question = request.questions.get()
    data.update(
        {
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": question.pk,
            "questions-0-request": request.pk,
            "questions-0-number": "1",
            "questions-0-text": question.text,
            "questions-0-answer_kind": "",
            "questions-0-answer": "",
            "questions-0-elsewhere_url": "",
            "questions-0-public_interest_reasoning": "",
        }
    )
    for prefix in ("contributions", "time_entries", "links_out", "events"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(changes)
    return data


def _post_change(client, request, **changes):
    return client.post(
        reverse("admin:foiregister_request_change", args=[request.pk]),
        _change_data(client, request, **changes),
    )


def test_linking_to_another_organisations_request_is_refused(
    foi_officer_client, organisation, other_organisation, foi_officer
):
    """The autocomplete lists only the officer's requests; a hand-made POST with another
    body's request must be refused too, or the link would reveal that request."""
    from foiregister.requests.models import RequestLink

    mine = log_request(organisation=organisation, by=foi_officer)
    theirs = log_request(organisation=other_organisation, title="Secret title", by=foi_officer)
    response = _post_change(
        foi_officer_client,
        mine,
        **{
            "links_out-TOTAL_FORMS": "1",
            "links_out-0-to_request": theirs.pk,
            "links_out-0-kind": "related",
        },
    )
    assert response.status_code == 200
    assert not RequestLink.objects.exists()


def test_autocomplete_for_links_offers_only_the_officers_requests(
    foi_officer_client, organisation, other_organisation, foi_officer
):
    log_request(organisation=organisation, title="Imaging ours", by=foi_officer)
    log_request(organisation=other_organisation, title="Imaging theirs", by=foi_officer)
    response = foi_officer_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "foiregister",
            "model_name": "requestlink",
            "field_name": "to_request",
            "term": "Imaging",
        },
    )
    texts = [r["text"] for r in response.json()["results"]]
    assert len(texts) == 1 and "Imaging ours" in texts[0]


def test_linking_a_request_to_itself_shows_the_reason_on_the_row(
    foi_officer_client, organisation, foi_officer
):
    from foiregister.requests.models import RequestLink

    request = log_request(organisation=organisation, by=foi_officer)
    response = _post_change(
        foi_officer_client,
        request,
        **{
            "links_out-TOTAL_FORMS": "1",
            "links_out-0-to_request": request.pk,
            "links_out-0-kind": "related",
        },
    )
    assert response.status_code == 200
    assert "a request cannot be linked to itself" in response.content.decode()
    assert not RequestLink.objects.exists()


def test_linking_the_same_pair_twice_is_refused_from_either_side(
    foi_officer_client, organisation, foi_officer
):
    from foiregister.requests.models import RequestLink

    a = log_request(organisation=organisation, by=foi_officer)
    b = log_request(organisation=organisation, by=foi_officer)
    services.link_requests(request=a, other=b, kind="related", by=foi_officer)
    response = _post_change(
        foi_officer_client,
        b,
        **{
            "links_out-TOTAL_FORMS": "1",
            "links_out-0-to_request": a.pk,
            "links_out-0-kind": "repeated",
        },
    )
    assert response.status_code == 200
    assert "are already linked" in response.content.decode()
    assert RequestLink.objects.count() == 1


def test_asking_a_department_while_awaiting_a_fee_needs_a_deadline_and_nothing_is_saved(
    foi_officer_client, organisation, foi_officer
):
    """No due date while an unpaid fees notice stops the clock, so no default internal
    deadline: the officer is told on the row, and the title changed in the same submit is
    not saved either."""
    from foiregister.requests.models import Contribution
    from tests.factories.foiregister import DepartmentFactory

    request = log_request(
        organisation=organisation, received_on=D(2026, 11, 2), title="Before", by=foi_officer
    )
    services.record_timeline_event(
        request=request, kind="fees_notice", occurred_on=D(2026, 11, 3), by=foi_officer
    )
    department = DepartmentFactory(organisation=organisation)
    response = _post_change(
        foi_officer_client,
        request,
        title="After",
        **{
            "contributions-TOTAL_FORMS": "1",
            "contributions-0-department": department.pk,
            "contributions-0-asked_on": "2026-11-04",
            "contributions-0-internal_due_on": "",
            "contributions-0-status": "asked",
            "contributions-0-answer": "",
            "contributions-0-answered_on": "",
        },
    )
    assert response.status_code == 200
    assert "give the department&#x27;s deadline" in response.content.decode()
    assert not Contribution.objects.exists()
    request.refresh_from_db()
    assert request.title == "Before"


def test_a_service_refusal_during_save_rolls_everything_back_and_says_why(
    foi_officer_client, organisation, foi_officer, monkeypatch
):
    """Whatever a form misses, a service's refusal while saving never leaves half a save
    nor a server error."""
    from foiregister.requests.exceptions import ValidationFailed

    request = log_request(organisation=organisation, title="Before", by=foi_officer)

    def refuse(**kwargs):
        raise ValidationFailed("the question text is refused", field="text")

    monkeypatch.setattr(services, "update_question", refuse)
    response = _post_change(
        foi_officer_client, request, title="After", **{"questions-0-text": "Changed"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.title == "Before"
    assert request.questions.get().text != "Changed"
    page = foi_officer_client.get(response.url).content.decode()
    assert "Nothing was saved. text: the question text is refused" in page


def test_changing_a_departments_deadline_is_audited_with_old_and_new(
    foi_officer_client, organisation, foi_officer
):
    from foiregister.kernel.models import AuditEvent
    from tests.factories.foiregister import DepartmentFactory

    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    department = DepartmentFactory(organisation=organisation)
    contribution = services.ask_department(
        request=request,
        department=department,
        questions=request.questions.all(),
        asked_on=D(2026, 11, 3),
        by=foi_officer,
    )
    response = _post_change(
        foi_officer_client,
        request,
        **{
            "contributions-TOTAL_FORMS": "1",
            "contributions-INITIAL_FORMS": "1",
            "contributions-0-id": contribution.pk,
            "contributions-0-request": request.pk,
            "contributions-0-department": department.pk,
            "contributions-0-questions": [q.pk for q in request.questions.all()],
            "contributions-0-asked_on": "2026-11-03",
            "contributions-0-internal_due_on": "2026-11-20",
            "contributions-0-status": "asked",
            "contributions-0-answer": "",
            "contributions-0-answered_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = AuditEvent.objects.get(action="contribution.changed")
    assert row.changes["internal_due_on"] == ["2026-11-16", "2026-11-20"]


def test_commissioner_reads_no_audit_rows_about_requests_or_requesters(
    commissioner_client, organisation, foi_officer
):
    requester = RequesterFactory(organisation=organisation, name="Canary Requester Name")
    services.create_requester(organisation=organisation, name="Canary Second", by=foi_officer)
    log_request(requester=requester, title="Canary request title", by=foi_officer)
    page = commissioner_client.get("/admin/foiregister/auditevent/").content.decode()
    assert "Canary" not in page


def test_officer_reads_their_organisations_request_audit_rows(
    foi_officer_client, organisation, foi_officer
):
    log_request(organisation=organisation, title="Canary request title", by=foi_officer)
    page = foi_officer_client.get("/admin/foiregister/auditevent/").content.decode()
    assert "Canary request title" in page


def test_changelist_filters_list_only_the_officers_organisations_and_colleagues(
    foi_officer_client, organisation, other_organisation, foi_officer
):
    from tests.factories.foiregister import UserFactory

    stranger = UserFactory(username="stranger-at-dudley")
    other_organisation.members.add(stranger)
    log_request(organisation=organisation, assignee=foi_officer, by=foi_officer)
    log_request(organisation=other_organisation, assignee=stranger, by=foi_officer)
    page = foi_officer_client.get(CHANGELIST).content.decode()
    assert "stranger-at-dudley" not in page
    assert other_organisation.name not in page


def test_history_page_of_another_organisations_request_is_not_shown(
    foi_officer_client, other_organisation, foi_officer
):
    theirs = log_request(organisation=other_organisation, title="Secret title", by=foi_officer)
    response = foi_officer_client.get(
        reverse("admin:foiregister_request_history", args=[theirs.pk])
    )
    assert response.status_code in (302, 404)
    assert "Secret title" not in response.content.decode()


def test_requester_of_another_organisation_cannot_be_opened(
    foi_officer_client, other_organisation, commissioner_client
):
    theirs = RequesterFactory(organisation=other_organisation, name="Canary Requester Name")
    url = reverse("admin:foiregister_requester_change", args=[theirs.pk])
    assert foi_officer_client.get(url).status_code in (302, 404)
    assert "Canary" not in foi_officer_client.get("/admin/foiregister/requester/").content.decode()
    assert commissioner_client.get("/admin/foiregister/requester/").status_code == 403


def test_request_page_offers_no_delete_for_any_row(foi_officer_client, organisation, foi_officer):
    """Nothing is hard-deleted: no delete checkbox on questions, contributions, time,
    links or events, and no bulk delete action on the list."""
    from foiregister.requests.models import TimeEntry
    from tests.factories.foiregister import DepartmentFactory

    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    services.ask_department(
        request=request,
        department=DepartmentFactory(organisation=organisation),
        questions=request.questions.all(),
        by=foi_officer,
    )
    services.log_time(
        request=request,
        person=foi_officer,
        hours=1,
        activity=TimeEntry.Activity.LOCATING,
        worked_on=D(2026, 11, 3),
        by=foi_officer,
    )
    services.record_timeline_event(
        request=request, kind="acknowledged", occurred_on=D(2026, 11, 3), by=foi_officer
    )
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[request.pk])
    ).content.decode()
    assert "-DELETE" not in page
    changelist = foi_officer_client.get(CHANGELIST).content.decode()
    assert "delete_selected" not in changelist


def test_no_delete_permission_in_any_role_for_request_rows():
    from django.contrib.auth.models import Permission

    roles.ensure_roles()
    granted = Permission.objects.filter(
        group__isnull=False,
        codename__in=[
            f"delete_{m}"
            for m in (
                "request",
                "question",
                "requestevent",
                "contribution",
                "timeentry",
                "requestlink",
                "requester",
                "auditevent",
            )
        ],
    )
    assert not granted.exists()


def _logged_time(organisation, officer, *, hours):
    """A new request with one entry of ``hours`` locating on Tue 2 Sep 2025, by ``officer``."""
    from foiregister.requests.models import TimeEntry

    return services.log_time(
        request=log_request(organisation=organisation, by=officer),
        person=officer,
        hours=hours,
        activity=TimeEntry.Activity.LOCATING,
        worked_on=D(2025, 9, 2),
        by=officer,
    )


def test_a_mistyped_time_entry_is_corrected_on_the_request_page_and_audited(
    foi_officer_client, organisation, foi_officer
):
    """3 hours typed for 0.3: the officer corrects the saved row on the request page; the
    s.12 total follows, and the history keeps the old and new values."""
    from foiregister.kernel.models import AuditEvent
    from foiregister.requests.models import TimeEntry

    entry = _logged_time(organisation, foi_officer, hours=3)
    request = entry.request
    page = foi_officer_client.get(reverse("admin:foiregister_request_change", args=[request.pk]))
    assert 'name="time_entries-0-hours"' in page.content.decode()
    response = _post_change(
        foi_officer_client,
        request,
        **{
            "time_entries-TOTAL_FORMS": "1",
            "time_entries-INITIAL_FORMS": "1",
            "time_entries-0-id": entry.pk,
            "time_entries-0-request": request.pk,
            "time_entries-0-person": foi_officer.pk,
            "time_entries-0-worked_on": "2025-09-02",
            "time_entries-0-activity": TimeEntry.Activity.LOCATING,
            "time_entries-0-hours": "0.3",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.hours == Decimal("0.30")
    assert selectors.s12_hours(request) == Decimal("0.30")
    corrected = AuditEvent.objects.get(action="request.time_corrected")
    assert corrected.changes == {"hours": ["3.00", "0.30"]}


def test_a_time_entry_cannot_be_corrected_to_nothing(organisation, foi_officer):
    from foiregister.requests.exceptions import ValidationFailed

    entry = _logged_time(organisation, foi_officer, hours=2)
    with pytest.raises(ValidationFailed, match="hours must be more than zero"):
        services.correct_time_entry(entry=entry, by=foi_officer, hours=Decimal("0"))
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.00")


def test_request_page_names_every_skipped_day_and_the_review_clocks(
    foi_officer_client, organisation, foi_officer
):
    request = log_request(organisation=organisation, received_on=D(2026, 10, 1), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="response_sent", occurred_on=D(2026, 11, 2), by=foi_officer
    )
    services.record_timeline_event(
        request=request, kind="review_requested", occurred_on=D(2026, 11, 16), by=foi_officer
    )
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[request.pk])
    ).content.decode()
    # Received Thu 1 Oct 2026: the first weekend is Sat 3 and Sun 4 Oct.
    assert "Sat 03 Oct, Sun 04 Oct" in page
    assert "Response sent (day 0): Mon 02 Nov 2026" in page
    # 40 working days from Mon 2 Nov 2026 (see test_calendar): Thu 31 Dec 2026.
    assert "Due: Thu 31 Dec 2026" in page
    # Asked Mon 16 Nov: 17-20 Nov 1-4, 23-27 5-9, (30 Nov), 1-4 Dec 10-13, 7-11 14-18,
    # 14-15 Dec 19-20: Tue 15 Dec 2026.
    assert "Internal review requested (day 0): Mon 16 Nov 2026" in page
    assert "Due: Tue 15 Dec 2026" in page


def test_request_page_shows_how_long_allocation_took(
    foi_officer_client, organisation, foi_officer, today
):
    waiting = log_request(organisation=organisation, received_on=today, by=foi_officer)
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[waiting.pk])
    ).content.decode()
    assert "Not yet allocated: 0 working day(s) since receipt" in page
    services.update_request(request=waiting, assignee=foi_officer, by=foi_officer)
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[waiting.pk])
    ).content.decode()
    assert "0 working day(s) after receipt" in page


def test_late_requests_are_white_on_red_for_contrast(
    foi_officer_client, organisation, foi_officer, today
):
    from foiregister import calendar
    from foiregister.requests import selectors

    log_request(
        organisation=organisation,
        received_on=calendar.subtract_working_days(
            today, 25, calendar=selectors.working_day_calendar()
        ),
        by=foi_officer,
    )
    page = foi_officer_client.get(CHANGELIST).content.decode()
    assert "background:#d5281b;color:#ffffff" in page


def test_events_and_status_changes_show_in_the_request_history(
    foi_officer_client, organisation, foi_officer
):
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    services.record_timeline_event(
        request=request, kind="acknowledged", occurred_on=D(2026, 11, 3), by=foi_officer
    )
    services.change_status(request=request, to=Request.Status.IN_APPROVAL, by=foi_officer)
    page = foi_officer_client.get(
        reverse("admin:foiregister_request_change", args=[request.pk])
    ).content.decode()
    assert "request.event.acknowledged" in page
    assert "occurred_on: 2026-11-03" in page
    assert "status: acknowledged \u2192 in_approval" in page


def test_logging_a_request_offers_no_other_bodys_departments(
    foi_officer_client, other_organisation
):
    from tests.factories.foiregister import DepartmentFactory

    DepartmentFactory(organisation=other_organisation, name="Canary Department")
    page = foi_officer_client.get(reverse("admin:foiregister_request_add")).content.decode()
    assert "Canary Department" not in page
    assert 'name="questions-TOTAL_FORMS"' in page


def test_link_and_s12_warning_show_on_the_request_pages(
    foi_officer_client, organisation, foi_officer
):
    from decimal import Decimal

    from foiregister.requests.models import TimeEntry

    a = log_request(organisation=organisation, title="First of the round robin", by=foi_officer)
    b = log_request(organisation=organisation, title="Second of the round robin", by=foi_officer)
    services.link_requests(request=a, other=b, kind="round_robin", by=foi_officer)
    services.log_time(
        request=b,
        person=foi_officer,
        hours=Decimal("15"),
        activity=TimeEntry.Activity.RETRIEVING,
        worked_on=D(2025, 9, 2),
        by=foi_officer,
    )
    page_a, page_b = (
        foi_officer_client.get(
            reverse("admin:foiregister_request_change", args=[r.pk])
        ).content.decode()
        for r in (a, b)
    )
    assert b.reference in page_a and "Same round robin" in page_a
    assert a.reference in page_b and "Same round robin" in page_b
    # 15 hours of s.12 activities: over 80% of the 18-hour appropriate limit.
    assert "approaching the limit of 18 hours" in page_b
    assert "approaching the limit" not in page_a


def test_status_page_records_responded_on_the_date_given(
    foi_officer_client, organisation, foi_officer
):
    request = log_request(organisation=organisation, received_on=D(2026, 10, 1), by=foi_officer)
    url = reverse("admin:foiregister_request_status", args=[request.pk])
    assert 'value="pit_extended"' not in foi_officer_client.get(url).content.decode()
    response = foi_officer_client.post(url, {"to": "responded", "on": "2026-11-02", "note": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.responded_on) == ("responded", D(2026, 11, 2))
    refused = foi_officer_client.post(url, {"to": "closed", "on": "2026-10-01", "note": ""})
    assert refused.status_code == 200
    request.refresh_from_db()
    assert request.status == "responded"


def test_bulk_deleting_holidays_audits_and_recomputes_deadlines(
    client, organisation, foi_officer, install_operator, django_capture_on_commit_callbacks
):
    """The list's "delete selected" action skips delete_model: it must still go through
    the service and move the open deadlines back."""
    from foiregister.kernel.models import AuditEvent
    from foiregister.requests.models import ProclaimedHoliday

    holiday, _ = services.add_proclaimed_holiday(
        date=D(2026, 11, 27), name="Proclaimed day", by=foi_officer
    )
    request = log_request(organisation=organisation, received_on=D(2026, 11, 2), by=foi_officer)
    assert request.due_on == D(2026, 12, 2)
    client.force_login(install_operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/foiregister/proclaimedholiday/",
            {"action": "delete_selected", "_selected_action": [holiday.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not ProclaimedHoliday.objects.exists()
    assert AuditEvent.objects.filter(action="holiday.removed").exists()
    request.refresh_from_db()
    assert request.due_on == D(2026, 12, 1)


def test_an_administrator_runs_the_install_but_does_not_read_casework(
    client, organisation, foi_officer, administrator
):
    """Requests and requesters are for the organisation's FOI officers and leads only: an
    administrator who belongs to the organisation manages departments and users, sees the
    holiday table, and finds no request by the list, by its page or by its requester."""
    request = log_request(organisation=organisation, by=foi_officer, title="Agency staffing")
    client.force_login(administrator)
    index = client.get("/admin/").content.decode()
    assert "/admin/foiregister/proclaimedholiday/" in index
    assert "/admin/foiregister/department/" in index
    assert "/admin/foiregister/request/" not in index
    assert "/admin/foiregister/requester/" not in index
    assert client.get("/admin/foiregister/request/").status_code == 403
    assert client.get(f"/admin/foiregister/request/{request.pk}/change/").status_code in (
        302,
        403,
    )
    requester_page = f"/admin/foiregister/requester/{request.requester_id}/change/"
    assert client.get(requester_page).status_code in (302, 403)
    assert "Agency staffing" not in client.get("/admin/foiregister/auditevent/").content.decode()


def test_a_time_correction_with_too_many_decimal_places_names_the_field(organisation, foi_officer):
    from foiregister.requests.exceptions import ValidationFailed

    entry = _logged_time(organisation, foi_officer, hours=2)
    with pytest.raises(ValidationFailed) as refused:
        services.correct_time_entry(entry=entry, by=foi_officer, hours=Decimal("1.255"))
    assert refused.value.field == "hours"
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.00")


def test_request_awaiting_clarification_shows_no_due_date_until_it_arrives(
    foi_officer_client, organisation, foi_officer
):
    """Received Thu 1 Oct 2026 (first due Thu 29 Oct); clarification sought Mon 5 Oct.
    While it is awaited the page must not show 29 Oct as a due date; once it arrives on
    Mon 12 Oct, 20 working days run from Tue 13 Oct to Mon 9 Nov 2026."""
    request = log_request(organisation=organisation, received_on=D(2026, 10, 1), by=foi_officer)
    url = reverse("admin:foiregister_request_change", args=[request.pk])
    assert "Thu 29 Oct 2026" in foi_officer_client.get(url).content.decode()
    services.record_timeline_event(
        request=request, kind="clarification_sought", occurred_on=D(2026, 10, 5), by=foi_officer
    )
    waiting = foi_officer_client.get(url).content.decode()
    assert "none while clarification is awaited" in waiting
    assert "<strong>Statutory due date</strong>: Thu 29 Oct 2026" not in waiting
    services.record_timeline_event(
        request=request,
        kind="clarification_received",
        occurred_on=D(2026, 10, 12),
        by=foi_officer,
    )
    restarted = foi_officer_client.get(url).content.decode()
    assert "<strong>Statutory due date</strong>: Mon 09 Nov 2026" in restarted
    assert "none while clarification is awaited" not in restarted


def test_requester_added_and_changed_in_the_admin_is_audited_without_its_details(
    foi_officer_client, organisation
):
    """The admin writes requesters through the service; the audit row names the fields
    changed, never the requester's values (issue 12, item 15: nothing to erase later)."""
    from foiregister.kernel.models import AuditEvent
    from foiregister.requests.models import Requester

    form = {
        "organisation": organisation.pk,
        "name": "Canary Requester Quill",
        "email": "canary.quill@example.invalid",
        "postal_address": "Rosebank Cottage",
        "telephone": "",
        "kind": "public",
    }
    added = foi_officer_client.post("/admin/foiregister/requester/add/", form)
    assert added.status_code == 302, added.content.decode()[:2000]
    requester = Requester.objects.get(name="Canary Requester Quill")
    changed = foi_officer_client.post(
        f"/admin/foiregister/requester/{requester.pk}/change/",
        {**form, "email": "new.canary@example.invalid"},
    )
    assert changed.status_code == 302
    requester.refresh_from_db()
    assert requester.email == "new.canary@example.invalid"
    created = AuditEvent.objects.get(action="requester.created", object_id=str(requester.pk))
    change = AuditEvent.objects.get(action="requester.changed", object_id=str(requester.pk))
    assert created.actor == change.actor == "officer"
    assert change.changes == {"fields": ["email"]}
    rows = repr(list(AuditEvent.objects.values_list("object_repr", "changes", "note")))
    for value in ("Canary", "canary.quill", "new.canary", "Rosebank"):
        assert value not in rows
