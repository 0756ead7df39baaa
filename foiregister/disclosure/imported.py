"""Publishing FOI-log history that an import marks ``published``: the disclosure log's step
of the request register's import (``foiregister.requests.imports.commit_steps``, ADR 0009).

Each marked request is published by ``services.publish_response``, as a lead publishes one
from its page: the lead who imports is the one who publishes, the personal-data check reads
every question and answer, and a finding fails the whole import naming the file's line and
column (an import cannot redact or accept a finding; fix the file, or import without
``published`` and publish from the request's page). The entry shows the file's answers: an
imported request has no letter. Imported requests have no requester, and the import refuses
requester columns, so nothing about a requester can reach the entry.
"""

from __future__ import annotations

from typing import Any

from foiregister.kernel.jobs import RowError
from foiregister.kernel.models import Organisation

from . import checks, selectors, services
from .exceptions import PersonalDataFound, PublicationError
from .models import DisclosureLogEntry


def _finding_error(filename: str, plan: Any, finding: checks.Finding) -> RowError:
    line, column = plan.where(finding.location)
    return RowError(
        filename,
        line,
        column,
        finding.match,
        f"is {finding.label.lower()}: an entry marked published cannot carry it; remove it "
        "from the file, or leave published empty and publish from the request's page after "
        "the check",
    )


def check_imported(*, planned: list, filename: str, organisation: Organisation) -> list[RowError]:
    """The preview's half: the personal-data check of every question and answer a row marked
    ``published`` would put on the log, so the lead sees findings before importing. (The
    commit runs the whole check again as it publishes.)"""
    marked = [p for p in planned if p.published]
    if not marked:
        return []
    allowed = [organisation.foi_email, organisation.telephone, selectors.ICO_HELPLINE]
    private = selectors.private_names_for(organisation)
    errors = []
    for plan in marked:
        for text, location in plan.published_texts():
            for finding in checks.scan_text(
                text,
                location=location,
                requester=checks.RequesterDetails(),
                allowed=[a for a in allowed if a],
                private_names=private,
            ):
                if finding.blocking:
                    errors.append(_finding_error(filename, plan, finding))
    return errors


def publish_imported(*, imported: list, filename: str, by: Any) -> list[RowError]:
    """Publish each request marked ``published`` that is not on the log yet, and publish
    again one whose questions or answers a re-import changed. An entry a lead withdrew stays
    withdrawn (publish it again from its page). An import never withdraws."""
    marked = [i for i in imported if i.plan.published]
    if not marked:
        return []
    if not getattr(by, "is_authenticated", False):
        first = marked[0]
        return [
            RowError(
                filename,
                first.plan.published_line,
                "published",
                "yes",
                "needs an FOI lead to publish: import as one (the admin's import, or the "
                "command's --user)",
            )
        ]
    entries = {
        e.request_id: e
        for e in DisclosureLogEntry.objects.filter(request__in=[i.request.pk for i in marked])
    }
    errors: list[RowError] = []
    for item in marked:
        entry = entries.get(item.request.pk)
        if entry is not None and not entry.is_live:
            continue
        if entry is not None and not item.written:
            continue
        try:
            if entry is not None:
                services.withdraw_response(
                    entry=entry, by=by, reason=f"Changed by importing {filename}"
                )
            services.publish_response(request=item.request, by=by)
        except PersonalDataFound as found:
            errors.extend(_finding_error(filename, item.plan, f) for f in found.findings)
        except PublicationError as exc:
            errors.append(
                RowError(filename, item.plan.published_line, "published", "yes", exc.message)
            )
    return errors
