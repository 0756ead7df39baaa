"""A termination recorded ahead of its date: the contract is in force until the termination
date (OCDS contractStatus "active") and terminated from that date on ("terminated": "has
now come to a close"), on every screen, in the warnings and in the OCDS export.

Dates are taken from the suite's ``today`` and written out by hand: 150 days ahead is
within the six-month horizon and not the three-month one."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from contracts import ocds, selectors, services
from tests.factories import TEST_DATA
from tests.factories import contracts as f

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _terminated(organisation, *, agreed_on, terminates_on, **fields):
    contract = f.contract(
        organisation=organisation,
        reference="SSOT-CT-2024",
        title="Mobile CT scanning",
        start_date=agreed_on - 400 * DAY,
        end_date=terminates_on + 400 * DAY,
        is_public=True,
        **fields,
    )
    services.record_contract_change(
        contract,
        kind="termination",
        effective_on=agreed_on,
        new_end_date=terminates_on,
        reason="Service brought in-house",
        by=TEST_DATA,
    )
    contract.refresh_from_db()
    return contract


@pytest.fixture
def terminating(organisation, today):
    """Termination agreed ten days ago, taking effect 150 days from today."""
    return _terminated(organisation, agreed_on=today - 10 * DAY, terminates_on=today + 150 * DAY)


@pytest.fixture
def terminated_today(organisation, today):
    return _terminated(organisation, agreed_on=today - 60 * DAY, terminates_on=today)


def test_admin_list_and_page_read_active_until_the_termination_date(
    commissioner_client, terminating, today
):
    expected = f"Active; terminates on {_long_date(today + 150 * DAY)}"

    listing = commissioner_client.get(reverse("admin:contracts_contract_changelist"))
    page = commissioner_client.get(
        reverse("admin:contracts_contract_change", args=[terminating.pk])
    )

    assert expected in listing.content.decode()
    assert expected in page.content.decode()


def test_admin_list_reads_terminated_from_the_termination_date(
    commissioner_client, terminated_today
):
    listing = commissioner_client.get(reverse("admin:contracts_contract_changelist")).content

    assert b"Active; terminates" not in listing
    assert b'<td class="field-status_today">Terminated</td>' in listing


def test_admin_status_filter_lists_a_terminating_contract_as_active(
    commissioner_client, terminating
):
    url = reverse("admin:contracts_contract_changelist")

    active = commissioner_client.get(url, {"status_today": "active"}).content
    terminated = commissioner_client.get(url, {"status_today": "terminated"}).content

    assert b"SSOT-CT-2024" in active
    assert b"SSOT-CT-2024" not in terminated


def test_public_register_reads_active_until_the_termination_date(client, terminating, today):
    url = reverse("registers:contracts")

    page = client.get(url).content.decode()
    active = client.get(url, {"status": "active"}).content.decode()
    terminated = client.get(url, {"status": "terminated"}).content.decode()

    assert f"Active; terminates on {_long_date(today + 150 * DAY)}" in page
    assert "Mobile CT scanning" in active
    assert "Mobile CT scanning" not in terminated


def test_public_register_reads_terminated_from_the_termination_date(client, terminated_today):
    url = reverse("registers:contracts")

    page = client.get(url).content.decode()
    terminated = client.get(url, {"status": "terminated"}).content.decode()

    assert "Active; terminates" not in page
    assert "Mobile CT scanning" in terminated


def test_ending_soon_lists_a_terminating_contract_under_its_horizon(
    commissioner_client, terminating, today
):
    page = commissioner_client.get(
        reverse("admin:contracts_contract_expiring"), {"today": today.isoformat()}
    ).content.decode()

    six_months = page[page.index("6 months") :]
    assert "SSOT-CT-2024" in six_months
    assert "termination date: active until then" in page


def test_owner_is_warned_before_the_termination_date(organisation, commissioner, today):
    _terminated(
        organisation,
        agreed_on=today - 10 * DAY,
        terminates_on=today + 150 * DAY,
        owner=commissioner,
    )

    sent = services.send_expiry_warnings(today=today)

    assert {w.horizon for w in sent} == {"12m", "6m"}  # reached together: one email
    [message] = mail.outbox
    assert message.subject == (
        f"Contract SSOT-CT-2024 terminates on {(today + 150 * DAY):%d %B %Y}"
    )


def test_no_warning_once_the_contract_is_terminated(organisation, commissioner, today):
    _terminated(organisation, agreed_on=today - 60 * DAY, terminates_on=today, owner=commissioner)

    assert services.send_expiry_warnings(today=today) == []


def _at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def test_ocds_before_the_termination_date_publishes_it_as_an_amendment_of_an_active_contract(
    terminating, today
):
    package = selectors.ocds_release_package(published_date=_at_noon(today))

    releases = {r["id"]: r for r in package["releases"]}
    change = releases["ocds-xxxxxx-QNC-SSOT-CT-2024-change-1"]
    assert change["tag"] == ["contractAmendment"]
    assert change["contracts"][0]["status"] == "active"
    assert change["contracts"][0]["period"]["endDate"] == (
        f"{(today + 150 * DAY).isoformat()}T00:00:00Z"
    )
    assert "ocds-xxxxxx-QNC-SSOT-CT-2024-change-1-end" not in releases
    assert all(
        c["status"] != "terminated"
        for r in package["releases"]
        for c in r.get("contracts", [])
        if "status" in c
    )
    assert ocds.validation_errors(package) == []


def test_ocds_from_the_termination_date_adds_the_termination_release(terminating, today):
    end = today + 150 * DAY

    package = selectors.ocds_release_package(published_date=_at_noon(end))

    releases = {r["id"]: r for r in package["releases"]}
    change = releases["ocds-xxxxxx-QNC-SSOT-CT-2024-change-1"]
    ended = releases["ocds-xxxxxx-QNC-SSOT-CT-2024-change-1-end"]
    assert change["contracts"][0]["status"] == "active"  # a release never changes
    assert ended["tag"] == ["contractTermination"]
    assert ended["date"] == f"{end.isoformat()}T00:00:00Z"
    assert ended["contracts"][0]["status"] == "terminated"
    assert ocds.validation_errors(package) == []


def test_ocds_termination_taking_effect_on_its_own_date_is_one_release(organisation, today):
    _terminated(organisation, agreed_on=today, terminates_on=today)

    package = selectors.ocds_release_package(published_date=_at_noon(today))

    change = package["releases"][-1]
    assert change["id"] == "ocds-xxxxxx-QNC-SSOT-CT-2024-change-1"
    assert change["tag"] == ["contractTermination"]
    assert change["contracts"][0]["status"] == "terminated"


def test_ocds_does_not_publish_a_termination_dated_ahead(organisation, today):
    """Taking effect and ending on the same future day: nothing says "terminated" yet."""
    _terminated(organisation, agreed_on=today + 30 * DAY, terminates_on=today + 30 * DAY)

    package = selectors.ocds_release_package(published_date=_at_noon(today))

    assert [r["id"] for r in package["releases"]] == ["ocds-xxxxxx-QNC-SSOT-CT-2024-award"]
    assert package["releases"][0]["contracts"][0]["status"] == "active"


def test_expiry_outlook_counts_a_terminating_contract_in_its_quarter(terminating, today):
    from contracts import reports
    from contracts.models import Contract

    outlook = reports.expiry_outlook(contracts=Contract.objects.all(), today=today)

    assert sum(row["contracts"] for row in outlook) == 1
