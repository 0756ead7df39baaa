"""The register's demo data: the three seed letters as requests, and generated open
requests that show the officer late, amber and on-time cases. Loading is slow, so each
test loads once and checks one side of the demo."""

import pytest

from demo import requests as demo
from foiregister.requests import selectors
from foiregister.requests.models import Request, Requester

pytestmark = [pytest.mark.django_db, pytest.mark.embedded, pytest.mark.reads_today]
SEEDS = ["FOI/0925/1434", "FOI-11-620", "FOI-072025-0001782"]


def test_seed_letters_are_requests_with_their_questions_and_answers():
    """Seeds 000 (FOI/0925/1434, eight questions), 003 (FOI-11-620, received 22 Nov 2023,
    answered 1 Dec 2023, three questions) and 002 (Dudley, FOI-072025-0001782, three)."""
    demo.load()
    staffs, referral, dudley = (Request.objects.get(reference=r) for r in SEEDS)
    assert (staffs.organisation.ods_code, staffs.questions.count()) == ("QNC", 8)
    assert (referral.organisation.ods_code, referral.questions.count()) == ("QNC", 3)
    assert (dudley.organisation.ods_code, dudley.questions.count()) == ("RNA", 3)
    kinds = list(staffs.questions.order_by("number").values_list("answer_kind", flat=True))
    assert kinds[:4] == ["elsewhere", "elsewhere", "provided", "not_held"]
    assert staffs.questions.get(number=1).elsewhere_url.startswith("https://")
    assert selectors.date_of_receipt(referral.received_at).isoformat() == "2023-11-22"
    assert referral.status == Request.Status.RESPONDED
    assert referral.responded_on.isoformat() == "2023-12-01"
    count = Request.objects.count()
    demo.load()
    assert Request.objects.count() == count


def test_generated_open_requests_show_late_amber_and_on_time_with_fictional_requesters(today):
    demo.load()
    cal = selectors.working_day_calendar()
    states = {
        selectors.deadline_state(
            selectors.working_days_left(r, today=today, cal=cal), is_open=True
        )
        for r in selectors.open_requests().exclude(reference__in=SEEDS)
    }
    assert {"late", "due_soon", "on_time"} <= states
    for requester in Requester.objects.all():
        assert "fictional" in requester.name.lower()
        assert requester.email.endswith(".invalid")


def test_the_demo_administrator_is_no_superuser_and_cannot_grant_foi_roles():
    """`make run`'s "admin" shows the Administrator role as an install has it (issue 12
    item 1): it grants the Commissioner and Administrator roles, not the FOI ones."""
    from django.contrib.auth import get_user_model

    from foiregister.kernel import staff

    loaded = demo.load()
    admin = get_user_model().objects.get(username="admin")
    organisation = next(iter(loaded["organisations"].values()))

    assert not admin.is_superuser
    assert set(staff.roles_grantable_by(admin, organisation=organisation)) == {
        "Commissioner",
        "Administrator",
    }
