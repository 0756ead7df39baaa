"""The audit history: one table, written explicitly by services in their transaction.

Chosen over signal-based history (django-simple-history, django-auditlog) for the reason the
NHS breast screening service gives in its ADR-004: signals miss bulk updates and raw SQL, and
we want bulk operations (a holiday recompute, an import) audited too. Rows carry text ids,
never foreign keys, so audit never blocks live data.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields' current values, as JSON-friendly values."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def record_event(
    *,
    action: str,
    obj: models.Model,
    by: Any = None,
    organisation_id: Any = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Write one audit row. ``by`` is a user, or None for the system (a scheduled job)."""
    return AuditEvent.objects.create(
        actor_id=str(by.pk) if by is not None and by.pk else "",
        actor=(by.get_username() if by is not None else "system")[:150],
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        organisation_id=str(organisation_id or ""),
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        note=note,
    )


def record_bulk(events: list[AuditEvent]) -> None:
    """Write many audit rows at once (recomputations, imports)."""
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def history_for(obj: models.Model):
    return AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
