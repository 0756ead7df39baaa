"""Links between requests (same requester, repeated, round robin), shown on both."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from foiregister.kernel import audit
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import (
    Request,
    RequestLink,
)


def validate_link(*, request: Request, other: Request) -> None:
    """The checks ``link_requests`` makes, also used by the admin's inline so the officer
    sees the reason on the field."""
    if request.pk == other.pk:
        raise ValidationFailed("a request cannot be linked to itself", field="to_request")
    if (
        RequestLink.objects.filter(from_request=other, to_request=request).exists()
        or RequestLink.objects.filter(from_request=request, to_request=other).exists()
    ):
        raise ValidationFailed(
            f"{request.reference} and {other.reference} are already linked", field="to_request"
        )


@transaction.atomic
def link_requests(*, request: Request, other: Request, kind: str, by: Any) -> RequestLink:
    validate_link(request=request, other=other)
    link = RequestLink.objects.create(from_request=request, to_request=other, kind=kind)
    for obj in (request, other):
        partner = other if obj is request else request
        # Each body's audit log names the other body's request by organisation only.
        with_ = (
            partner.reference
            if partner.organisation_id == obj.organisation_id
            else f"a request of {partner.organisation}"
        )
        audit.record_event(
            action=audit.AuditAction.REQUEST_LINKED,
            obj=obj,
            by=by,
            organisation_id=obj.organisation_id,
            changes={"kind": kind, "with": with_},
        )
    return link
