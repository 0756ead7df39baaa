"""The officer's day: duplicates, reassignment, questions split out of the request's text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from foiregister.kernel import access, audit
from foiregister.requests.exceptions import TransitionError, ValidationFailed
from foiregister.requests.models import Question, Request, RequestLink

# -- duplicates ------------------------------------------------------------------------------


@transaction.atomic
def mark_duplicate(*, request: Request, of: Request, by: Any, note: str = "") -> Request:
    """Close a request logged twice as a duplicate of the one kept. Nothing is deleted: the
    request stays, closed with the state "duplicate", linked to the other (shown on both),
    and the step is audited on both. The kept request must be of the same organisation and
    itself not a duplicate; a request already answered is not a duplicate but a repeat."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    if of.pk == request.pk:
        raise ValidationFailed("a request cannot be a duplicate of itself", field="duplicate_of")
    if of.organisation_id != request.organisation_id:
        raise ValidationFailed(
            "the request kept belongs to another organisation", field="duplicate_of"
        )
    if of.status == Request.Status.DUPLICATE:
        raise ValidationFailed(
            f"{of.reference} is itself a duplicate of another request: mark this one a "
            "duplicate of the request kept",
            field="duplicate_of",
        )
    if request.status not in Request.OPEN_STATUSES:
        raise TransitionError(
            f"{request.reference} is {request.get_status_display().lower()}: only an open "
            "request can be closed as a duplicate",
            field="duplicate_of",
        )
    before = request.status
    request.status = Request.Status.DUPLICATE
    request.duplicate_of = of
    request.due_on = None
    request.save(update_fields=["status", "duplicate_of", "due_on", "updated_at"])
    if not RequestLink.objects.filter(from_request=request, to_request=of).exists():
        RequestLink.objects.create(
            from_request=request, to_request=of, kind=RequestLink.Kind.REPEATED
        )
    audit.record_event(
        action=audit.AuditAction.REQUEST_MARKED_DUPLICATE,
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={"status": [before, request.status], "duplicate_of": of.reference},
        note=note,
    )
    audit.record_event(
        action=audit.AuditAction.REQUEST_LINKED,
        obj=of,
        by=by,
        organisation_id=of.organisation_id,
        changes={"duplicate": request.reference},
        note=f"{request.reference} closed as a duplicate of this request",
    )
    return request


# -- reassignment ----------------------------------------------------------------------------


@transaction.atomic
def reassign_open_work(*, from_user: Any, to_user: Any, by: Any, note: str = "") -> list[Request]:
    """Move every open request ``from_user`` holds, in the organisations ``by`` leads, to
    ``to_user`` in one step (an officer leaves or is off sick): one audit row per request.
    ``to_user`` must be able to do the casework of each request's organisation."""
    if from_user.pk == to_user.pk:
        raise ValidationFailed("choose another officer to take the work", field="to_user")
    leads = access.organisations_of(by, roles=(access.FOI_LEAD,))
    requests = list(
        Request.objects.select_for_update()
        .filter(
            assignee=from_user,
            status__in=Request.OPEN_STATUSES,
            organisation__in=leads,
        )
        .order_by("due_on", "pk")
    )
    if not requests:
        raise ValidationFailed(f"{from_user} has no open requests you lead", field="from_user")
    for request in requests:
        allowed = access.colleagues_of(
            by, roles=access.CASEWORK_ROLES, organisation=request.organisation
        )
        if not allowed.filter(pk=to_user.pk).exists():
            raise ValidationFailed(
                f"{to_user} is not an FOI officer or lead of {request.organisation} "
                f"({request.reference}): nothing was reassigned",
                field="to_user",
            )
    now = timezone.now()
    for request in requests:
        request.assignee = to_user
        fields = ["assignee", "updated_at"]
        if request.allocated_at is None:
            request.allocated_at = now
            fields.append("allocated_at")
        request.save(update_fields=fields)
        audit.record_event(
            action=audit.AuditAction.REQUEST_REASSIGNED,
            obj=request,
            by=by,
            organisation_id=request.organisation_id,
            changes={"assignee": [from_user.username, to_user.username]},
            note=note,
        )
    return requests


# -- questions out of the request's text -------------------------------------------------

_ITEM = re.compile(
    r"^\s*(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.):]|[-*\u2022\u2013])\s+(?P<text>\S.*)$",
    re.IGNORECASE,
)


def questions_in_text(text: str) -> list[str]:
    """The questions of a request written as a numbered or bulleted list ("1.", "2)",
    "(a)", "-", "*", "\u2022"), each item with its continuation lines; lines before the
    first item and after a blank line ending the list are not questions. No list: []. The
    officer confirms what is proposed; nothing is saved here."""
    items: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        match = _ITEM.match(line)
        if match:
            if current:
                items.append(" ".join(current))
            current = [match.group("text").strip()]
        elif current is not None and line.strip():
            current.append(line.strip())
        elif current is not None and not line.strip():
            items.append(" ".join(current))
            current = None
    if current:
        items.append(" ".join(current))
    return [item for item in items if item]


@transaction.atomic
def add_questions_from_text(*, request: Request, texts: Iterable[str], by: Any) -> list[Question]:
    """Add the questions an officer confirmed, numbered after the existing ones."""
    from .requests import add_question

    texts = [t.strip() for t in texts if t and t.strip()]
    if not texts:
        raise ValidationFailed("choose at least one question to add", field="questions")
    return [add_question(request=request, text=text, by=by) for text in texts]
