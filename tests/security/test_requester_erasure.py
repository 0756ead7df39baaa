"""Erasing a requester after the retention period: the one exception to the issued-letter
guard, and who may do it.

The requester's copy of an issued letter names and addresses them, so it goes with their
details; the anonymised copy (what the disclosure log serves) stays exactly as issued. The
database allows only that: a requester's copy emptied and marked erased, once; every other
change to an issued letter's documents is still refused.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from foiregister.kernel import audit
from foiregister.letters import retention
from foiregister.letters.models import LetterDocument
from foiregister.requests import services as register_services
from foiregister.requests.models import Request
from tests.factories import letters as letter_factories

pytestmark = [pytest.mark.django_db]

D = datetime.date
TODAY = D(2025, 6, 1)


def _closed_with_issued_response(organisation, officer, lead):
    letter_factories.FIGURES["spend"] = "£3,091,519"
    request = letter_factories.answered_request(
        organisation=organisation, officer=officer, received_on=D(2022, 3, 1)
    )
    letter = letter_factories.issued_response(
        request=request, officer=officer, lead=lead, issued_on=D(2022, 3, 20)
    )
    register_services.change_status(
        request=request, to=Request.Status.CLOSED, on=D(2022, 3, 28), by=officer
    )
    return letter


@pytest.fixture
def issued(organisation, foi_officer, foi_lead):
    return _closed_with_issued_response(organisation, foi_officer, foi_lead)


@pytest.fixture
def victim_issued(other_organisation, victim_officer, victim_lead):
    return _closed_with_issued_response(other_organisation, victim_officer, victim_lead)


def _doc(letter, variant):
    return LetterDocument.objects.get(letter=letter, variant=variant)


@pytest.mark.embedded
def test_erasure_empties_the_requesters_copy_and_keeps_the_anonymised_copy(issued, foi_lead):
    public_before = bytes(_doc(issued, "public").data)
    requester_sha = _doc(issued, "requester").sha256

    retention.erase_requester(request=issued.request, by=foi_lead, today=TODAY)

    copy = _doc(issued, "requester")
    assert bytes(copy.data) == b""
    assert copy.erased_on == TODAY
    assert copy.sha256 == requester_sha  # what was sent can still be matched, not read
    assert bytes(_doc(issued, "public").data) == public_before
    assert _doc(issued, "public").erased_on is None
    event = audit.history_for(issued).get(action="letter.requester_copy_erased")
    assert event.changes == {"document": copy.pk, "erased_on": "2025-06-01"}


REQUESTER_COPY = "WHERE letter_id = %s AND variant = 'requester'"


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("sql", "data"),
    [
        pytest.param(
            f"UPDATE letters_letterdocument SET data = %s {REQUESTER_COPY}",
            b"",
            id="emptied-unmarked",
        ),
        pytest.param(
            f"UPDATE letters_letterdocument SET erased_on = '2025-06-01' {REQUESTER_COPY}",
            None,
            id="marked-not-emptied",
        ),
        pytest.param(
            "UPDATE letters_letterdocument SET data = %s, erased_on = '2025-06-01' "
            + REQUESTER_COPY,
            b"forged copy",
            id="replaced-under-cover-of-erasure",
        ),
        pytest.param(
            "UPDATE letters_letterdocument SET data = %s, erased_on = '2025-06-01' "
            "WHERE letter_id = %s AND variant = 'public'",
            b"",
            id="anonymised-copy-erased",
        ),
        pytest.param(
            "UPDATE letters_letterdocument SET data = %s, erased_on = '2025-06-01', "
            "sha256 = 'x' " + REQUESTER_COPY,
            b"",
            id="record-of-what-was-sent-changed",
        ),
        pytest.param(f"DELETE FROM letters_letterdocument {REQUESTER_COPY}", None, id="deleted"),
    ],
)
def test_the_database_allows_no_change_to_a_letter_but_the_erasure(issued, sql, data):
    params = [issued.pk] if data is None else [data, issued.pk]

    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert len(bytes(_doc(issued, "requester").data)) > 0
    assert len(bytes(_doc(issued, "public").data)) > 0


@pytest.mark.embedded
def test_an_erased_copy_cannot_be_restored(issued, foi_lead):
    retention.erase_requester(request=issued.request, by=foi_lead, today=TODAY)

    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE letters_letterdocument SET data = %s, erased_on = NULL "
                "WHERE letter_id = %s AND variant = 'requester'",
                [b"restored", issued.pk],
            )


def _due_url():
    return reverse("admin:letters_requestdueforerasure_changelist")


def test_a_lead_sees_only_their_own_bodys_requests_due_for_erasure(
    issued, victim_issued, foi_lead_client
):
    response = foi_lead_client.get(_due_url())

    assert response.status_code == 200
    assert issued.request.reference in response.content.decode()
    assert victim_issued.request.reference not in response.content.decode()


def test_an_officer_cannot_open_the_erasure_screen(issued, foi_officer_client):
    assert foi_officer_client.get(_due_url()).status_code == 403


def test_a_lead_erases_selected_requesters_from_the_screen(issued, foi_lead, foi_lead_client):
    response = foi_lead_client.post(
        _due_url(),
        {"action": "erase_requesters", "_selected_action": [issued.request_id]},
        follow=True,
    )

    assert response.status_code == 200
    requester = Request.objects.get(pk=issued.request_id).requester
    assert requester.erased_on is not None
    assert audit.history_for(requester).get(action="requester.erased").actor == "lead"


def test_a_lead_cannot_erase_another_bodys_requester(victim_issued, foi_lead_client):
    foi_lead_client.post(
        _due_url(), {"action": "erase_requesters", "_selected_action": [victim_issued.request_id]}
    )

    assert Request.objects.get(pk=victim_issued.request_id).requester.erased_on is None
