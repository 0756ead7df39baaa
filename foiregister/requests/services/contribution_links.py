"""Contributions that reach the department: a signed, expiring link to a page with only the
questions asked of it, answered there, chased before the internal deadline, and accepted
into the response by the officer.

Why a signed link and not a contributor account (docs/contributions.md): a department
contact answers a handful of questions a year; an account would need a password, a second
factor and an organisation role for someone who never otherwise uses the register, and its
screens would have to be walled off from every request. The link (``django.core.signing``,
salted, timestamped) names one contribution and the moment it was sent: it opens that
contribution's questions and nothing else, expires after ``FOI_CONTRIBUTION_LINK_DAYS``,
and sending the link again revokes the old one. The page shows the organisation, the
department, the request's reference and the questions: nothing about the requester.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from foiregister import calendar
from foiregister.kernel import audit
from foiregister.requests import selectors
from foiregister.requests.exceptions import ValidationFailed
from foiregister.requests.models import Contribution, Question, Request

LINK_SALT = "foiregister.contribution-link"
INVALID_LINK = "this link is not valid"


class LinkRefused(ValidationFailed):
    """A contribution link that is forged, expired, replaced or already used up."""


def contribution_token(contribution: Contribution) -> str:
    """The signed token: the contribution and when its link was sent (a new sending makes
    the old token stale)."""
    sent = contribution.emailed_at.timestamp() if contribution.emailed_at else 0
    return signing.dumps({"c": contribution.pk, "s": int(sent)}, salt=LINK_SALT, compress=True)


def contribution_for_token(token: str) -> Contribution:
    """The contribution a link opens, or ``LinkRefused`` saying why (never which
    contribution or request, to someone holding a bad link)."""
    max_age = datetime.timedelta(days=settings.FOI_CONTRIBUTION_LINK_DAYS)
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkRefused(
            "this link has expired: ask the FOI team to send it again", field="token"
        ) from exc
    except signing.BadSignature as exc:
        raise LinkRefused(INVALID_LINK, field="token") from exc
    contribution = (
        Contribution.objects.select_related("department", "request__organisation")
        .filter(pk=data.get("c"))
        .first()
    )
    if contribution is None or contribution.emailed_at is None:
        raise LinkRefused(INVALID_LINK, field="token")
    if int(contribution.emailed_at.timestamp()) != data.get("s"):
        raise LinkRefused(
            "this link was replaced by a newer one: use the latest email from the FOI team",
            field="token",
        )
    if contribution.request.status not in Request.OPEN_STATUSES:
        raise LinkRefused("the request has been answered or closed", field="token")
    return contribution


def contribution_url(contribution: Contribution, *, base_url: str | None = None) -> str:
    base = (base_url or settings.FOI_SITE_URL).rstrip("/")
    return base + reverse("contribute", args=[contribution_token(contribution)])


def _questions(contribution: Contribution):
    return contribution.questions.order_by("number")


def _message(contribution: Contribution, url: str, *, chase: bool) -> tuple[str, str]:
    ref = contribution.request.reference
    lines = [
        f"The FOI team of {contribution.request.organisation} needs {contribution.department}'s "
        f"answers to {len(_questions(contribution))} question(s) of request {ref} by "
        f"{contribution.internal_due_on:%A %d %B %Y}.",
        "",
        *(f"Q{q.number}. {q.text}" for q in _questions(contribution)),
        "",
        f"Answer them here (the link works for {settings.FOI_CONTRIBUTION_LINK_DAYS} days, "
        "for your department's questions only):",
        url,
    ]
    subject = f"{'Reminder: ' if chase else ''}FOI {ref}: questions for {contribution.department}"
    return subject, "\n".join(lines)


@transaction.atomic
def email_contribution(
    *, contribution: Contribution, by: Any, base_url: str | None = None
) -> Contribution:
    """Send the department's contact its questions and a fresh link (revoking any earlier
    one); audited on the request."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    department = contribution.department
    if not department.email:
        raise ValidationFailed(
            f"{department} has no email address: add one on the department's page",
            field="department",
        )
    if contribution.status != Contribution.Status.ASKED:
        raise ValidationFailed("the department has already answered", field="status")
    if not _questions(contribution).exists():
        raise ValidationFailed(
            "choose the questions the department should answer", field="questions"
        )
    contribution.emailed_at = timezone.now().replace(microsecond=0)
    contribution.save(update_fields=["emailed_at"])
    subject, body = _message(
        contribution, contribution_url(contribution, base_url=base_url), chase=False
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [department.email])
    audit.record_event(
        action=audit.AuditAction.CONTRIBUTION_EMAILED,
        obj=contribution.request,
        by=by,
        organisation_id=contribution.request.organisation_id,
        changes={"department": department.name, "to": department.email},
    )
    return contribution


@transaction.atomic
def answer_contribution(*, token: str, answers: dict[int, str]) -> Contribution:
    """The department contact's answers through its link: one text per question number,
    every question answered. Recorded as answered (not yet in the response: the officer
    accepts it), audited as the department."""
    contribution = contribution_for_token(token)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status != Contribution.Status.ASKED:
        raise LinkRefused("these questions have already been answered", field="token")
    numbers = list(_questions(contribution).values_list("number", flat=True))
    cleaned = {n: (answers.get(n) or "").strip() for n in numbers}
    missing = [n for n, text in cleaned.items() if not text]
    if missing:
        raise ValidationFailed(
            "answer every question (write 'not held' where the department holds nothing): "
            + ", ".join(f"Q{n}" for n in missing),
            field=f"q{missing[0]}",
        )
    contribution.answers = {str(n): text for n, text in cleaned.items()}
    contribution.answer = "\n\n".join(f"Q{n}. {text}" for n, text in cleaned.items())
    contribution.status = Contribution.Status.ANSWERED
    contribution.answered_on = selectors.local_today()
    contribution.save(update_fields=["answers", "answer", "status", "answered_on"])
    audit.record_event(
        action=audit.AuditAction.CONTRIBUTION_ANSWERED,
        obj=contribution.request,
        by=audit.system(f"{contribution.department} (contribution link)"),
        organisation_id=contribution.request.organisation_id,
        changes={"department": contribution.department.name, "status": "answered"},
        note=contribution.answer[:500],
    )
    return contribution


@transaction.atomic
def accept_contribution(*, contribution: Contribution, by: Any) -> list[Question]:
    """Take the department's answers into the response: each question it answered that has
    no answer yet gets the department's text (kind "provided"); a question the officer has
    already answered is left alone. Returns the questions filled; audited."""
    from .requests import update_question

    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status == Contribution.Status.ASKED:
        raise ValidationFailed("the department has not answered yet", field="status")
    if contribution.accepted_at is not None:
        raise ValidationFailed("this answer is already in the response", field="status")
    filled = []
    for question in _questions(contribution):
        text = (contribution.answers or {}).get(str(question.number), "")
        if not text and len(_questions(contribution)) == 1:
            text = contribution.answer
        if not text or question.answer.strip():
            continue
        update_question(
            question=question,
            by=by,
            answer=text,
            answer_kind=question.answer_kind or Question.AnswerKind.PROVIDED,
        )
        filled.append(question)
    contribution.accepted_at = timezone.now()
    contribution.save(update_fields=["accepted_at"])
    audit.record_event(
        action=audit.AuditAction.CONTRIBUTION_ACCEPTED,
        obj=contribution.request,
        by=by,
        organisation_id=contribution.request.organisation_id,
        changes={
            "department": contribution.department.name,
            "questions": [q.number for q in filled],
        },
    )
    return filled


def contributions_to_chase(*, today: datetime.date) -> list[Contribution]:
    """Emailed, unanswered contributions whose internal deadline is within two working days
    (or past), not chased today: the reminder goes before the deadline, not after it."""
    cal = selectors.working_day_calendar()
    horizon = calendar.add_working_days(
        today, settings.FOI_CONTRIBUTION_CHASE_WORKING_DAYS, calendar=cal
    )
    rows = Contribution.objects.filter(
        status=Contribution.Status.ASKED,
        emailed_at__isnull=False,
        internal_due_on__lte=horizon,
        request__status__in=Request.OPEN_STATUSES,
    ).select_related("department", "request__organisation")
    return [
        c
        for c in rows
        if c.department.email
        and (c.chased_at is None or timezone.localtime(c.chased_at).date() < today)
    ]


def chase_contributions(*, today: datetime.date) -> int:
    """Remind each department contact of unanswered questions before their deadline (the
    same link; daily at most). Run by Celery beat. Returns reminders sent."""
    sent = 0
    for contribution in contributions_to_chase(today=today):
        with transaction.atomic():
            subject, body = _message(contribution, contribution_url(contribution), chase=True)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contribution.department.email])
            Contribution.objects.filter(pk=contribution.pk).update(chased_at=timezone.now())
            audit.record_event(
                action=audit.AuditAction.CONTRIBUTION_CHASED,
                obj=contribution.request,
                by=audit.system("contribution reminders"),
                organisation_id=contribution.request.organisation_id,
                changes={
                    "department": contribution.department.name,
                    "internal_due_on": contribution.internal_due_on,
                },
            )
            sent += 1
    return sent
