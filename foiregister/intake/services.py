"""Every write of the intake: receiving a message, logging it as a request, logging a reply
on an open request, ignoring an automatic reply. Atomic and audited like the register's own
services, which they call for the request itself."""

from __future__ import annotations

import imaplib
import logging
import os
import re
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.mail import EmailMessage as OutgoingEmail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from foiregister.kernel import access, audit
from foiregister.requests import selectors as request_selectors
from foiregister.requests import services as request_services
from foiregister.requests.models import Question, Request, RequestEvent, RequestLink

from . import mail, matching, selectors
from .exceptions import IntakeError, ReceiptNotSent
from .models import (
    InboundMessage,
    Mailbox,
    MessageAttachment,
    RequestSketch,
    RequestWords,
    StandardAnswer,
)

logger = logging.getLogger(__name__)

_REVIEW = re.compile(r"\binternal review\b", re.IGNORECASE)


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]*\d[A-Za-z0-9/_.-]*")
_FINISHED = (Request.Status.CLOSED, Request.Status.WITHDRAWN, Request.Status.LAPSED)


def _reference_in(subject: str, organisation) -> Request | None:
    """The request of this organisation, not closed, whose reference the subject quotes
    (a responded request stays matchable: its internal review may be asked for)."""
    tokens = {t.strip("._-/") for t in _TOKEN.findall(subject)}
    if not tokens:
        return None
    query = Q()
    for token in tokens:
        query |= Q(reference__iexact=token)
    return (
        Request.objects.filter(query, organisation=organisation)
        .exclude(status__in=_FINISHED)
        .first()
    )


def _thread_request(thread_ids: tuple[str, ...], organisation) -> Request | None:
    """The request an earlier message of this thread was logged as or on."""
    if not thread_ids:
        return None
    earlier = (
        InboundMessage.objects.filter(
            organisation=organisation, message_id__in=thread_ids, request__isnull=False
        )
        .select_related("request")
        .first()
    )
    return earlier.request if earlier else None


@transaction.atomic
def receive_message(
    *, organisation, raw: bytes, filename: str, by: Any
) -> tuple[InboundMessage, bool]:
    """Keep a message and read what can be read from it; ``(message, created)``.

    The same Message-ID twice in one organisation gives back the first message (one
    request, however often a mailbox is fetched). A message that cannot be read is kept
    with its error, status "could not be read", for the officer to see and retry.
    """
    try:
        parsed = mail.parse_message(raw, filename=filename)
    except mail.MessageError as exc:
        message = InboundMessage.objects.create(
            organisation=organisation,
            filename=filename[:255],
            raw=raw,
            status=InboundMessage.Status.FAILED,
            error=str(exc),
            received_by=audit.user_or_none(by),
        )
        audit.record_event(
            action=audit.AuditAction.INTAKE_MESSAGE_FAILED,
            obj=message,
            by=by,
            organisation_id=organisation.pk,
            changes={"filename": filename, "error": str(exc)},
            object_repr=filename,
        )
        return message, True
    existing = InboundMessage.objects.filter(
        organisation=organisation, message_id=parsed.message_id
    ).first()
    if existing:
        return existing, False
    matched = _reference_in(parsed.subject, organisation) or _thread_request(
        parsed.thread_ids, organisation
    )
    if parsed.auto_reply:
        kind, status = InboundMessage.Kind.AUTO_REPLY, InboundMessage.Status.CORRESPONDENCE
    elif matched is not None:
        review = _REVIEW.search(parsed.subject) or _REVIEW.search(parsed.body)
        kind = InboundMessage.Kind.REVIEW if review else InboundMessage.Kind.CLARIFICATION
        status = InboundMessage.Status.CORRESPONDENCE
    else:
        kind, status = InboundMessage.Kind.NEW_REQUEST, InboundMessage.Status.NEW_REQUEST
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                organisation=organisation,
                filename=filename[:255],
                raw=raw,
                message_id=parsed.message_id,
                received_at=parsed.sent_at,
                subject=parsed.subject[:998],
                sender_name=parsed.sender_name[:200],
                sender_email=parsed.sender_email[:254],
                body=parsed.body,
                quoted=parsed.quoted,
                signature=parsed.signature,
                thread_ids="\n".join(parsed.thread_ids),
                status=status,
                kind=kind,
                matched_request=matched,
                received_by=audit.user_or_none(by),
            )
    except IntegrityError:  # the same message fetched twice at once
        return InboundMessage.objects.get(
            organisation=organisation, message_id=parsed.message_id
        ), False
    for attachment in parsed.attachments:
        MessageAttachment.objects.create(
            message=message,
            filename=attachment.filename[:255],
            content_type=attachment.content_type[:255],
            size=len(attachment.data),
            data=attachment.data,
        )
    audit.record_event(
        action=audit.AuditAction.INTAKE_MESSAGE_RECEIVED,
        obj=message,
        by=by,
        organisation_id=organisation.pk,
        changes={"kind": kind, "attachments": len(parsed.attachments)},
        object_repr=f"message {message.pk}",
    )
    return message, True


WEB_FORM_ACTOR = audit.system("public request form")
"""Who received a request sent through the public form: nobody signed in clicked."""


def _web_form_subject(text: str) -> str:
    """A subject for the officer's list: the request's first words, as an email's would be."""
    words = " ".join(text.split())
    return "Request from the public form: " + (words[:80] + ("..." if len(words) > 80 else ""))


@sensitive_variables("name", "email", "postal_address", "text", "envelope", "raw")
@transaction.atomic
def receive_web_request(
    *,
    organisation,
    name: str,
    email: str,
    postal_address: str = "",
    text: str,
    received_at=None,
) -> InboundMessage:
    """Put a request sent through the public form into the organisation's intake, as a new
    request for an officer to confirm exactly like an email: received now (the date of
    receipt is the day it arrived, FOIA s.10), the requester private from the first byte,
    the questions split from the text's numbered list as for an email.

    The raw copy is written as an email (From the requester, To the FOI mailbox) so the
    officer's "download as received" works the same; it holds the postal address too.
    The audit row names no requester detail (the audit log is read by commissioners)."""
    if not organisation.public_request_form:
        raise IntakeError(
            f"{organisation.name} does not take requests through the public form",
            field="organisation",
        )
    name, email = name.strip(), email.strip()
    # Browsers send a textarea's lines with CRLF.
    postal_address = postal_address.replace("\r\n", "\n").strip()
    text = text.replace("\r\n", "\n").strip()
    if not name:
        raise IntakeError("a request needs the requester's name", field="name")
    if not email:
        raise IntakeError("a request needs an email address for the reply", field="email")
    if not text:
        raise IntakeError("a request needs the information asked for", field="text")
    received_at = received_at or timezone.now()
    envelope = EmailMessage()
    envelope["From"] = f"{name} <{email}>"
    envelope["To"] = organisation.foi_email or "foi-mailbox@invalid"
    envelope["Subject"] = _web_form_subject(text)
    envelope["Date"] = format_datetime(received_at)
    envelope["Message-ID"] = make_msgid(domain="public-request-form.invalid")
    envelope["X-FOI-Source"] = "public request form"
    content = text
    if postal_address:
        content += "\n\n-- \nPostal address for the reply:\n" + postal_address
    envelope.set_content(content)
    raw = envelope.as_bytes()
    message = InboundMessage.objects.create(
        organisation=organisation,
        source=InboundMessage.Source.WEB_FORM,
        filename="public-request-form.eml",
        raw=raw,
        message_id=envelope["Message-ID"],
        received_at=received_at,
        subject=envelope["Subject"][:998],
        sender_name=name[:200],
        sender_email=email[:254],
        sender_address=postal_address,
        body=text,
        status=InboundMessage.Status.NEW_REQUEST,
        kind=InboundMessage.Kind.NEW_REQUEST,
    )
    audit.record_event(
        action=audit.AuditAction.INTAKE_WEB_REQUEST_RECEIVED,
        obj=message,
        by=WEB_FORM_ACTOR,
        organisation_id=organisation.pk,
        changes={"questions": len(mail.split_questions(text))},
        object_repr=f"message {message.pk}",
    )
    return message


# Backends that would write the requester's address and request to the log, or nowhere.
_NOT_SENDING = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)


def acknowledgement_email_configured() -> bool:
    """Is mail set up to send for real? The demo's console backend would print the
    requester's address to the log, so it counts as not set up."""
    return settings.EMAIL_BACKEND not in _NOT_SENDING


def receipt_will_be_sent(message: InboundMessage) -> bool:
    """Will the requester be emailed a receipt: mail is set up and they gave an address."""
    return acknowledgement_email_configured() and bool(message.sender_email)


@sensitive_variables("email", "context")
def acknowledge_web_request(*, message: InboundMessage, reply_by) -> bool:
    """Email the requester that their request arrived (what they asked, the date of
    receipt, the date a reply is due), when mail is set up; whether it was sent.

    Not an acknowledgement letter of the register (that is issued once the officer logs
    the request): a receipt. Sent by a Celery task after the form's request has answered
    (``disclosure.tasks.send_request_receipt``), which retries a failure. A mail server
    that refuses or cannot be reached raises ``ReceiptNotSent`` naming only the message's
    id and the failure's type, never the mail library's error (which can quote the
    address)."""
    if not receipt_will_be_sent(message):
        return False
    organisation = message.organisation
    context = {
        "organisation": organisation,
        "name": message.sender_name,
        "text": message.body,
        "received_on": request_selectors.date_of_receipt(message.received_at),
        "reply_by": reply_by,
    }
    email = OutgoingEmail(
        subject=f"Your freedom of information request to {organisation.name}",
        body=render_to_string("intake/web_request_acknowledgement.txt", context),
        to=[message.sender_email],
        reply_to=[organisation.foi_email] if organisation.foi_email else None,
    )
    try:
        email.send()
    except OSError as exc:  # smtplib.SMTPException and connection errors are OSErrors
        raise ReceiptNotSent(
            f"receipt for intake message {message.pk} not sent ({type(exc).__name__})"
        ) from None
    return True


def draft_questions(message: InboundMessage) -> list[str]:
    """The questions an officer starts from: the body's numbered or bulleted items."""
    return mail.split_questions(message.body)


def _assignee_for(organisation, by: Any):
    """``by`` if they do casework for ``organisation``, else nobody (a system actor)."""
    colleagues = access.colleagues_of(by, roles=access.CASEWORK_ROLES, organisation=organisation)
    return by if colleagues.filter(pk=getattr(by, "pk", None)).exists() else None


@transaction.atomic
def log_request_from_message(
    *,
    message: InboundMessage,
    title: str,
    body: str,
    questions: list[str],
    requester_name: str,
    requester_email: str,
    requester_postal_address: str | None = None,
    by: Any,
) -> Request:
    """Log the request the officer confirmed: received when the message was sent, the
    requester private from the first byte, the attachments in its case file."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != InboundMessage.Status.NEW_REQUEST:
        raise IntakeError(
            f"message {message.pk} is {message.get_status_display().lower()}, not a new request",
            field="status",
        )
    questions = [q.strip() for q in questions if q.strip()]
    if not questions:
        raise IntakeError("a request needs at least one question", field="questions")
    requester = request_services.create_requester(
        organisation=message.organisation,
        name=requester_name.strip() or requester_email,
        email=requester_email,
        postal_address=(
            message.sender_address
            if requester_postal_address is None
            else requester_postal_address.replace("\r\n", "\n").strip()  # as browsers send it
        ),
        by=by,
    )
    web_form = message.source == InboundMessage.Source.WEB_FORM
    request = request_services.log_request(
        organisation=message.organisation,
        requester=requester,
        title=title,
        received_at=message.received_at,
        body=body,
        channel=Request.Channel.WEB_FORM if web_form else Request.Channel.EMAIL,
        questions=questions,
        by=by,
        # The officer who logs it takes it, so it is on their My work from the start; a
        # lead reassigns it from there.
        assignee=_assignee_for(message.organisation, by),
    )
    message.status = InboundMessage.Status.LOGGED
    message.request = request
    message.save(update_fields=["status", "request"])
    audit.record_event(
        action=audit.AuditAction.INTAKE_MESSAGE_LOGGED,
        obj=message,
        by=by,
        organisation_id=message.organisation_id,
        changes={"request": request.reference, "attachments": message.attachments.count()},
        object_repr=f"message {message.pk}",
    )
    return request


_EVENT_FOR_KIND = {
    InboundMessage.Kind.CLARIFICATION: RequestEvent.Kind.CLARIFICATION_RECEIVED,
    InboundMessage.Kind.REVIEW: RequestEvent.Kind.REVIEW_REQUESTED,
}


@transaction.atomic
def confirm_correspondence(*, message: InboundMessage, kind: str, by: Any) -> InboundMessage:
    """One click: log the reply on its request as the officer judged it (clarification
    received restarts the clock; an internal review request starts the review clock), or
    ignore it (an automatic reply)."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != InboundMessage.Status.CORRESPONDENCE:
        raise IntakeError(
            f"message {message.pk} is {message.get_status_display().lower()}", field="status"
        )
    if kind == InboundMessage.Kind.AUTO_REPLY:
        message.status, message.kind = InboundMessage.Status.IGNORED, kind
        message.save(update_fields=["status", "kind"])
        action = audit.AuditAction.INTAKE_MESSAGE_IGNORED
    else:
        event_kind = _EVENT_FOR_KIND.get(kind)
        if event_kind is None:
            raise IntakeError(f"{kind!r} is not a kind of reply", field="kind")
        if message.matched_request is None:
            raise IntakeError(
                f"message {message.pk} matches no open request", field="matched_request"
            )
        event = request_services.record_timeline_event(
            request=message.matched_request,
            kind=event_kind,
            occurred_on=request_selectors.date_of_receipt(message.received_at),
            details=f"Email: {message.subject}"[:500],
            by=by,
        )
        message.status, message.kind = InboundMessage.Status.LOGGED, kind
        message.request, message.event = message.matched_request, event
        message.save(update_fields=["status", "kind", "request", "event"])
        action = audit.AuditAction.INTAKE_MESSAGE_LOGGED
    audit.record_event(
        action=action,
        obj=message,
        by=by,
        organisation_id=message.organisation_id,
        changes={"kind": kind},
        object_repr=f"message {message.pk}",
    )
    return message


@transaction.atomic
def retry_message(*, message: InboundMessage, by: Any) -> InboundMessage:
    """Read a message that failed again (after a fix to the reader); its raw bytes were kept."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != InboundMessage.Status.FAILED:
        raise IntakeError(f"message {message.pk} did not fail", field="status")
    raw, filename, organisation = bytes(message.raw), message.filename, message.organisation
    message.delete()
    new, _ = receive_message(organisation=organisation, raw=raw, filename=filename, by=by)
    return new


def request_text(request: Request) -> str:
    """What a request is matched on: its full text and its questions."""
    return "\n".join([request.body or "", *request.questions.values_list("text", flat=True)])


@transaction.atomic
def index_request(request: Request) -> int:
    """(Re)build the request's sketch and its words so later requests can find it (a copy of
    its round robin by the sketch, the same questions in other words by the words); the
    number of hashes. Derived data, not a change to the request: not audited."""
    text = request_text(request)
    RequestSketch.objects.filter(request=request).delete()
    hashes = matching.sketch(text)
    RequestSketch.objects.bulk_create(
        [
            RequestSketch(request=request, organisation_id=request.organisation_id, hash=h)
            for h in hashes
        ]
    )
    _write_words([(request, text)])
    return len(hashes)


def _write_words(indexed: list[tuple[Request, str]]) -> None:
    """Replace the ``RequestWords`` rows of these requests, then (on PostgreSQL) fill their
    search vectors from the words in one statement."""
    ids = [request.pk for request, _ in indexed]
    RequestWords.objects.filter(request__in=ids).delete()
    RequestWords.objects.bulk_create(
        [
            RequestWords(
                request=request,
                organisation_id=request.organisation_id,
                received_at=request.received_at,
                terms=selectors.words_field(text),
            )
            for request, text in indexed
        ],
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        RequestWords.objects.filter(request__in=ids).update(
            vector=SearchVector("terms", config="simple")
        )


def index_requests(*, organisation=None, batch: int = 500) -> int:
    """Sketch every request (of one organisation), e.g. those logged before intake existed."""
    queryset = Request.objects.order_by("pk")
    if organisation is not None:
        queryset = queryset.filter(organisation=organisation)
    done = 0
    for request in queryset.prefetch_related("questions").iterator(chunk_size=batch):
        index_request(request)
        done += 1
    return done


def index_imported(*, imported: list, filename: str, by: Any) -> list:
    """The FOI log import's step (``requests.imports.commit_steps``): sketch and index the
    words of each request the file wrote, and each it left unchanged that is not indexed yet
    (history imported before intake, or before its word index, is indexed by importing it
    again), in the import's transaction and in bulk, from the text ``request_text`` would
    read. Finds no errors."""
    unchanged = [i.request.pk for i in imported if not i.written]
    indexed: set[int] = set()
    batch = 500
    for start in range(0, len(unchanged), batch):
        ids = unchanged[start : start + batch]
        # Indexed means both a sketch and a words row: history from before intake has
        # neither, history from before the word index has only its sketch.
        with_words = RequestWords.objects.filter(request__in=ids).values_list(
            "request_id", flat=True
        )
        with_sketch = RequestSketch.objects.filter(request__in=ids).values_list(
            "request_id", flat=True
        )
        indexed.update(set(with_words) & set(with_sketch))
    todo = [i for i in imported if i.written or i.request.pk not in indexed]
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        RequestSketch.objects.filter(request__in=[i.request.pk for i in chunk]).delete()
        RequestSketch.objects.bulk_create(
            [
                RequestSketch(request=i.request, organisation_id=i.request.organisation_id, hash=h)
                for i in chunk
                for h in matching.sketch(i.text)
            ],
            batch_size=2000,
        )
        _write_words([(i.request, i.text) for i in chunk])
    return []


@transaction.atomic
def group_round_robin(*, request: Request, earlier: Request, by: Any):
    """The officer's one click: record the two requests as one round robin."""
    if request.organisation_id != earlier.organisation_id:
        raise IntakeError("a round robin is grouped within one organisation", field="earlier")
    return request_services.link_requests(
        request=request, other=earlier, kind=RequestLink.Kind.ROUND_ROBIN, by=by
    )


def fetch_mailbox(*, mailbox: Mailbox, by: Any, timeout: float = 30) -> int:
    """Fetch the mailbox's unseen messages into intake; the number received.

    A message is marked seen on the server only after it is stored (a message that cannot
    be read is stored too, with its error), so a crash or an unreachable database leaves it
    unseen for the next run, and the Message-ID check makes a repeated fetch harmless. A
    mailbox that cannot be reached raises IntakeError naming it; nothing is lost."""
    password = os.environ.get(mailbox.password_env, "")
    where = f"mailbox {mailbox.username}@{mailbox.host}:{mailbox.port}"
    received = 0
    try:
        client_class = imaplib.IMAP4_SSL if mailbox.use_ssl else imaplib.IMAP4
        with client_class(mailbox.host, mailbox.port, timeout=timeout) as client:
            client.login(mailbox.username, password)
            status, _ = client.select(mailbox.folder)
            if status != "OK":
                raise IntakeError(
                    f"{where}: folder {mailbox.folder!r} cannot be opened", field="folder"
                )
            _, data = client.uid("SEARCH", None, "UNSEEN")
            for uid in data[0].split():
                _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if raw is None:
                    continue
                receive_message(
                    organisation=mailbox.organisation,
                    raw=raw,
                    filename=f"imap-{uid.decode()}.eml",
                    by=by,
                )
                client.uid("STORE", uid, "+FLAGS", r"(\Seen)")
                received += 1
    except (OSError, imaplib.IMAP4.error) as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=f"{where}: {exc}")
        raise IntakeError(f"{where} cannot be reached: {exc}", field="host") from exc
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetched_at=timezone.now(), last_error="")
    return received


@transaction.atomic
def save_standard_answer(
    *,
    organisation: Any,
    question: str,
    answer: str,
    by: Any,
    standard: StandardAnswer | None = None,
) -> StandardAnswer:
    """Keep (or change) one of the organisation's standard answers; audited."""
    question, answer = question.strip(), answer.strip()
    if not question:
        raise IntakeError("a standard answer needs the question it answers", field="question")
    if not answer:
        raise IntakeError("a standard answer needs its answer", field="answer")
    if standard is None:
        standard = StandardAnswer(organisation=organisation)
        before = {}
    else:
        if standard.organisation_id != organisation.pk:
            raise IntakeError("a standard answer stays with its organisation", field=None)
        before = audit.snapshot(standard, ["question", "answer"])
    standard.question, standard.answer = question, answer
    standard.save()
    changes = audit.diff(before, audit.snapshot(standard, ["question", "answer"]))
    if changes:
        audit.record_event(
            action=audit.AuditAction.STANDARD_ANSWER_SAVED,
            obj=standard,
            by=by,
            organisation_id=organisation.pk,
            # which fields, not their text: casework stays out of the audit log that an
            # organisation's commissioners and administrators read
            changes={"changed": sorted(changes)},
            object_repr=f"standard answer {standard.pk}",
        )
    return standard


@transaction.atomic
def use_standard_answer(*, question: Question, standard: StandardAnswer, by: Any) -> Question:
    """The officer's one click: copy a standard answer into a question's answer (marked
    provided). Only the organisation's own standard answers serve its requests."""
    if standard.organisation_id != question.request.organisation_id:
        raise IntakeError("that standard answer belongs to another organisation", field=None)
    updated = request_services.update_question(
        question=question,
        answer=standard.answer,
        answer_kind=Question.AnswerKind.PROVIDED,
        by=by,
    )
    audit.record_event(
        action=audit.AuditAction.STANDARD_ANSWER_USED,
        obj=standard,
        by=by,
        organisation_id=standard.organisation_id,
        changes={"request": question.request.reference, "question": question.number},
        object_repr=f"standard answer {standard.pk}",
    )
    return updated


ERASED_SENDER = "(erased requester)"


def erase_requester_messages(*, requests: list, scrub, today) -> int:
    """The records-management erasure's step (``requests.services.requester_erased``):
    the messages a requester's requests were logged from or answered by lose the email as
    received, the sender, the quoted history and the signature (which sign off with their
    name and telephone), and their details in the subject and body are blanked. The text
    of the request itself stays with the request, as its questions do."""
    messages = InboundMessage.objects.filter(
        Q(request__in=requests) | Q(matched_request__in=requests), erased_on__isnull=True
    )
    erased = 0
    for message in messages.select_for_update():
        message.raw = b""
        message.filename = f"message-{message.pk}.eml"
        message.sender_name = ERASED_SENDER
        message.sender_email = message.sender_address = ""
        message.quoted = message.signature = ""
        message.subject = scrub(message.subject)
        message.body = scrub(message.body)
        message.error = scrub(message.error)
        message.erased_on = today
        message.save()
        erased += 1
    return erased
