"""The daily expiry warnings job: once per horizon, to the owner."""

import datetime

from django.core import mail

from contracts import services, tasks
from contracts.models import ExpiryWarning
from tests.factories import TEST_DATA
from tests.factories import contracts as f
from tests.factories.foiregister import UserFactory

D = datetime.date


def _contract(organisation, **kw):
    owner = UserFactory(username="owner", email="owner@icb.example")
    kw.setdefault("end_date", D(2027, 1, 31))
    return f.contract(organisation=organisation, owner=owner, **kw)


def test_warning_is_emailed_to_the_owner_when_12_months_remain(organisation):
    _contract(organisation)

    sent = tasks.send_expiry_warnings("2026-01-31")

    assert sent == 1
    assert mail.outbox[0].to == ["owner@icb.example"]
    assert "31 January 2027" in mail.outbox[0].subject


def test_nothing_is_sent_before_the_first_horizon(organisation):
    _contract(organisation)

    tasks.send_expiry_warnings("2026-01-30")

    assert mail.outbox == []


def test_each_horizon_is_sent_once_however_often_the_job_runs(organisation):
    _contract(organisation)

    for day in (
        "2026-01-31",
        "2026-02-01",
        "2026-07-31",
        "2026-08-01",
        "2026-10-31",
        "2026-11-01",
    ):
        tasks.send_expiry_warnings(day)

    assert len(mail.outbox) == 3
    assert sorted(ExpiryWarning.objects.values_list("horizon", flat=True)) == ["12m", "3m", "6m"]


def test_notice_period_is_its_own_horizon(organisation):
    _contract(organisation, notice_period_days=60)

    tasks.send_expiry_warnings("2026-10-31")  # 3 months: 12m, 6m and 3m reached together
    tasks.send_expiry_warnings("2026-12-02")  # 60 days before 31 Jan 2027

    assert len(mail.outbox) == 2
    assert ExpiryWarning.objects.filter(horizon="notice").count() == 1


def test_an_extension_starts_the_warnings_again_for_the_new_end_date(organisation):
    contract = _contract(organisation, latest_end_date=D(2028, 1, 31))
    tasks.send_expiry_warnings("2026-01-31")
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2026, 3, 1),
        new_end_date=D(2028, 1, 31),
        reason="Option 1",
        by=TEST_DATA,
    )

    tasks.send_expiry_warnings("2027-01-31")

    assert len(mail.outbox) == 2
    assert "31 January 2028" in mail.outbox[1].subject


def test_contracts_without_an_owner_or_already_ended_are_not_emailed(organisation):
    f.contract(organisation=organisation, end_date=D(2026, 6, 30))
    _contract(organisation, end_date=D(2025, 12, 31))

    tasks.send_expiry_warnings("2026-01-31")

    assert mail.outbox == []


def test_sending_is_audited_as_the_system(organisation):
    from foiregister.kernel.audit import history_for

    contract = _contract(organisation)

    tasks.send_expiry_warnings("2026-01-31")

    event = history_for(contract).get(action="contract.expiry_warning_sent")
    assert event.actor == "system: celery beat: contract expiry warnings"
    assert event.changes["horizons"] == [None, ["12m"]]


def test_a_notice_period_longer_than_every_horizon_is_still_warned(organisation):
    """A 15-month (456-day) notice on a contract ending 31 Jan 2028 must be given by
    1 Nov 2026 (hand count), 15 months before the end: further out than the 12-month
    horizon, so the job must not look only at contracts ending within a year."""
    _contract(organisation, end_date=D(2028, 1, 31), notice_period_days=456)

    tasks.send_expiry_warnings("2026-11-01")

    assert [w.horizon for w in ExpiryWarning.objects.all()] == ["notice"]
    assert len(mail.outbox) == 1
    assert "the last day to give notice" in mail.outbox[0].body


def test_horizons_are_configurable(organisation, settings):
    """An organisation that wants 18 months' and 1 month's warning: 18 months before
    31 Jan 2027 is 31 Jul 2025."""
    settings.CONTRACTS_EXPIRY_WARNING_MONTHS = (1, 18)
    _contract(organisation)

    tasks.send_expiry_warnings("2025-07-30")
    tasks.send_expiry_warnings("2025-07-31")
    tasks.send_expiry_warnings("2026-01-31")  # 12 months: no longer a horizon

    assert [w.horizon for w in ExpiryWarning.objects.all()] == ["18m"]
    assert "18 months before it ends" in mail.outbox[0].body
