"""Records management: erasing a requester's personal data at the end of the retention
period (NHS Records Management Code of Practice 2023: FOI requests, three years after closure
or any appeal; ``Organisation.retention_years``).

What goes: the requester's name, email, postal address and telephone; the requester's copy
of each issued letter (it names and addresses them); and every requester value in the audit
log. What stays: the request, its questions and answers, its timeline and statistics (the
requester's *kind*), the anonymised copy of each letter and so the published response.

This module lives in the letters layer because one erasure spans the request register and
the letters, in one transaction. It is the **only** path allowed to change two records that
are otherwise append-only, and each exception is narrow, one-way and marked:

- an issued letter's requester copy may be emptied once, setting ``LetterDocument.erased_on``
  (``LetterDocumentQuerySet.erase_requester_copies``; database trigger in letters migration
  0003 allows exactly that, for the requester variant, with every other column unchanged);
- an audit row's ``object_repr``, ``note`` and ``changes`` may be rewritten to remove a
  requester's values, setting ``AuditEvent.scrubbed_on`` (``_scrub_audit_rows``); an
  append-only audit trigger must allow that update and no other.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from foiregister.kernel import audit
from foiregister.kernel.models import AuditEvent
from foiregister.requests import selectors as register_selectors
from foiregister.requests import services as register_services
from foiregister.requests.models import Request, Requester

from .exceptions import RetentionError
from .models import Letter, LetterDocument

# Audit actions written here (for the audit action enumeration).
REQUESTER_ERASED = audit.AuditAction.REQUESTER_ERASED
REQUEST_REQUESTER_ERASED = audit.AuditAction.REQUEST_REQUESTER_ERASED
LETTER_REQUESTER_COPY_ERASED = audit.AuditAction.LETTER_REQUESTER_COPY_ERASED
AUDIT_ACTIONS = (REQUESTER_ERASED, REQUEST_REQUESTER_ERASED, LETTER_REQUESTER_COPY_ERASED)

ERASED_NAME = "(erased requester)"
ERASED = "[erased]"
PERSONAL_FIELDS = ("name", "email", "postal_address", "telephone")
# Shorter fragments (initials, a "Flat 2" line's "2") would erase unrelated text.
MIN_DETAIL_LENGTH = 3


def _longest_first(values: Iterable[str]) -> list[str]:
    return sorted(
        {v.strip() for v in values if v and len(v.strip()) >= MIN_DETAIL_LENGTH},
        key=len,
        reverse=True,
    )


def _details(requester: Requester) -> tuple[list[str], list[str]]:
    """The requester's stored values to search for, longest first so a full address goes
    before its lines: (whole values, searched in every audit row of the organisation;
    those plus each address line, searched only in the rows about the requester, their
    requests and letters, since a line such as a town name would otherwise erase unrelated
    history)."""
    whole = _longest_first(
        [requester.name, requester.email, requester.telephone, requester.postal_address]
    )
    lines = [line.strip(" ,") for line in requester.postal_address.splitlines()]
    return whole, _longest_first([*whole, *lines])


def _pattern(details: list[str]) -> re.Pattern | None:
    if not details:
        return None
    return re.compile("|".join(re.escape(d) for d in details), re.IGNORECASE)


def _replace_all(text: str, pattern: re.Pattern | None) -> str:
    return pattern.sub(ERASED, text) if pattern is not None and text else text


def _scrub_value(value: Any, pattern: re.Pattern | None) -> Any:
    if isinstance(value, str):
        return _replace_all(value, pattern)
    if isinstance(value, list):
        return [_scrub_value(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, pattern) for k, v in value.items()}
    return value


def _scrub_audit_rows(
    *,
    requester: Requester,
    details: tuple[list[str], list[str]],
    request_ids: Iterable[int],
    letter_ids: Iterable[int],
    today: datetime.date,
) -> int:
    """Remove the requester's values from every audit row of their organisation that holds
    one: rows about the requester (whose ``object_repr`` is their name), their requests and
    letters, and any other row whose text contains a detail. The row stays, with who did
    what and when; only the values go, and ``scrubbed_on`` says so.

    This is the one rewrite of the audit log the product makes (see the module docstring).
    Values are matched case-insensitively; a name inside a JSON-escaped non-ASCII string is
    still caught on the rows about the requester, their requests and letters, which are
    read in full.
    """
    whole, with_lines = details
    related = (
        Q(object_type=Requester._meta.label, object_id=str(requester.pk))
        | Q(object_type=Request._meta.label, object_id__in=[str(pk) for pk in request_ids])
        | Q(object_type=Letter._meta.label, object_id__in=[str(pk) for pk in letter_ids])
    )
    mentions = Q()
    for detail in whole:
        mentions |= (
            Q(object_repr__icontains=detail)
            | Q(note__icontains=detail)
            | Q(changes_text__icontains=detail)
        )
    rows = (
        AuditEvent.objects.annotate(changes_text=Cast("changes", TextField()))
        .filter(organisation_id=str(requester.organisation_id))
        .filter(related | mentions if whole else related)
        .exclude(action__in=AUDIT_ACTIONS)
    )
    own_label, own_id = Requester._meta.label, str(requester.pk)
    related_keys = {(own_label, own_id)}
    related_keys |= {(Request._meta.label, str(pk)) for pk in request_ids}
    related_keys |= {(Letter._meta.label, str(pk)) for pk in letter_ids}
    wide, narrow = _pattern(whole), _pattern(with_lines)
    scrubbed = 0
    for row in rows.iterator():
        own = (row.object_type, row.object_id) == (own_label, own_id)
        pattern = narrow if (row.object_type, row.object_id) in related_keys else wide
        changes = _scrub_value(row.changes, pattern)
        if own:
            changes = {k: (ERASED if k in PERSONAL_FIELDS else v) for k, v in changes.items()}
        object_repr = ERASED_NAME if own else _replace_all(row.object_repr, pattern)
        note = _replace_all(row.note, pattern)
        if (object_repr, note, changes) == (row.object_repr, row.note, row.changes):
            continue
        AuditEvent.objects.filter(pk=row.pk).update(
            object_repr=object_repr, note=note, changes=changes, scrubbed_on=today
        )
        scrubbed += 1
    return scrubbed


def _check_due(request: Request, requester: Requester, today: datetime.date) -> None:
    if requester.erased_on is not None:
        raise RetentionError(
            f"the requester of {request.reference} was erased on {requester.erased_on:%d %b %Y}"
        )
    due_on, deciding = register_selectors.requester_erasure_due_on(requester)
    if due_on is None:
        raise RetentionError(
            f"the requester of {request.reference} has a request still open "
            f"({deciding.reference}), so is not due for erasure"
        )
    if due_on > today:
        which = f" (request {deciding.reference})" if deciding.pk != request.pk else ""
        raise RetentionError(
            f"the requester of {request.reference} is not due for erasure until "
            f"{due_on:%d %b %Y}{which}"
        )


@transaction.atomic
def erase_requester(*, request: Request, by: Any, today: datetime.date) -> Requester:
    """Erase the personal data of ``request``'s requester, once every request of theirs has
    reached the end of its retention period on ``today``. Audited by what was erased, never
    the values. ``by`` is the FOI lead, or the system actor for the daily job."""
    requester = Requester.objects.select_for_update().get(pk=request.requester_id)
    _check_due(request, requester, today)
    details = _details(requester)
    erased_fields = sorted(f for f in PERSONAL_FIELDS if getattr(requester, f))
    requests = list(requester.requests.order_by("pk"))
    letters = list(Letter.objects.filter(request__in=requests).order_by("pk"))

    requester.name = ERASED_NAME
    requester.email = requester.postal_address = requester.telephone = ""
    requester.erased_on = today
    requester.save()

    copies_erased = 0
    for letter in letters:
        copies = LetterDocument.objects.filter(letter=letter)
        document = copies.filter(variant=LetterDocument.Variant.REQUESTER).first()
        if document is None or not copies.erase_requester_copies(on=today):
            continue
        copies_erased += 1
        audit.record_event(
            action=LETTER_REQUESTER_COPY_ERASED,
            obj=letter,
            by=by,
            organisation_id=request.organisation_id,
            changes={"document": document.pk, "erased_on": today},
        )
    scrubbed = _scrub_audit_rows(
        requester=requester,
        details=details,
        request_ids=[r.pk for r in requests],
        letter_ids=[letter.pk for letter in letters],
        today=today,
    )
    pattern = _pattern(details[1])  # records about this requester: address lines too
    elsewhere = register_services.erase_requester_elsewhere(
        requests=requests, scrub=lambda text: _replace_all(text, pattern), today=today
    )
    for each in requests:
        audit.record_event(
            action=REQUEST_REQUESTER_ERASED,
            obj=each,
            by=by,
            organisation_id=each.organisation_id,
            changes={"requester": requester.pk},
        )
    audit.record_event(
        action=REQUESTER_ERASED,
        obj=requester,
        by=by,
        organisation_id=requester.organisation_id,
        changes={
            "erased": erased_fields,
            "requests": [r.reference for r in requests],
            "requester_copies": copies_erased,
            "audit_rows_scrubbed": scrubbed,
            "other_records_erased": elsewhere,
            "retention_years": request.organisation.retention_years,
        },
    )
    return requester


def erase_due_requesters(
    *, today: datetime.date, by: Any, requests=None
) -> tuple[list[Requester], list[str]]:
    """Erase the requester of every request due on ``today`` (or of those given, each
    checked again), each in its own transaction so one refusal leaves the rest done.
    Returns the requesters erased and the refusals, each naming its request."""
    due = (
        register_selectors.requests_due_for_erasure(today=today)
        if requests is None
        else requests.select_related("organisation")
    )
    erased: list[Requester] = []
    refused: list[str] = []
    seen: set[int] = set()
    for request in due.order_by("pk"):
        if request.requester_id in seen:
            continue
        seen.add(request.requester_id)
        try:
            erased.append(erase_requester(request=request, by=by, today=today))
        except RetentionError as exc:
            refused.append(exc.message)
    return erased, refused
