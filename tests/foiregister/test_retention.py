"""Records management: a requester's personal data is erased once every request of theirs
has been closed for the organisation's retention period.

The default, three years after closure, is the NHS Records Management Code of Practice 2023
(retention schedule, "Freedom of Information requests and responses": 3 years after closure
of the request or of any appeal). What stays: the request, its questions and answers, its
statistics (the requester's kind) and its published response.
"""

import datetime
import io

import pytest
from django.core.management import call_command

from foiregister.kernel import audit
from foiregister.letters import retention
from foiregister.letters.exceptions import RetentionError
from foiregister.requests import selectors, services
from foiregister.requests.models import Request, Requester
from tests.factories.foiregister import RequesterFactory, log_request

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

D = datetime.date
RECEIVED = D(2022, 3, 1)
CLOSED = D(2022, 3, 28)
NAME = "Philippa Quartermaine"
EMAIL = "philippa.quartermaine@example.invalid"
ADDRESS = "Rose Cottage\nNether Wallop\nZZ9 9ZZ"


@pytest.fixture
def requester(organisation, foi_officer):
    return services.create_requester(
        organisation=organisation,
        by=foi_officer,
        name=NAME,
        email=EMAIL,
        postal_address=ADDRESS,
        telephone="01632 960123",
        kind=Requester.Kind.JOURNALIST,
    )


def closed_request(*, requester, by, received_on=RECEIVED, closed_on=CLOSED):
    request = log_request(requester=requester, received_on=received_on, by=by)
    services.change_status(request=request, to=Request.Status.RESPONDED, on=closed_on, by=by)
    return services.change_status(request=request, to=Request.Status.CLOSED, on=closed_on, by=by)


def test_a_request_is_due_three_years_after_closure_by_default(requester, foi_officer):
    request = closed_request(requester=requester, by=foi_officer, closed_on=D(2022, 3, 28))

    assert request.organisation.retention_years == 3
    assert selectors.erasure_due_on(request) == D(2025, 3, 28)
    assert not selectors.requests_due_for_erasure(today=D(2025, 3, 27)).filter(pk=request.pk)
    assert selectors.requests_due_for_erasure(today=D(2025, 3, 28)).filter(pk=request.pk)


def test_closure_on_29_february_is_due_on_28_february(requester, foi_officer):
    request = closed_request(
        requester=requester, by=foi_officer, received_on=D(2024, 2, 1), closed_on=D(2024, 2, 29)
    )

    assert selectors.erasure_due_on(request) == D(2027, 2, 28)
    assert selectors.requests_due_for_erasure(today=D(2027, 2, 28)).filter(pk=request.pk)
    assert not selectors.requests_due_for_erasure(today=D(2027, 2, 27)).filter(pk=request.pk)


def test_the_retention_period_is_the_organisations_own(requester, foi_officer, organisation):
    organisation.retention_years = 6
    organisation.save()
    request = closed_request(requester=requester, by=foi_officer, closed_on=D(2022, 3, 28))

    assert not selectors.requests_due_for_erasure(today=D(2025, 3, 28)).filter(pk=request.pk)
    assert selectors.requests_due_for_erasure(today=D(2028, 3, 28)).filter(pk=request.pk)


def test_an_appeal_after_closure_restarts_the_retention_period(requester, foi_officer):
    """The Code counts from closure of the request "or any appeal"."""
    request = closed_request(requester=requester, by=foi_officer, closed_on=D(2022, 3, 28))
    services.record_timeline_event(
        request=request, kind="ico_complaint", occurred_on=D(2022, 9, 1), by=foi_officer
    )

    assert selectors.erasure_due_on(request) == D(2025, 9, 1)


def test_an_open_or_merely_responded_request_is_never_due(requester, foi_officer):
    open_request = log_request(requester=requester, received_on=D(2020, 1, 6), by=foi_officer)
    responded = log_request(
        requester=RequesterFactory(organisation=requester.organisation),
        received_on=D(2020, 1, 6),
        by=foi_officer,
    )
    services.change_status(
        request=responded, to=Request.Status.RESPONDED, on=D(2020, 1, 20), by=foi_officer
    )

    due = selectors.requests_due_for_erasure(today=D(2026, 1, 1))
    assert not due.filter(pk__in=[open_request.pk, responded.pk])


def test_a_requester_with_a_later_request_is_kept_until_that_one_is_due(requester, foi_officer):
    old = closed_request(requester=requester, by=foi_officer, closed_on=D(2022, 3, 28))
    closed_request(
        requester=requester, by=foi_officer, received_on=D(2024, 5, 1), closed_on=D(2024, 5, 20)
    )

    assert not selectors.requests_due_for_erasure(today=D(2025, 6, 1)).filter(pk=old.pk)
    with pytest.raises(RetentionError, match="not due for erasure until 20 May 2027"):
        retention.erase_requester(request=old, by=foi_officer, today=D(2025, 6, 1))


def test_erasure_clears_the_requesters_details_and_keeps_the_request(requester, foi_officer):
    request = closed_request(requester=requester, by=foi_officer)
    questions = list(request.questions.values_list("text", flat=True))

    retention.erase_requester(request=request, by=foi_officer, today=D(2025, 6, 1))

    requester.refresh_from_db()
    assert NAME not in requester.name
    assert (requester.email, requester.postal_address, requester.telephone) == ("", "", "")
    assert requester.kind == Requester.Kind.JOURNALIST  # statistics by kind still count
    assert requester.erased_on == D(2025, 6, 1)
    request.refresh_from_db()
    assert request.status == Request.Status.CLOSED
    assert list(request.questions.values_list("text", flat=True)) == questions


def test_erasure_before_the_period_ends_is_refused(requester, foi_officer):
    request = closed_request(requester=requester, by=foi_officer, closed_on=D(2022, 3, 28))

    with pytest.raises(RetentionError, match="not due for erasure until 28 Mar 2025"):
        retention.erase_requester(request=request, by=foi_officer, today=D(2025, 3, 27))
    requester.refresh_from_db()
    assert requester.name == NAME


def test_erasure_is_audited_by_field_name_without_values(requester, foi_officer):
    request = closed_request(requester=requester, by=foi_officer)

    retention.erase_requester(request=request, by=foi_officer, today=D(2025, 6, 1))

    event = audit.history_for(requester).get(action="requester.erased")
    assert event.actor == foi_officer.username
    assert sorted(event.changes["erased"]) == ["email", "name", "postal_address", "telephone"]
    assert NAME not in str(event.changes) and EMAIL not in str(event.changes)


def test_no_audit_row_keeps_a_requester_value_after_erasure(requester, foi_officer, organisation):
    other = services.create_requester(
        organisation=organisation, name="Someone Else", by=foi_officer
    )
    request = log_request(requester=requester, received_on=D(2022, 3, 1), by=foi_officer)
    # Rows written before requester changes were audited without values kept them.
    audit.record_event(
        action="requester.changed",
        obj=requester,
        by=foi_officer,
        organisation_id=organisation.pk,
        changes={"email": ["old@example.invalid", EMAIL], "postal_address": ["", ADDRESS]},
    )
    services.record_timeline_event(
        request=request,
        kind="response_sent",
        occurred_on=D(2022, 3, 20),
        by=foi_officer,
        details=f"Posted to {NAME}, Rose Cottage",
    )
    services.change_status(
        request=request, to=Request.Status.CLOSED, on=D(2022, 3, 28), by=foi_officer
    )
    assert audit.AuditEvent.objects.filter(note__contains=NAME).exists()

    retention.erase_requester(request=request, by=foi_officer, today=D(2025, 6, 1))

    for event in audit.AuditEvent.objects.all():
        text = f"{event.object_repr} {event.note} {event.changes}"
        assert NAME not in text and EMAIL not in text, event.action
    # Another requester's row is left as it was written.
    untouched = audit.history_for(other).get()
    assert untouched.scrubbed_on is None and untouched.object_repr == f"requester {other.pk}"


def test_erase_due_requesters_command_is_a_dry_run_without_commit(requester, foi_officer):
    request = closed_request(requester=requester, by=foi_officer)
    out = io.StringIO()

    call_command("erase_due_requesters", "--today", "2025-06-01", stdout=out)

    assert request.reference in out.getvalue()
    assert "dry run" in out.getvalue()
    requester.refresh_from_db()
    assert requester.name == NAME


def test_erase_due_requesters_command_commits_as_the_system(requester, foi_officer):
    closed_request(requester=requester, by=foi_officer)
    out = io.StringIO()

    call_command("erase_due_requesters", "--today", "2025-06-01", "--commit", stdout=out)

    requester.refresh_from_db()
    assert requester.erased_on == D(2025, 6, 1)
    erased = audit.history_for(requester).get(action="requester.erased")
    assert erased.actor == "system: erase_due_requesters command"


def test_daily_erasure_is_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "foiregister.letters.tasks.erase_due_requesters" in tasks


def test_an_address_line_is_erased_only_from_the_requesters_own_history(
    requester, foi_officer, organisation
):
    """A town in the address ("Nether Wallop") also names a clinic in other requests'
    history; only whole values are searched for beyond the requester's own rows."""
    request = closed_request(requester=requester, by=foi_officer)
    unrelated = log_request(organisation=organisation, by=foi_officer)
    services.update_request(request=unrelated, title="Nether Wallop clinic", by=foi_officer)

    retention.erase_requester(request=request, by=foi_officer, today=D(2025, 6, 1))

    change = audit.history_for(unrelated).get(action="request.changed")
    assert change.changes["title"][1] == "Nether Wallop clinic"
    assert change.scrubbed_on is None
