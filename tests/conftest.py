"""Role-named clients and shared fixtures. Every role belongs to one organisation,
``organisation``; ``other_organisation`` is one they do not belong to.

Today is one fixture, ``today``. ``--today=YYYY-MM-DD`` (or ``FOI_TEST_TODAY``) moves Python's
clock to noon Europe/London on that date for the whole session, so the tests that read today
(marked ``reads_today``) can be run on a Saturday, a bank holiday and 29 February; the
database server's clock is not moved, so no test may rely on its ``now()``."""

import datetime
import importlib
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from foiregister.kernel.roles import (
    ADMINISTRATOR,
    COMMISSIONER,
    FOI_LEAD,
    FOI_OFFICER,
    ensure_roles,
)
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


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a finished sign-in: password *and* code. The
    session is marked verified with a confirmed authenticator, as django-otp's own
    ``otp_login`` would; tests of the sign-in itself post to the real forms instead."""
    password_only = Client.force_login

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        password_only(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "password_only_login", password_only, raising=False)


@pytest.fixture(autouse=True)
def _public_search_unthrottled(settings):
    """The privacy crawl and the page tests search hundreds of times from one address; the
    search limit has its own tests (tests/disclosure/test_search_throttle.py)."""
    settings.PUBLIC_SEARCH_RATE = "1000000/second"


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Staffordshire and Stoke-on-Trent ICB", ods_code="QNC")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(
        name="The Dudley Group NHS Foundation Trust", ods_code="RNA", kind="trust"
    )


def member(organisation, role, username):
    """A staff member of ``organisation`` in ``role`` (a fixture of another scope may need one)."""
    ensure_roles()
    from django.contrib.auth.models import Group

    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    organisation.members.add(user)
    return user


@pytest.fixture
def foi_officer(organisation):
    return member(organisation, FOI_OFFICER, "officer")


@pytest.fixture
def foi_lead(organisation):
    return member(organisation, FOI_LEAD, "lead")


@pytest.fixture
def commissioner(organisation):
    return member(organisation, COMMISSIONER, "commissioner")


@pytest.fixture
def administrator(organisation):
    return member(organisation, ADMINISTRATOR, "administrator")


@pytest.fixture
def install_operator(db):
    """The install's operator: a superuser, the only one who edits install-wide reference
    data (the holiday table, exemptions, new organisations)."""
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


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


@pytest.fixture(scope="session", autouse=True)
def _sqlite_flush_passes_the_audit_guard():
    """Let a transactional test's flush empty the append-only audit table (and issued
    letters) on SQLite.

    PostgreSQL flushes with TRUNCATE, which the audit triggers do not see; SQLite has no
    TRUNCATE and flushes with DELETE, which they refuse (migration
    ``foiregister.0004_audit_log_append_only``). Only here, for the test database, the
    flush lifts the SQLite triggers and puts the same SQL back after."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            # The issued-letter guards (letters.0002) refuse DELETE too: a browser
            # journey that issues a letter is flushed the same way.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND (tbl_name IN (%s, %s, %s) OR tbl_name LIKE %s)",
                # The audit log, issued letters and their documents (letters 0002), and
                # completed metrics runs, their results and cited datasets (metrics
                # 0003, 0004): a browser test that opens a run page is flushed too.
                [
                    "foiregister_auditevent",
                    "letters_letter",
                    "letters_letterdocument",
                    "metrics_%",
                ],
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                for _, sql in triggers:
                    cursor.execute(sql)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _statutory_exemptions_survive_flushes(request):
    """A transactional test's flush empties every table, the FOIA and EIR exemptions that
    migration 0002 loads among them; the transactional tests that run after it (browser
    journeys, real workers) would then find no s.40(2). Put them back before each one."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    importlib.import_module("foiregister.migrations.0002_exemptions").load(apps, None)
