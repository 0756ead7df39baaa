"""Saving an organisation's own settings, audited (who turned the public request form on,
who changed the reference pattern or the FOI email, and when)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import audit
from .models import Organisation

# Every setting on the organisation's admin page; ``next_sequence`` is taken under a row
# lock by the register and never edited here.
SETTINGS = (
    "name",
    "ods_code",
    "kind",
    "address",
    "foi_email",
    "telephone",
    "website",
    "signatory_name",
    "signatory_title",
    "internal_review_wording",
    "reference_pattern",
    "retention_years",
    "officers_issue_routine_letters",
    "public_request_form",
)


@transaction.atomic
def save_organisation(*, organisation: Organisation, by: Any) -> Organisation:
    """Save an organisation as edited (validated by the caller's form) and record the
    settings that changed, old and new: a public body's settings are not personal data."""
    before = {}
    stored = None
    if organisation.pk is not None:
        stored = Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if stored is not None:
            before = audit.snapshot(stored, SETTINGS)
    if stored is None:
        organisation.save()
    else:
        # The counter may have moved since the page was opened: keep the stored one.
        organisation.next_sequence = stored.next_sequence
        organisation.save(
            update_fields=[
                f.name
                for f in Organisation._meta.concrete_fields
                if not f.primary_key and f.name != "next_sequence"
            ]
        )
    changes = audit.diff(before, audit.snapshot(organisation, SETTINGS))
    if changes:
        audit.record_event(
            action=audit.AuditAction.ORGANISATION_CHANGED,
            obj=organisation,
            by=by,
            organisation_id=organisation.pk,
            changes=changes,
            object_repr=organisation.name,
        )
    return organisation
