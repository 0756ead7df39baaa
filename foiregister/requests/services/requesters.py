"""Requesters: private from the first byte, written only here."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from foiregister.kernel import audit
from foiregister.requests.models import (
    Organisation,
    Requester,
)


@transaction.atomic
def create_requester(
    *, organisation: Organisation, name: str, by: Any, **fields: Any
) -> Requester:
    requester = Requester.objects.create(organisation=organisation, name=name, **fields)
    audit.record_event(
        action="requester.created", obj=requester, by=by, organisation_id=organisation.pk
    )
    return requester
