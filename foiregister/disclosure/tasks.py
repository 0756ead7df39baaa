"""Celery wrappers for the disclosure app: they take ids, not objects."""

from __future__ import annotations

from celery import shared_task

from . import export
from .models import OrganisationExport


@shared_task
def run_organisation_export(export_id: int) -> dict[str, int]:
    """Build an organisation's export zip (foiregister.disclosure.export)."""
    job = export.run_export(export=OrganisationExport.objects.get(pk=export_id))
    return {"done": job.done, "total": job.total}
