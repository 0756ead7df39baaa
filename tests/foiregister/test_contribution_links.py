"""Contributions that reach the department (issue 13): a signed, expiring link to a page
with only its questions, answered there, chased before its deadline, accepted by the officer."""

import datetime

import pytest
import time_machine
from django.core import mail, signing

from foiregister.kernel.models import AuditEvent
from foiregister.requests import services
from foiregister.requests.models import Contribution
from tests.factories.foiregister import DepartmentFactory, RequesterFactory, log_request

D = datetime.date
pytestmark = pytest.mark.django_db
CANARY = "Zebedee Canary-Requester"


@pytest.fixture
def asked(organisation, foi_officer):
    requester = RequesterFactory(
        organisation=organisation, name=CANARY, email="zebedee@example.org"
    )
    request = log_request(
        organisation=organisation,
        requester=requester,
        received_on=D(2026, 11, 2),
        questions=["How many MRI scanners?", "Who maintains them?", "What is the budget?"],
    )
    department = DepartmentFactory(
        organisation=organisation, name="Planned Care", email="planned.care@example.nhs.uk"
    )
    q1, q2, _ = request.questions.order_by("number")
    contribution = services.ask_department(
        request=request,
        department=department,
        questions=[q1, q2],
        by=foi_officer,
        asked_on=D(2026, 11, 3),
        internal_due_on=D(2026, 11, 17),
    )
    return services.email_contribution(
        contribution=contribution, by=foi_officer, base_url="http://testserver/"
    )


def _link(contribution):
    return "/contribute/" + services.contribution_token(contribution) + "/"


def test_the_department_is_emailed_its_questions_with_a_link(client, asked):
    (message,) = mail.outbox
    assert message.to == ["planned.care@example.nhs.uk"]
    assert "Q1. How many MRI scanners?" in message.body
    assert "Q2. Who maintains them?" in message.body
    assert "budget" not in message.body
    link = message.body.rsplit("\n", 1)[-1]
    assert link.startswith("http://testserver/contribute/")
    assert b"How many MRI scanners?" in client.get(link.removeprefix("http://testserver")).content
    assert CANARY not in message.body and "zebedee" not in message.body
    assert AuditEvent.objects.filter(action="contribution.emailed").exists()


def test_the_page_shows_only_the_departments_questions_and_no_requester(client, asked):
    page = client.get(_link(asked)).content.decode()
    assert "How many MRI scanners?" in page and "Who maintains them?" in page
    assert "What is the budget?" not in page
    assert CANARY not in page and "zebedee" not in page
    assert asked.request.title not in page


def test_the_department_answers_through_the_link(client, asked):
    response = client.post(_link(asked), {"q1": "Four.", "q2": "The supplier, under contract."})
    assert response.status_code == 200 and b"Answers sent" in response.content
    asked.refresh_from_db()
    assert asked.status == Contribution.Status.ANSWERED
    assert asked.answers == {"1": "Four.", "2": "The supplier, under contract."}
    row = AuditEvent.objects.get(action="contribution.answered")
    assert row.actor.startswith("system: Planned Care") or "Planned Care" in row.actor


def test_every_question_must_be_answered(client, asked):
    response = client.post(_link(asked), {"q1": "Four.", "q2": "  "})
    assert response.status_code == 400
    assert b"Q2" in response.content
    asked.refresh_from_db()
    assert asked.status == Contribution.Status.ASKED


def test_a_tampered_link_is_refused(client, asked):
    token = services.contribution_token(asked)
    response = client.get(f"/contribute/{token[:-2]}xx/")
    assert response.status_code == 404 and b"not valid" in response.content


def test_a_link_expires(client, asked, settings):
    settings.FOI_CONTRIBUTION_LINK_DAYS = 30
    link = _link(asked)
    with time_machine.travel(asked.emailed_at + datetime.timedelta(days=31), tick=False):
        response = client.get(link)
    assert response.status_code == 410 and b"expired" in response.content


def test_sending_again_revokes_the_old_link(client, asked, foi_officer):
    old = _link(asked)
    with time_machine.travel(asked.emailed_at + datetime.timedelta(seconds=5), tick=False):
        services.email_contribution(contribution=asked, by=foi_officer, base_url="http://t/")
    response = client.get(old)
    assert response.status_code == 410 and b"replaced" in response.content


def test_the_token_names_nothing_but_the_contribution(asked):
    data = signing.loads(services.contribution_token(asked), salt=services.LINK_SALT)
    assert set(data) == {"c", "s"}


def test_the_officer_accepts_the_answer_into_the_response(client, asked, foi_officer):
    client.post(_link(asked), {"q1": "Four.", "q2": "The supplier."})
    filled = services.accept_contribution(contribution=asked, by=foi_officer)
    assert [q.number for q in filled] == [1, 2]
    q1 = asked.request.questions.get(number=1)
    assert (q1.answer, q1.answer_kind) == ("Four.", "provided")
    assert asked.request.questions.get(number=3).answer == ""
    assert AuditEvent.objects.filter(action="contribution.accepted").exists()


def test_a_department_is_chased_two_working_days_before_its_deadline(asked):
    """Deadline Tue 17 Nov 2026: chased from Fri 13 Nov (two working days before: Mon 16,
    Tue 17), not on Thu 12 Nov, and once a day at most."""
    mail.outbox.clear()
    assert services.chase_contributions(today=D(2026, 11, 12)) == 0
    assert services.chase_contributions(today=D(2026, 11, 13)) == 1
    assert "Reminder" in mail.outbox[0].subject
    assert services.chase_contributions(today=D(2026, 11, 13)) == 0
    assert AuditEvent.objects.filter(action="contribution.chased").count() == 1


def test_an_answered_department_is_not_chased(client, asked):
    client.post(_link(asked), {"q1": "Four.", "q2": "The supplier."})
    mail.outbox.clear()
    assert services.chase_contributions(today=D(2026, 11, 16)) == 0
