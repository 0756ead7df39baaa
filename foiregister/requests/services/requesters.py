"""Requesters: private from the first byte, written only here.

The audit rows say which of a requester's fields were given or changed, never their values:
the requester's details are erased after the retention period (issue 12, item 15) and an
append-only log cannot be erased, so it must never hold them. The rows name the requester
by id only, for the same reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from foiregister.kernel import audit, hooks
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import (
    Organisation,
    Request,
    Requester,
)

REQUESTER_FIELDS = ("organisation", "name", "email", "postal_address", "telephone", "kind")


def _label(requester: Requester) -> str:
    return f"requester {requester.pk}"


def _check(requester: Requester, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(REQUESTER_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"a requester has no field {', '.join(sorted(unknown))}", field=None
        )
    for name, value in fields.items():
        setattr(requester, name, value)
    try:
        requester.full_clean()
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(f"{field}: {' '.join(messages)}", field=field) from exc


@transaction.atomic
def create_requester(
    *, organisation: Organisation, name: str, by: Any, **fields: Any
) -> Requester:
    requester = Requester()
    _check(requester, {"organisation": organisation, "name": name, **fields})
    requester.save()
    given = sorted(n for n in REQUESTER_FIELDS if n != "organisation" and n != "kind")
    audit.record_event(
        action=audit.AuditAction.REQUESTER_CREATED,
        obj=requester,
        by=by,
        organisation_id=organisation.pk,
        changes={"fields": [n for n in given if getattr(requester, n)]},
        object_repr=_label(requester),
    )
    return requester


@transaction.atomic
def update_requester(*, requester: Requester, by: Any, **fields: Any) -> Requester:
    """Change a requester's details; audit the names of the fields that changed."""
    requester = Requester.objects.select_for_update().get(pk=requester.pk)
    before = {n: getattr(requester, n) for n in REQUESTER_FIELDS}
    _check(requester, fields)
    changed = sorted(n for n in REQUESTER_FIELDS if getattr(requester, n) != before[n])
    if not changed:
        return requester
    requester.save(update_fields=[f for f in REQUESTER_FIELDS if f in changed])
    audit.record_event(
        action=audit.AuditAction.REQUESTER_CHANGED,
        obj=requester,
        by=by,
        organisation_id=requester.organisation_id,
        changes={"fields": changed},
        object_repr=_label(requester),
    )
    return requester


# Where a higher layer erases the copies of a requester's details it keeps (the intake's
# email as received), inside the erasure's transaction: the letters layer runs the erasure
# and may not import the intake beside it (docs/adr/0009-named-hooks.md). A step is called
# as ``step(requests=..., scrub=..., today=...)``, where ``scrub(text)`` blanks the
# requester's details in free text, and returns how many records it changed.
requester_erased: hooks.Hook[int] = hooks.Hook("requests: requester erased")


def erase_requester_elsewhere(
    *, requests: list[Request], scrub: Callable[[str], str], today: datetime.date
) -> int:
    """Run every registered erasure step; the number of records they changed."""
    return sum(requester_erased.call(requests=requests, scrub=scrub, today=today))
