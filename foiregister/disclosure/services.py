"""Every write to the disclosure log, audited in its transaction.

Publishing is an explicit act of an FOI lead, after the personal-data check: every finding
is either redacted (the text changed, so the finding is gone) or accepted, each acceptance
stored and audited, and the publication's audit row records what was checked. The same
holds for whatever becomes public later: a correction letter or an attachment added after
publication waits, off the public pages, until a lead publishes it (``publish_changes``).
"""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from foiregister.kernel import access, audit
from foiregister.kernel.models import Organisation
from foiregister.requests import services as register_services
from foiregister.requests.models import Request, RequestLink

from . import answers, checks, selectors
from .exceptions import PersonalDataFound, PublicationError, UncheckedAttachment
from .models import (
    AcceptedFinding,
    DisclosureLogEntry,
    PrivateName,
    PublishedAttachment,
    SearchIndexEntry,
)

PUBLISH_PERMISSION = selectors.PUBLISH_PERMISSION


def _check_is_lead_of(by: Any, organisation: Organisation) -> None:
    """Publishing discloses to the world, so the rule sits here as well as in the admin:
    an FOI lead (the permission) of the organisation concerned."""
    if by is None or not by.is_authenticated or not by.has_perm(PUBLISH_PERMISSION):
        raise PublicationError("only an FOI lead can publish or withdraw a response", field=None)
    if not by.is_superuser and not organisation.members.filter(pk=by.pk).exists():
        raise PublicationError(
            f"{by.get_username()} is not a member of {organisation}", field=None
        )


def _check_may_publish(by: Any, request: Request) -> None:
    _check_is_lead_of(by, request.organisation)


def _answers_text(document, questions: list[dict[str, Any]]) -> str:
    """The whole answers as published, as plain text: from the letter's frozen content
    (standard wording and every live block's content included), else the checked answers."""
    content = document.letter.content if document is not None else None
    return answers.answers_text(answers.answers_for(letter_content=content, snapshot=questions))


def _search_document(
    title: str, summary: str, questions: list[dict[str, Any]], answers_text: str
) -> str:
    parts = [title, summary, *(q["text"] for q in questions), answers_text]
    return "\n".join(p for p in parts if p)


# Title A, summary and questions B, answers C (SearchRank weighs A 1.0, B 0.4, C 0.2).
SEARCH_VECTOR_SQL = """
    setweight(to_tsvector('english', coalesce(e.title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(e.summary, '') || ' ' || coalesce(
        (SELECT string_agg(q->>'text', ' ') FROM jsonb_array_elements(e.questions) q), '')), 'B')
    || setweight(to_tsvector('english', coalesce(nullif(e.answers_text, ''),
        (SELECT string_agg(q->>'answer', ' ') FROM jsonb_array_elements(e.questions) q), '')), 'C')
"""

INDEX_SQL = """
INSERT INTO disclosure_searchindexentry
    (entry_id, organisation_id, topic, regime, outcome, published_at, vector)
SELECT e.id, e.organisation_id, e.topic, e.regime, e.outcome, e.published_at, {vector}
FROM disclosure_disclosurelogentry e
WHERE e.withdrawn_at IS NULL AND {where}
ON CONFLICT (entry_id) DO UPDATE SET
    organisation_id = excluded.organisation_id, topic = excluded.topic,
    regime = excluded.regime, outcome = excluded.outcome,
    published_at = excluded.published_at, vector = excluded.vector
"""


def index_for_search(*, ids: list[int] | None = None) -> int:
    """Write the search index rows of live entries, from each entry's own published
    columns: for ``ids``, or for every live entry that has none (rows bulk-loaded by the
    benchmark). The vector is PostgreSQL's; the demo's SQLite keeps it empty and matches
    substrings of ``search_document``. Returns the rows written."""
    vector = SEARCH_VECTOR_SQL if connection.vendor == "postgresql" else "NULL"
    if ids is None:
        where = "NOT EXISTS (SELECT 1 FROM disclosure_searchindexentry s WHERE s.entry_id = e.id)"
        params: list[Any] = []
    else:
        ids = list(ids)
        where = "e.id IN (" + ", ".join(["%s"] * len(ids)) + ")" if ids else "FALSE"
        params = ids
    with connection.cursor() as cursor:
        cursor.execute(INDEX_SQL.format(vector=vector, where=where), params)
        return cursor.rowcount


@transaction.atomic
def add_private_name(
    *, organisation: Organisation, name: str, by: Any, reason: str = ""
) -> PrivateName:
    """List a person as private: the check then reports their name in every response of
    the organisation about to be published."""
    _check_is_lead_of(by, organisation)
    name = " ".join(name.split())
    if not name:
        raise PublicationError("give the name to list as private", field="name")
    if selectors.private_name_listed(organisation=organisation, name=name):
        raise PublicationError(f"{name} is already listed as private", field="name")
    private = PrivateName.objects.create(
        organisation=organisation, name=name, reason=reason, added_by=by
    )
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_PRIVATE_NAME_ADDED,
        obj=private,
        by=by,
        organisation_id=organisation.pk,
        changes={"name": name},
        note=reason,
    )
    return private


@transaction.atomic
def remove_private_name(*, private_name: PrivateName, by: Any, reason: str = "") -> None:
    _check_is_lead_of(by, private_name.organisation)
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_PRIVATE_NAME_REMOVED,
        obj=private_name,
        by=by,
        organisation_id=private_name.organisation_id,
        changes={"name": private_name.name},
        note=reason,
    )
    private_name.delete()


@transaction.atomic
def accept_finding(
    *,
    request: Request,
    fingerprint: str,
    by: Any,
    reason: str = "",
    title: str | None = None,
    summary: str = "",
    topic: str | None = None,
) -> AcceptedFinding:
    """Record an FOI lead's decision that a finding may be published as it is: one in the
    response as it would be published (with the public title, summary and topic typed),
    or in a correction or attachment awaiting publication."""
    _check_may_publish(by, request)
    findings = selectors.personal_data_findings(request, title=title, summary=summary, topic=topic)
    entry = DisclosureLogEntry.objects.filter(request=request, withdrawn_at__isnull=True).first()
    if entry is not None:
        findings += selectors.pending_change_findings(entry)
    current = {f.fingerprint: f for f in findings}
    finding = current.get(fingerprint)
    if finding is None:
        raise PublicationError("that finding is no longer in the response", field="findings")
    accepted, created = AcceptedFinding.objects.get_or_create(
        request=request,
        fingerprint=fingerprint,
        defaults={
            "kind": finding.kind,
            "location": finding.location[:300],
            "match": finding.match,
            "reason": reason,
            "accepted_by": by,
        },
    )
    if created:
        audit.record_event(
            action=audit.AuditAction.DISCLOSURE_FINDING_ACCEPTED,
            obj=request,
            by=by,
            organisation_id=request.organisation_id,
            changes={
                "kind": finding.kind,
                "location": finding.location,
                "fingerprint": fingerprint,
            },
            note=reason,
        )
    return accepted


@transaction.atomic
def add_attachment(
    *, request: Request, filename: str, data: bytes, by: Any, title: str = ""
) -> PublishedAttachment:
    """Attach a file to be published with the response; it is read all the way through now,
    and again at publication."""
    _, checkable = checks.scan_attachment(
        filename, data, requester=selectors.requester_details(request)
    )
    position = (
        PublishedAttachment.objects.filter(request=request).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    attachment = PublishedAttachment.objects.create(
        request=request,
        position=position,
        filename=filename[:200],
        title=(title or f"Attachment {position}")[:200],
        content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        check_state=(
            PublishedAttachment.CheckState.CHECKED
            if checkable
            else PublishedAttachment.CheckState.UNCHECKABLE
        ),
        added_by=by,
    )
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_ATTACHMENT_ADDED,
        obj=request,
        by=by,
        organisation_id=request.organisation_id,
        changes={
            "position": position,
            "sha256": attachment.sha256,
            "check_state": attachment.check_state,
        },
    )
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: PublishedAttachment, by: Any, reason: str = "") -> None:
    """An FOI lead takes a file off the response: before publishing (the wrong file, or
    one with personal data), or after, when it leaves the public page at once."""
    _check_may_publish(by, attachment.request)
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_ATTACHMENT_REMOVED,
        obj=attachment.request,
        by=by,
        organisation_id=attachment.request.organisation_id,
        changes={"position": attachment.position, "sha256": attachment.sha256},
        note=reason,
    )


@transaction.atomic
def flatten_attachment(*, attachment: PublishedAttachment, by: Any) -> PublishedAttachment:
    """Replace an incrementally updated PDF by its last revision alone, so the text an
    earlier revision held (a redaction made by an update) is no longer in the file. The
    file is checked again and, if it was public, waits for a lead to publish it again."""
    _check_may_publish(by, attachment.request)
    if attachment.extension not in checks.PDF_TYPES:
        raise PublicationError("only a PDF can be flattened", field="attachment")
    before = attachment.sha256
    try:
        data = checks.flatten_pdf(bytes(attachment.data))
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken file
        raise PublicationError(f"cannot flatten {attachment.filename}: {exc}") from exc
    _, checkable = checks.scan_attachment(
        attachment.filename, data, requester=selectors.requester_details(attachment.request)
    )
    attachment.data = data
    attachment.sha256 = hashlib.sha256(data).hexdigest()
    attachment.size = len(data)
    attachment.check_state = (
        PublishedAttachment.CheckState.CHECKED
        if checkable
        else PublishedAttachment.CheckState.UNCHECKABLE
    )
    attachment.published_at = None
    attachment.save(update_fields=["data", "sha256", "size", "check_state", "published_at"])
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_ATTACHMENT_FLATTENED,
        obj=attachment.request,
        by=by,
        organisation_id=attachment.request.organisation_id,
        changes={"position": attachment.position, "sha256": [before, attachment.sha256]},
    )
    return attachment


@transaction.atomic
def override_unchecked_attachment(
    *, attachment: PublishedAttachment, by: Any, reason: str
) -> PublishedAttachment:
    """An FOI lead's decision, with the reason, to publish a file the check cannot read
    (for example a scanned image they have looked at page by page)."""
    _check_may_publish(by, attachment.request)
    if not reason.strip():
        raise PublicationError("give the reason for publishing an unchecked file", field="reason")
    attachment.override_by = by
    attachment.override_at = timezone.now()
    attachment.override_reason = reason
    attachment.save(update_fields=["override_by", "override_at", "override_reason"])
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_ATTACHMENT_OVERRIDE,
        obj=attachment.request,
        by=by,
        organisation_id=attachment.request.organisation_id,
        changes={"position": attachment.position, "sha256": attachment.sha256},
        note=reason,
    )
    return attachment


@transaction.atomic
def publish_response(
    *,
    request: Request,
    by: Any,
    title: str | None = None,
    summary: str = "",
    topic: str | None = None,
) -> DisclosureLogEntry:
    """Publish a responded or closed request to the disclosure log, or republish a withdrawn
    one (same public id). Refused while any finding is neither redacted nor accepted, or an
    attachment could not be checked and has no override."""
    request = Request.objects.select_for_update().select_related("organisation").get(pk=request.pk)
    _check_may_publish(by, request)
    if request.status not in selectors.PUBLISHABLE_STATUSES:
        raise PublicationError(
            f"{request.reference} is {request.get_status_display().lower()}: only a responded "
            "or closed request can be published",
            field="status",
        )
    existing = DisclosureLogEntry.objects.filter(request=request).first()
    if existing is not None and existing.is_live:
        raise PublicationError(f"{request.reference} is already published", field=None)
    public_title = (title if title is not None else request.title).strip()
    public_topic = (topic if topic is not None else request.topic).strip()
    if not public_title:
        raise PublicationError("a published response needs a title", field="title")
    findings = selectors.personal_data_findings(
        request, title=public_title, summary=summary, topic=public_topic
    )
    accepted = selectors.accepted_fingerprints(request)
    outstanding = [f for f in findings if f.blocking and f.fingerprint not in accepted]
    if outstanding:
        raise PersonalDataFound(outstanding)
    attachments = list(selectors.current_attachments(request))
    blocked = [a for a in attachments if not a.may_publish]
    if blocked:
        raise UncheckedAttachment(
            "cannot check "
            + ", ".join(f"attachment {a.position} ({a.extension or 'no type'})" for a in blocked)
            + ": an FOI lead must look at it and override, with a reason",
            field="attachments",
        )
    questions = selectors.questions_snapshot(request)
    # What the check read is what goes public: this letter, these files.
    document = selectors.published_letter_document(request)
    answers_text = _answers_text(document, questions)
    now = timezone.now()
    fields = {
        "organisation": request.organisation,
        "reference": request.reference,
        "title": public_title,
        "summary": summary,
        "topic": public_topic,
        "regime": request.regime,
        "outcome": request.outcome,
        "received_on": timezone.localtime(request.received_at).date(),
        "responded_on": request.responded_on,
        "questions": questions,
        "answers_text": answers_text,
        "search_document": _search_document(public_title, summary, questions, answers_text),
        "published_at": now,
        "published_by": by,
        "response_document": document,
        "withdrawn_at": None,
        "withdrawn_by": None,
        "withdrawal_reason": "",
    }
    if existing is None:
        entry = DisclosureLogEntry.objects.create(request=request, **fields)
        action = audit.AuditAction.DISCLOSURE_PUBLISHED
    else:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        entry = existing
        action = audit.AuditAction.DISCLOSURE_REPUBLISHED
    PublishedAttachment.objects.filter(pk__in=[a.pk for a in attachments]).update(published_at=now)
    index_for_search(ids=[entry.pk])
    audit.record_event(
        action=action,
        obj=entry,
        by=by,
        organisation_id=request.organisation_id,
        changes={
            "request": request.reference,
            "public_id": entry.public_id,
            "title": public_title,
            "findings": len(findings),
            "accepted": sorted(f.fingerprint for f in findings),
            "attachments": [a.sha256 for a in attachments],
            "overridden": [a.sha256 for a in attachments if a.override_at],
            "letter": document.letter_id if document else None,
        },
    )
    return entry


@transaction.atomic
def publish_changes(*, entry: DisclosureLogEntry, by: Any) -> DisclosureLogEntry:
    """Publish what was added to a live response since it was published: a correction
    letter (the public PDF then becomes the correction) and new attachments. The same
    check and the same decision as publishing: refused while a finding in them is neither
    accepted nor gone, or a file could not be checked and has no override. Until then the
    public page, PDF and API keep what was published."""
    entry = DisclosureLogEntry.objects.select_for_update().get(pk=entry.pk)
    _check_may_publish(by, entry.request)
    if not entry.is_live:
        raise PublicationError(
            f"{entry.reference} is withdrawn: publish it again instead", field=None
        )
    changes = selectors.pending_changes(entry)
    if changes.is_empty:
        raise PublicationError(f"{entry.reference} has nothing awaiting publication", field=None)
    findings = selectors.pending_change_findings(entry)
    accepted = selectors.accepted_fingerprints(entry.request)
    outstanding = [f for f in findings if f.blocking and f.fingerprint not in accepted]
    if outstanding:
        raise PersonalDataFound(outstanding)
    blocked = [a for a in changes.attachments if not a.may_publish]
    if blocked:
        raise UncheckedAttachment(
            "cannot check "
            + ", ".join(f"attachment {a.position} ({a.extension or 'no type'})" for a in blocked)
            + ": an FOI lead must look at it and override, with a reason",
            field="attachments",
        )
    changed = {}
    if changes.letter is not None:
        changed["letter"] = changes.letter.letter_id
        changed["letter_sha256"] = changes.letter.sha256
        entry.response_document = changes.letter
        entry.answers_text = _answers_text(changes.letter, entry.questions)
        entry.search_document = _search_document(
            entry.title, entry.summary, entry.questions, entry.answers_text
        )
        entry.save(update_fields=["response_document", "answers_text", "search_document"])
        index_for_search(ids=[entry.pk])
    if changes.attachments:
        PublishedAttachment.objects.filter(pk__in=[a.pk for a in changes.attachments]).update(
            published_at=timezone.now()
        )
        changed["attachments"] = [a.sha256 for a in changes.attachments]
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_CHANGES_PUBLISHED,
        obj=entry,
        by=by,
        organisation_id=entry.organisation_id,
        changes={
            "request": entry.reference,
            "public_id": entry.public_id,
            "findings": len(findings),
            "accepted": sorted(f.fingerprint for f in findings),
            **changed,
        },
    )
    return entry


@transaction.atomic
def withdraw_response(*, entry: DisclosureLogEntry, by: Any, reason: str) -> DisclosureLogEntry:
    """Take a response off the disclosure log (for example personal data found after
    publication). Its public URL then answers as if it never existed."""
    entry = DisclosureLogEntry.objects.select_for_update().get(pk=entry.pk)
    _check_may_publish(by, entry.request)
    if not entry.is_live:
        raise PublicationError(f"{entry.reference} is already withdrawn", field=None)
    if not reason.strip():
        raise PublicationError("give the reason for withdrawing", field="reason")
    entry.withdrawn_at = timezone.now()
    entry.withdrawn_by = by
    entry.withdrawal_reason = reason
    entry.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    SearchIndexEntry.objects.filter(entry=entry).delete()
    audit.record_event(
        action=audit.AuditAction.DISCLOSURE_WITHDRAWN,
        obj=entry,
        by=by,
        organisation_id=entry.organisation_id,
        changes={"request": entry.reference, "public_id": entry.public_id},
        note=reason,
    )
    return entry


@transaction.atomic
def group_with_published_response(*, request: Request, public_id: str, by: Any):
    """The officer's one click on the mailbox screen: record ``request`` and another
    organisation's published response as one round robin (a ``round_robin`` link, shown on
    both requests; the other body's staff see it without our reference or title, and the
    public page lists it only once ours is published too). Only a live published response
    may be named, so no unpublished request of another body can be linked, or found, this
    way."""
    if not isinstance(by, audit.SystemActor) and not access.may_act_on(
        request, by, via="organisation", roles=access.CASEWORK_ROLES
    ):
        raise PublicationError(f"you do not act for the organisation of {request}", field=None)
    entry = selectors.public_entry(public_id)
    if entry is None:
        raise PublicationError("that response is not on the disclosure log", field="public_id")
    if entry.organisation_id == request.organisation_id:
        raise PublicationError(
            "a request of your own organisation is grouped from its earlier request",
            field="public_id",
        )
    return register_services.link_requests(
        request=request, other=entry.request, kind=RequestLink.Kind.ROUND_ROBIN, by=by
    )
