"""The audit log's one shape (issue 11) and its append-only table (issue 12, item 16)."""

import datetime
import enum
import pathlib
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

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


# ``action="x.y"``, ``_audit("x.y"``, ``action = "x.y"``: every literal action in the code.
LITERAL_ACTION = re.compile(r"""(?:action\s*=\s*|_audit\(\s*)["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def test_every_action_written_in_the_code_is_in_the_enumeration():
    """A drift check: an action string added to a service without its member fails here,
    before ``record_event`` refuses it in production."""
    found = set()
    for package in ("foiregister", "contracts", "metrics", "demo"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found |= set(LITERAL_ACTION.findall(path.read_text(encoding="utf-8")))
    assert found, "the pattern found no actions: it no longer matches how services write them"
    assert found - set(audit.AuditAction.values) == set()


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
