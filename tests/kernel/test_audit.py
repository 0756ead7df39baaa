"""The audit log's one shape (issue 11) and its append-only table (issue 12, item 16)."""

import datetime
import enum
import pathlib
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction

from contracts.models import ContractChange
from foiregister.kernel import audit
from foiregister.kernel.models import AuditEvent
from foiregister.requests.models import RequestEvent
from tests.factories.foiregister import OrganisationFactory, UserFactory

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.embedded


# -- one enumeration of actions ---------------------------------------------------------


@pytest.mark.django_db
def test_an_action_outside_the_enumeration_is_refused():
    organisation = OrganisationFactory()
    with pytest.raises(audit.AuditError, match="not an audit action"):
        audit.record_event(action="request.loggd", obj=organisation, by=audit.system("a typo"))
    assert not AuditEvent.objects.exists()


def test_every_timeline_event_kind_has_its_action():
    assert {f"request.event.{k}" for k in RequestEvent.Kind.values} <= set(
        audit.AuditAction.values
    )


def test_every_contract_change_kind_has_its_action():
    assert {f"contract.{k}" for k in ContractChange.Kind.values} <= set(audit.AuditAction.values)


# ``action="x.y"``, ``_audit("x.y"``, ``action = "x.y"``: a literal action in the code.
LITERAL_ACTION = re.compile(r"""(?:action\s*=\s*|_audit\(\s*)["']([a-z_]+(?:\.[a-z_]+)+)["']""")
# contracts' ``_save_audited``/``stage_save`` add ``.created`` or ``.updated`` to a prefix.
CONTRACTS_PREFIX = re.compile(r"""action\s*=\s*["']([a-z_]+)["']""")


def _code(*packages):
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path.read_text(encoding="utf-8")


def test_the_drift_check_recognises_how_services_write_actions():
    assert LITERAL_ACTION.findall('record_event(action="request.loggd", obj=r)') == [
        "request.loggd"
    ]
    assert LITERAL_ACTION.findall('_audit("letter.sent", letter, by)') == ["letter.sent"]


def test_every_action_written_as_a_string_in_the_code_is_in_the_enumeration():
    """A drift check: an action string added to a service without its member fails here,
    before ``record_event`` refuses it in production."""
    found = set()
    for text in _code("foiregister", "contracts", "metrics", "demo"):
        found |= set(LITERAL_ACTION.findall(text))
    assert found - set(audit.AuditAction.values) == set()


def test_every_register_action_prefix_has_its_created_and_updated_actions():
    services = (ROOT / "contracts" / "services.py").read_text(encoding="utf-8")
    prefixes = set(CONTRACTS_PREFIX.findall(services))
    assert prefixes, "no prefix found: the pattern no longer matches contracts/services.py"
    wanted = {f"{p}.{verb}" for p in prefixes for verb in ("created", "updated")}
    assert wanted - set(audit.AuditAction.values) == set()


# -- who did it ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_audit_row_without_its_actor_is_refused():
    organisation = OrganisationFactory()
    with pytest.raises(audit.AuditError, match="needs the actor"):
        audit.record_event(action=audit.AuditAction.HOLIDAY_ADDED, obj=organisation, by=None)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_system_job_is_recorded_by_its_name():
    organisation = OrganisationFactory()
    row = audit.record_event(
        action=audit.AuditAction.HOLIDAY_ADDED,
        obj=organisation,
        by=audit.system("celery beat: deadline reminders"),
    )
    row.refresh_from_db()
    assert (row.actor, row.actor_id) == ("system: celery beat: deadline reminders", "")


def test_a_system_actor_must_say_which_job_it_is():
    with pytest.raises(audit.AuditError):
        audit.system("  ")


@pytest.mark.django_db
def test_a_bulk_row_without_its_actor_is_refused():
    organisation = OrganisationFactory()
    row = AuditEvent(action="holiday.added", object_type="x", object_id="1")
    with pytest.raises(audit.AuditError, match="no actor"):
        audit.record_bulk([row])
    assert not AuditEvent.objects.filter(object_id=str(organisation.pk)).exists()


# -- one value normaliser -----------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.django_db
def test_every_changes_value_is_written_in_one_json_friendly_form():
    user = UserFactory(username="normaliser")
    organisation = OrganisationFactory()
    changes = {
        "money": Decimal("3091519.00"),
        "tiny": Decimal("1E-7"),
        "large": Decimal("3.1E+6"),
        "day": datetime.date(2026, 2, 28),
        "at": datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC),
        "row": organisation,
        "user": user,
        "colour": Colour.RED,
        "status": RequestEvent.Kind.CLOSED,
        "tags": {"b", "a"},
        "pair": (datetime.date(2026, 1, 1), None),
        "nested": {"when": [datetime.date(2026, 1, 2), {"amount": Decimal("0.30")}]},
        "file": ContentFile(b"x", name="answer.xlsx"),
    }
    row = audit.record_event(
        action=audit.AuditAction.HOLIDAY_ADDED, obj=organisation, by=user, changes=changes
    )
    row.refresh_from_db()
    assert row.changes == {
        "money": "3091519.00",
        "tiny": "0.0000001",
        "large": "3100000",
        "day": "2026-02-28",
        "at": "2026-03-01T09:30:00+00:00",
        "row": organisation.pk,
        "user": user.pk,
        "colour": "red",
        "status": "closed",
        "tags": ["a", "b"],
        "pair": ["2026-01-01", None],
        "nested": {"when": ["2026-01-02", {"amount": "0.30"}]},
        "file": "answer.xlsx",
    }


def test_a_value_the_normaliser_does_not_know_is_refused_not_guessed():
    with pytest.raises(audit.AuditError, match="cannot record a object"):
        audit.plain(object())


# -- append-only ----------------------------------------------------------------------------


@pytest.fixture
def row(db):
    organisation = OrganisationFactory()
    return audit.record_event(
        action=audit.AuditAction.HOLIDAY_ADDED,
        obj=organisation,
        by=audit.system("append-only test"),
        changes={"date": datetime.date(2026, 12, 25)},
    )


def _refused(action):
    """``action`` raises IntegrityError inside a savepoint, so the test's transaction lives."""
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_an_audit_row_cannot_be_saved_again_through_the_orm(row):
    row.actor = "someone else"
    _refused(row.save)
    assert AuditEvent.objects.get(pk=row.pk).actor == "system: append-only test"


def test_audit_rows_cannot_be_updated_in_bulk_through_the_orm(row):
    _refused(lambda: AuditEvent.objects.filter(pk=row.pk).update(changes={}))
    assert AuditEvent.objects.get(pk=row.pk).changes == {"date": "2026-12-25"}


def test_an_audit_row_cannot_be_deleted_through_the_orm(row):
    _refused(row.delete)
    _refused(AuditEvent.objects.all().delete)
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_an_audit_row_cannot_be_updated_with_raw_sql(row):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)

    def update():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET note = %s WHERE id = %s", ["edited", row.pk])

    _refused(update)
    assert AuditEvent.objects.get(pk=row.pk).note == ""


def test_an_audit_row_cannot_be_deleted_with_raw_sql(row):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)

    def delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")

    _refused(delete)
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_an_erasure_may_scrub_the_values_of_a_row_and_nothing_else(row):
    """The one exception (migration 0006): records management rewrites the values, marks the
    row scrubbed, and leaves who did what to which object, when."""
    rows = AuditEvent.objects.filter(pk=row.pk)

    rows.update(changes={}, note="", object_repr="(erased)", scrubbed_on=datetime.date(2029, 1, 5))

    scrubbed = rows.get()
    assert (scrubbed.changes, scrubbed.object_repr) == ({}, "(erased)")
    _refused(lambda: rows.update(scrubbed_on=datetime.date(2029, 1, 4), note="back-dated"))
    _refused(lambda: rows.update(scrubbed_on=datetime.date(2029, 2, 1), actor="someone else"))
    _refused(lambda: rows.update(scrubbed_on=datetime.date(2029, 2, 1), action="request.changed"))
    _refused(lambda: rows.update(changes={"date": "forged"}, scrubbed_on=None))
    assert rows.get().actor == "system: append-only test"


def test_new_audit_rows_can_still_be_written(row):
    audit.record_event(
        action=audit.AuditAction.HOLIDAY_REMOVED, obj=row, by=audit.system("append-only test")
    )
    assert AuditEvent.objects.count() == 2


def test_the_admin_offers_no_way_to_change_or_delete_an_audit_row(row, admin_client):
    change = admin_client.post(
        f"/admin/foiregister/auditevent/{row.pk}/change/", {"note": "edited"}
    )
    delete = admin_client.post(f"/admin/foiregister/auditevent/{row.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        "/admin/foiregister/auditevent/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert change.status_code == 403
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=row.pk).note == ""


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_write_audit_rows_and_still_be_flushed():
    """The test database's flush (TRUNCATE on PostgreSQL, DELETE on SQLite) must pass the
    append-only guard, or every transactional test after this one would fail to start."""
    audit.record_event(
        action=audit.AuditAction.HOLIDAY_ADDED,
        obj=OrganisationFactory(),
        by=audit.system("flush test"),
    )
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_flushed_audit_table_is_empty_and_still_append_only():
    assert not AuditEvent.objects.exists()
    row = audit.record_event(
        action=audit.AuditAction.HOLIDAY_ADDED,
        obj=OrganisationFactory(),
        by=audit.system("flush test"),
    )
    _refused(row.delete)
