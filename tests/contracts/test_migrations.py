"""Migration 0005 numbers the changes already recorded as the OCDS export last numbered
them (effective date, then id), so the release ids already published keep their meaning."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contracts", "0004_contract_source")]
AFTER = [("contracts", "0005_change_sequence_and_date_signed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_changes_are_numbered_in_the_order_the_export_used(organisation):
    from tests.factories import contracts as f

    contract = f.contract(organisation=organisation, reference="MIG-1")
    apps = _migrate(BEFORE)
    Change = apps.get_model("contracts", "ContractChange")
    # Recorded in this order (ids ascending), effective in another.
    for effective in (datetime.date(2026, 5, 1), datetime.date(2026, 1, 1)):
        Change.objects.create(
            contract_id=contract.pk, kind="variation", effective_on=effective, reason="x"
        )

    apps = _migrate(AFTER)

    Change = apps.get_model("contracts", "ContractChange")
    numbered = Change.objects.order_by("id").values_list("effective_on", "sequence")
    assert list(numbered) == [(datetime.date(2026, 5, 1), 2), (datetime.date(2026, 1, 1), 1)]
