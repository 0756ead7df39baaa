"""Role-named clients and shared fixtures. Every role belongs to one organisation,
``organisation``; ``other_organisation`` is one they do not belong to.

Today is one fixture, ``today``. ``--today=YYYY-MM-DD`` (or ``FOI_TEST_TODAY``) moves Python's
clock to noon Europe/London on that date for the whole session, so the tests that read today
(marked ``reads_today``) can be run on a Saturday, a bank holiday and 29 February; the
database server's clock is not moved, so no test may rely on its ``now()``."""

import datetime
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from foiregister.selectors import ADMINISTRATOR, COMMISSIONER, FOI_LEAD, FOI_OFFICER
from foiregister.services import ensure_roles
from tests.factories.foiregister import OrganisationFactory, UserFactory

TODAY_VARIABLE = "FOI_TEST_TODAY"


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        default=os.environ.get(TODAY_VARIABLE) or None,
        help=f"run with Python's clock at noon Europe/London on this date (or ${TODAY_VARIABLE})",
    )


def pytest_configure(config):
    value = config.getoption("--today")
    if not value:
        return
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise pytest.UsageError(
            f"--today / {TODAY_VARIABLE}: {value!r} is not a YYYY-MM-DD date"
        ) from error
    # Noon, so the date is the same in London and UTC; ticking, so timeouts and the browser
    # tests still see time pass.
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=ZoneInfo("Europe/London"))
    traveller = time_machine.travel(noon, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    value = config.getoption("--today")
    return f"today: {value} (Python's clock moved; the database's is not)" if value else None


def pytest_collection_modifyitems(items):
    """A test that takes the ``today`` fixture reads today: mark it, so the dated reruns pick
    it up. A test parametrised with its own ``today`` does not."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "today" in callspec.params:
            continue
        if "today" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reads_today)


@pytest.fixture
def today() -> datetime.date:
    """The one "today" of the tests: the date in Europe/London, as the register reads it."""
    return timezone.localdate()


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Staffordshire and Stoke-on-Trent ICB", ods_code="QNC")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(
        name="The Dudley Group NHS Foundation Trust", ods_code="RNA", kind="trust"
    )


def _member(organisation, role, username):
    ensure_roles()
    from django.contrib.auth.models import Group

    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    organisation.members.add(user)
    return user


@pytest.fixture
def foi_officer(organisation):
    return _member(organisation, FOI_OFFICER, "officer")


@pytest.fixture
def foi_lead(organisation):
    return _member(organisation, FOI_LEAD, "lead")


@pytest.fixture
def commissioner(organisation):
    return _member(organisation, COMMISSIONER, "commissioner")


@pytest.fixture
def administrator(organisation):
    return _member(organisation, ADMINISTRATOR, "administrator")


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def foi_officer_client(foi_officer):
    return _client_for(foi_officer)


@pytest.fixture
def foi_lead_client(foi_lead):
    return _client_for(foi_lead)


@pytest.fixture
def commissioner_client(commissioner):
    return _client_for(commissioner)


@pytest.fixture
def public_client():
    return Client()
