"""An organisation's export of everything it holds, for leaving the system.

Started by one of the organisation's FOI leads (``start_export``, audited), built in Celery
(``run_export``, progress counted as it goes, audited when finished), downloaded from the
admin (audited). The zip holds, as CSV with every column of each table and the files
themselves:

- ``requests/``: departments, requests, questions, timeline events, contributions, time
  spent, links; ``requesters.csv`` only when asked for (otherwise a request's requester id
  is left empty too);
- ``letters/``: letters, answer blocks, standard wordings, documents (metadata), and the
  PDFs under ``letters/pdf/<reference>/``: the anonymised copy always, the requester's copy
  only when asked for;
- ``disclosure/``: disclosure log entries, private names, published attachments (metadata)
  and their files under ``disclosure/attachments/``;
- ``registers/``: suppliers of its contracts, contracts, their changes, spend, planned
  procurements, the CDCs it hosts or commissions with their modalities and activity,
  imaging profiles;
- ``audit/audit.csv``: the organisation's audit history, only when requesters' details are
  asked for (its rows may name a requester);
- ``manifest.json``: who, when, what was included, and every file's SHA-256.

Another organisation's rows are never read: every query starts from the organisation.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from contracts.models import (
    CdcActivity,
    CdcModality,
    CommunityDiagnosticCentre,
    Contract,
    ContractChange,
    ContractSpend,
    PlannedProcurement,
    Supplier,
    TrustImagingProfile,
)
from foiregister.kernel import access, audit, csv_export
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.models import AuditEvent, Organisation
from foiregister.kernel.roles import FOI_LEAD
from foiregister.letters.models import AnswerBlock, AnswerWording, Letter, LetterDocument
from foiregister.requests.models import (
    Contribution,
    Department,
    Question,
    Request,
    Requester,
    RequestEvent,
    RequestLink,
    TimeEntry,
)

from .models import DisclosureLogEntry, OrganisationExport, PrivateName, PublishedAttachment

PROGRESS_EVERY = 25


class ExportRefused(FoiRegisterError):
    pass


def organisations_exportable_by(user: Any):
    """The organisations ``user`` may export: those they are an FOI lead of."""
    return access.organisations_of(user, roles=(FOI_LEAD,))


def exports_visible_to(user: Any):
    return access.scoped(
        OrganisationExport.objects.select_related("organisation", "created_by"),
        user,
        via="organisation",
        roles=(FOI_LEAD,),
    )


@transaction.atomic
def start_export(
    *, organisation: Organisation, include_requesters: bool, by: Any
) -> OrganisationExport:
    """Record the export (audited: who, and whether requesters' details were asked for);
    the caller queues ``run_export`` once this commits."""
    if not organisations_exportable_by(by).filter(pk=organisation.pk).exists():
        raise ExportRefused("Only the organisation's FOI lead can export what it holds.")
    export = OrganisationExport.objects.create(
        organisation=organisation, include_requesters=include_requesters, created_by=by
    )
    audit.record_event(
        action=audit.AuditAction.EXPORT_STARTED,
        obj=export,
        by=by,
        organisation_id=organisation.pk,
        changes={"include_requesters": include_requesters},
    )
    return export


def record_download(*, export: OrganisationExport, by: Any) -> None:
    audit.record_event(
        action=audit.AuditAction.EXPORT_DOWNLOADED,
        obj=export,
        by=by,
        organisation_id=export.organisation_id,
        changes={"include_requesters": export.include_requesters, "sha256": export.sha256},
    )


# -- building the zip ----------------------------------------------------------------------


def _columns(model: type[models.Model], omit: Iterable[str] = ()) -> list[models.Field]:
    skip = {"data", "search_vector", *omit}
    return [f for f in model._meta.concrete_fields if f.name not in skip]


def _cell(obj: models.Model, field: models.Field, blank: set[str]) -> Any:
    if field.name in blank:
        return ""
    value = getattr(obj, field.attname)
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return ""
    return value


def _table_csv(
    queryset: models.QuerySet, *, omit: Iterable[str] = (), blank: Iterable[str] = ()
) -> bytes:
    fields = _columns(queryset.model, omit)
    blank = set(blank)
    out = io.StringIO()
    writer = csv_export.writer(out, lineterminator="\n")
    writer.writerow([f.attname for f in fields])
    for obj in queryset.order_by("pk").iterator(chunk_size=500):
        writer.writerow([_cell(obj, f, blank) for f in fields])
    return out.getvalue().encode("utf-8")


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "unnamed"


def _tables(org: Organisation, include_requesters: bool) -> list[tuple[str, Callable[[], bytes]]]:
    """(path in the zip, how to write it) for every table; nothing outside ``org``."""
    requests = Request.objects.filter(organisation=org)
    letters = Letter.objects.filter(request__organisation=org)
    contracts = Contract.objects.filter(organisation=org)
    cdcs = CommunityDiagnosticCentre.objects.filter(Q(host_trust=org) | Q(icb=org))
    requester_blank = () if include_requesters else ("requester",)
    tables = [
        ("requests/departments.csv", lambda: _table_csv(Department.objects.filter(organisation=org))),
        ("requests/requests.csv", lambda: _table_csv(requests, blank=requester_blank)),
        ("requests/questions.csv", lambda: _table_csv(Question.objects.filter(request__organisation=org))),
        ("requests/events.csv", lambda: _table_csv(RequestEvent.objects.filter(request__organisation=org))),
        ("requests/contributions.csv", lambda: _table_csv(Contribution.objects.filter(request__organisation=org))),
        ("requests/time_entries.csv", lambda: _table_csv(TimeEntry.objects.filter(request__organisation=org))),
        ("requests/links.csv", lambda: _table_csv(RequestLink.objects.filter(from_request__organisation=org))),
        ("letters/letters.csv", lambda: _table_csv(letters)),
        ("letters/answer_blocks.csv", lambda: _table_csv(AnswerBlock.objects.filter(question__request__organisation=org))),
        ("letters/answer_wordings.csv", lambda: _table_csv(AnswerWording.objects.filter(organisation=org))),
        ("letters/documents.csv", lambda: _table_csv(_documents(org, include_requesters))),
        ("disclosure/entries.csv", lambda: _table_csv(DisclosureLogEntry.objects.filter(organisation=org))),
        ("disclosure/private_names.csv", lambda: _table_csv(PrivateName.objects.filter(organisation=org))),
        ("disclosure/attachments.csv", lambda: _table_csv(PublishedAttachment.objects.filter(request__organisation=org))),
        ("registers/suppliers.csv", lambda: _table_csv(Supplier.objects.filter(Q(contracts__organisation=org)).distinct())),
        ("registers/contracts.csv", lambda: _table_csv(contracts)),
        ("registers/contract_changes.csv", lambda: _table_csv(ContractChange.objects.filter(contract__organisation=org))),
        ("registers/spend.csv", lambda: _table_csv(ContractSpend.objects.filter(organisation=org))),
        ("registers/planned_procurements.csv", lambda: _table_csv(PlannedProcurement.objects.filter(organisation=org))),
        ("registers/cdcs.csv", lambda: _table_csv(cdcs)),
        ("registers/cdc_modalities.csv", lambda: _table_csv(CdcModality.objects.filter(cdc__in=cdcs))),
        ("registers/cdc_activity.csv", lambda: _table_csv(CdcActivity.objects.filter(cdc__in=cdcs))),
        ("registers/imaging_profiles.csv", lambda: _table_csv(TrustImagingProfile.objects.filter(organisation=org))),
    ]  # fmt: skip
    if include_requesters:
        tables.append(
            (
                "requests/requesters.csv",
                lambda: _table_csv(Requester.objects.filter(organisation=org)),
            )
        )
        tables.append(
            (
                "audit/audit.csv",
                lambda: _table_csv(AuditEvent.objects.filter(organisation_id=str(org.pk))),
            )
        )
    return tables


def _documents(org: Organisation, include_requesters: bool) -> models.QuerySet:
    documents = LetterDocument.objects.filter(letter__request__organisation=org)
    if not include_requesters:
        documents = documents.filter(variant=LetterDocument.Variant.PUBLIC)
    return documents


def _files(org: Organisation, include_requesters: bool) -> Iterable[tuple[str, bytes]]:
    documents = _documents(org, include_requesters).select_related("letter__request")
    for doc in documents.order_by("pk").iterator(chunk_size=50):
        if not doc.data:  # a requester's copy erased at the end of its retention
            continue
        reference = _safe_name(doc.letter.request.reference)
        yield (
            f"letters/pdf/{reference}/letter-{doc.letter_id}-{doc.variant}.pdf",
            bytes(doc.data),
        )
    attachments = PublishedAttachment.objects.filter(request__organisation=org)
    for att in attachments.select_related("request").order_by("pk").iterator(chunk_size=50):
        suffix = Path(att.filename).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
        yield (
            f"disclosure/attachments/{_safe_name(att.request.reference)}/"
            f"attachment-{att.pk}{suffix}",
            bytes(att.data),
        )


def run_export(*, export: OrganisationExport, by: Any = None) -> OrganisationExport:
    """Build the zip under MEDIA_ROOT/exports/, counting progress; a failure is recorded
    on the export and nothing half-written is left as its file."""
    by = by or audit.system("celery: organisation export")
    org = export.organisation
    include = export.include_requesters
    tables = _tables(org, include)
    n_files = (
        _documents(org, include).count()
        + PublishedAttachment.objects.filter(request__organisation=org).count()
    )
    OrganisationExport.objects.filter(pk=export.pk).update(
        status=OrganisationExport.Status.RUNNING, total=len(tables) + n_files, done=0
    )
    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"{_safe_name(org.ods_code)}-export-{export.pk}-{stamp}.zip"
    partial = folder / f".{name}.partial"
    checksums: dict[str, str] = {}
    done = 0
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:

            def add(path: str, data: bytes) -> None:
                nonlocal done
                zf.writestr(path, data)
                checksums[path] = hashlib.sha256(data).hexdigest()
                done += 1
                if done % PROGRESS_EVERY == 0:
                    OrganisationExport.objects.filter(pk=export.pk).update(done=done)

            for path, write in tables:
                add(path, write())
            for path, data in _files(org, include):
                add(path, data)
            manifest = {
                "organisation": {"name": org.name, "ods_code": org.ods_code},
                "export": export.pk,
                "created_at": timezone.now().isoformat(),
                "created_by": export.created_by.get_username(),
                "include_requesters": include,
                "files": checksums,
            }
            zf.writestr("manifest.json", json.dumps(manifest, indent=2))
        os.replace(partial, folder / name)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        OrganisationExport.objects.filter(pk=export.pk).update(
            status=OrganisationExport.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    with transaction.atomic():
        OrganisationExport.objects.filter(pk=export.pk).update(
            status=OrganisationExport.Status.DONE,
            done=done,
            file=f"exports/{name}",
            sha256=digest,
            size=(folder / name).stat().st_size,
            finished_at=timezone.now(),
        )
        export.refresh_from_db()
        audit.record_event(
            action=audit.AuditAction.EXPORT_FINISHED,
            obj=export,
            by=by,
            organisation_id=org.pk,
            changes={"files": len(checksums), "sha256": digest, "include_requesters": include},
        )
    return export


def read_csv(data: bytes) -> list[dict[str, str]]:
    """A CSV of the export as rows (for checks and tests)."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
