"""Reading an email into the parts a request is made of. No Django: the standard library's
``email`` package (``policy.default``) and ``inscriptis`` for HTML bodies (it keeps
lists as bullets and numbers, which is where the questions are).

Errors name the file and the header or part at fault (``request.eml, header Date: ...``);
the caller keeps the raw message whatever happens, so nothing is lost and it can be retried.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from inscriptis import get_text

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""An attachment above this is refused (the message stays, for the officer to fetch it)."""

UNSUPPORTED_ATTACHMENT_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-dosexec",
        "application/x-sh",
        "application/java-archive",
    }
)
"""Executables never enter a case file."""


class MessageError(ValueError):
    """A message that cannot be read; ``str()`` names the file and the field."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    sent_at: datetime.datetime
    sender_name: str
    sender_email: str
    subject: str
    in_reply_to: str
    references: tuple[str, ...]
    body: str
    quoted: str
    signature: str
    auto_reply: bool
    attachments: tuple[Attachment, ...] = field(default=())

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this one answers (In-Reply-To first, then References)."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return tuple(dict.fromkeys(ids + list(self.references)))


_MSGID = re.compile(r"<[^<>\s]+>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|autoreply|undeliverable|"
    r"delivery status notification|mail delivery failed)\b",
    re.IGNORECASE,
)
_QUOTE_HEADER = re.compile(
    r"^\s*(on .{3,200}wrote:\s*$|-{2,}\s*original message\s*-{2,}|_{5,}\s*$|from:\s.+|"
    r"sent from my \w+)",
    re.IGNORECASE,
)
_SIGNATURE_START = re.compile(
    r"^\s*(--\s*$|yours (faithfully|sincerely|truly)|kind(est)? regards|best( wishes| regards)?\b|"
    r"many thanks\b|regards\b|thanks\b|with thanks\b)",
    re.IGNORECASE,
)


def parse_message(raw: bytes, *, filename: str = "message.eml") -> ParsedMessage:
    """Read an RFC 5322 message; raise MessageError naming ``filename`` if it is not one."""
    if not raw or not raw.strip():
        raise MessageError(f"{filename}: the file is empty")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it raises is a broken file
        raise MessageError(f"{filename}: not an email message ({exc})") from exc
    if message.defects and not message.keys():
        raise MessageError(f"{filename}: not an email message ({message.defects[0]})")
    message_id = _header(message, "Message-ID", filename)
    ids = _MSGID.findall(message_id)
    if len(ids) != 1:
        raise MessageError(f"{filename}, header Message-ID: {message_id!r} is not one <id@host>")
    date_text = _header(message, "Date", filename)
    try:
        sent_at = parsedate_to_datetime(date_text)
    except (TypeError, ValueError) as exc:
        raise MessageError(f"{filename}, header Date: {date_text!r} is not a date") from exc
    if sent_at.tzinfo is None:
        raise MessageError(f"{filename}, header Date: {date_text!r} has no time zone")
    addresses = getaddresses([str(message.get("From", ""))])
    sender_name, sender_email = addresses[0] if addresses else ("", "")
    if "@" not in sender_email:
        raise MessageError(f"{filename}, header From: {message.get('From', '')!r} has no address")
    body_text = _body_text(message, filename)
    body, quoted, signature = split_reply(body_text)
    subject = str(message.get("Subject", "")).strip()
    return ParsedMessage(
        message_id=ids[0],
        sent_at=sent_at,
        sender_name=sender_name.strip(),
        sender_email=sender_email.strip().lower(),
        subject=subject,
        in_reply_to=" ".join(_MSGID.findall(str(message.get("In-Reply-To", ""))))[:998],
        references=tuple(_MSGID.findall(str(message.get("References", "")))),
        body=body,
        quoted=quoted,
        signature=signature,
        auto_reply=_is_auto_reply(message, subject),
        attachments=tuple(_attachments(message, filename)),
    )


def _header(message: EmailMessage, name: str, filename: str) -> str:
    try:
        value = message.get(name)
    except Exception as exc:  # a header the policy cannot parse
        raise MessageError(f"{filename}, header {name}: cannot be read ({exc})") from exc
    if value is None or not str(value).strip():
        raise MessageError(f"{filename}, header {name}: missing")
    return str(value).strip()


def _body_text(message: EmailMessage, filename: str) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError) as exc:
        raise MessageError(f"{filename}, body: cannot be decoded ({exc})") from exc
    if part.get_content_type() == "text/html":
        content = get_text(content)  # lists keep their bullets and numbers
    return content.replace("\r\n", "\n").strip()


def _is_auto_reply(message: EmailMessage, subject: str) -> bool:
    """RFC 3834 Auto-Submitted, the common vendor headers, or an out-of-office subject."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    if str(message.get("Precedence", "")).strip().lower() in {"auto_reply", "bulk", "junk"}:
        return True
    return bool(_AUTO_SUBJECT.match(subject))


def _attachments(message: EmailMessage, filename: str):
    for part in message.iter_attachments():
        name = part.get_filename() or "attachment"
        content_type = part.get_content_type()
        if content_type in UNSUPPORTED_ATTACHMENT_TYPES or name.lower().endswith(
            (".exe", ".bat", ".js", ".scr")
        ):
            raise MessageError(
                f"{filename}, attachment {name}: {content_type} files are not accepted"
            )
        data = part.get_payload(decode=True) or b""
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise MessageError(
                f"{filename}, attachment {name}: {len(data)} bytes is over the {MAX_ATTACHMENT_BYTES} byte limit"
            )
        yield Attachment(filename=name, content_type=content_type, data=data)


def split_reply(text: str) -> tuple[str, str, str]:
    """(new text, quoted earlier messages, signature): quoting starts at the first "On ...
    wrote:" / "Original Message" / "From:" line or run of "> " lines; the signature at the
    last sign-off ("Yours faithfully", "-- ") in what remains."""
    lines = text.splitlines()
    cut = len(lines)
    for i, line in enumerate(lines):
        if _QUOTE_HEADER.match(line) or (line.startswith(">") and i > 0):
            cut = i
            break
    new, quoted = lines[:cut], lines[cut:]
    sig_at = len(new)
    for i in range(len(new) - 1, -1, -1):
        if _SIGNATURE_START.match(new[i]):
            sig_at = i
            break
    body = "\n".join(new[:sig_at]).strip()
    signature = "\n".join(new[sig_at:]).strip()
    if not body and signature:  # a message that is all sign-off keeps its words as the body
        body, signature = signature, ""
    return body, "\n".join(quoted).strip(), signature


_ITEM = re.compile(
    r"^\s*(?:(?:q(?:uestion)?\s*)?\(?\d{1,2}[.)]|\(?[a-z][.)]|[ivx]{1,4}[.)]|[-*\u2022\u2013\u25cf\u25aa])\s+(.*\S)",
    re.IGNORECASE,
)


def split_questions(text: str) -> list[str]:
    """The items of the numbered or bulleted lists in ``text``, continuation lines joined;
    the whole text as one question when it has no list."""
    questions: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        match = _ITEM.match(line)
        if match:
            if current:
                questions.append(" ".join(current))
            current = [match.group(1).strip()]
        elif current is not None and line.strip():
            current.append(line.strip())
        elif current is not None and not line.strip():
            questions.append(" ".join(current))
            current = None
    if current:
        questions.append(" ".join(current))
    questions = [q for q in questions if q]
    if not questions and text.strip():
        return [re.sub(r"\s+", " ", text).strip()]
    return questions
