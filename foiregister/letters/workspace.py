"""The response workspace: one staff page per request where the officer answers every
question (kind, text, exemptions, live blocks shown as the requester will read them), the
draft letter's preview sits beside the answers, and the lead approves it or returns it
with a comment. Thin: reads through ``selectors``/``context``, writes through ``services``.

Questions are addressed by their number and live blocks by their position within the
question, so no screen asks anyone for a database id; the request comes from the officer's
own scoped queryset (``register_selectors.requests_visible_to``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from foiregister.kernel.admin import service_error_to_form
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Question, Request

from . import context, selectors, services, tasks, wording
from .blocks import get_block
from .exceptions import BlockError
from .forms import AnswerForm, BlockParamsForm, BlockTypeForm, CommentForm
from .models import AnswerBlock, Letter


@dataclass
class QuestionPanel:
    question: Question
    form: AnswerForm
    content: dict[str, Any]
    wordings: dict[str, str]
    blocks: list[dict[str, Any]] = field(default_factory=list)
    #: Earlier answers to this question the officer may take (``admin.earlier_answers``).
    earlier: list[Any] = field(default_factory=list)


def _foi_request(request, request_id: int) -> Request:
    return get_object_or_404(
        register_selectors.requests_visible_to(request.user).select_related("organisation"),
        pk=request_id,
    )


def _question(foi_request: Request, number: int) -> Question:
    return get_object_or_404(foi_request.questions, number=number)


def _block(question: Question, position: int) -> AnswerBlock:
    block = selectors.blocks_for_question(question).filter(position=position).first()
    if block is None:
        raise Http404("no such live block")
    return block


def _back(foi_request: Request, anchor: str = ""):
    url = reverse("admin:letters_workspace", args=[foi_request.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _wordings(foi_request: Request, question: Question, s12: dict[str, str]) -> dict[str, str]:
    """Every answer kind's standard wording as this question would print it unedited, so
    the page can put the right one in the box as the kind is changed."""
    organisation = foi_request.organisation
    values = {
        "organisation": organisation.name,
        "url": question.elsewhere_url,
        "sections": context._sections(question.exemptions.all()),
        **s12,
    }
    return {
        kind: wording.fill(
            selectors.standard_wording(organisation=organisation, answer_kind=kind), values
        )
        for kind in wording.DEFAULTS
    }


def _panels(
    foi_request: Request,
    *,
    bound: dict[int, AnswerForm] | None = None,
    earlier: dict[int, list] | None = None,
):
    s12 = context._s12_values(foi_request)
    panels = []
    for question in foi_request.questions.prefetch_related("exemptions").order_by("number"):
        states: list = []
        content = context.question_content(
            question, organisation=foi_request.organisation, s12=s12, states=states
        )
        wordings = _wordings(foi_request, question, s12)
        form = (bound or {}).get(question.number) or AnswerForm(
            prefix=f"q{question.number}",
            initial={
                "standard_wording": content["standard_wording"]
                or wordings.get(question.answer_kind, ""),
                "wording_kind": question.answer_kind,
                "answer_kind": question.answer_kind,
                "answer": question.answer,
                "elsewhere_url": question.elsewhere_url,
                "exemptions": list(question.exemptions.all()),
                "public_interest_reasoning": question.public_interest_reasoning,
            },
        )
        blocks = [
            {"block": state.block, "shown": shown, "state": state}
            for state, shown in zip(states, content["blocks"], strict=True)
        ]
        panels.append(
            QuestionPanel(
                question=question,
                form=form,
                content=content,
                wordings=wordings,
                blocks=blocks,
                earlier=(earlier or {}).get(question.number, []),
            )
        )
    return panels


def _current_letter(foi_request: Request, wanted: str | None) -> Letter | None:
    """The letter the page previews: the one asked for, else the open response, else the
    open refusal notice, else any open letter."""
    open_letters = list(
        selectors.letters_for_request(foi_request).filter(status__in=Letter.OPEN_STATUSES)
    )
    if wanted:
        for letter in open_letters:
            if str(letter.pk) == wanted:
                return letter
    for kind in (Letter.Kind.RESPONSE, Letter.Kind.REFUSAL_NOTICE):
        for letter in open_letters:
            if letter.kind == kind:
                return letter
    return open_letters[0] if open_letters else None


def workspace_view(admin, request, request_id: int, *, bound=None, block_form=None):
    foi_request = _foi_request(request, request_id)
    letter = _current_letter(foi_request, request.GET.get("letter"))
    draft = context.draft_state(letter) if letter is not None else None
    can_approve = letter is not None and services.may_approve(letter, request.user)
    history = list(
        selectors.letters_for_request(foi_request).select_related("approved_by", "discarded_by")
    )
    ctx = {
        **admin.admin_site.each_context(request),
        "title": f"Response workspace: {foi_request.reference}",
        "subtitle": foi_request.title,
        "opts": Request._meta,
        "foi_request": foi_request,
        "panels": _panels(
            foi_request, bound=bound, earlier=admin.earlier_answers(request, foi_request)
        ),
        "block_type_form": BlockTypeForm(),
        "letter": letter,
        "draft": draft,
        "can_approve": can_approve,
        "sendable_statuses": [str(s) for s in services.BATCH_READY_STATUSES],
        "is_lead": request.user.has_perm(services.APPROVE_PERMISSION),
        "comments": list(letter.comments.select_related("by")) if letter else [],
        "comment_form": CommentForm(),
        "history": [(h, selectors.email_state(h)) for h in history],
        "draft_kinds": Letter.Kind.choices,
        "kind_choices": Question.AnswerKind.choices,
    }
    return TemplateResponse(request, "letters/admin/workspace.html", ctx)


def _post(request) -> None:
    if request.method != "POST":
        raise PermissionDenied("use the buttons on the workspace")


def answer_view(admin, request, request_id: int, number: int):
    _post(request)
    foi_request = _foi_request(request, request_id)
    question = _question(foi_request, number)
    form = AnswerForm(request.POST, prefix=f"q{number}")
    if form.is_valid():
        try:
            with transaction.atomic():
                question = services.set_answer(
                    question=question, by=request.user, **form.service_fields()
                )
                edit = form.wording_edit()
                if edit is not None:
                    s12 = context._s12_values(foi_request)
                    standard = _wordings(foi_request, question, s12).get(question.answer_kind, "")
                    services.set_question_wording(
                        question=question, by=request.user, text=edit, standard=standard
                    )
        except FoiRegisterError as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"Question {number} saved.")
            return _back(foi_request, f"q{number}")
    messages.error(request, f"Question {number} was not saved: see the errors below.")
    response = workspace_view(admin, request, request_id, bound={number: form})
    response.status_code = 200
    return response


def block_view(admin, request, request_id: int, number: int, position: int | None = None):
    """Add (``position`` None, the type from the menu) or change a question's live block:
    a form of ordinary fields made from the block type's parameters."""
    foi_request = _foi_request(request, request_id)
    question = _question(foi_request, number)
    existing = _block(question, position) if position is not None else None
    key = existing.block_type if existing else request.GET.get("block_type", "")
    try:
        kind = get_block(key)
    except BlockError as exc:
        messages.error(request, exc.message)
        return _back(foi_request, f"q{number}")
    today = register_selectors.local_today()
    initial = dict(existing.params) if existing else {}
    form = BlockParamsForm(
        request.POST if request.method == "POST" else None,
        block=kind,
        today=today,
        organisation=foi_request.organisation,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if existing:
                services.change_block(block=existing, params=form.params, by=request.user)
            else:
                services.add_block(
                    question=question, block_type=key, params=form.params, by=request.user
                )
        except FoiRegisterError as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"Question {number}: {kind.title} saved.")
            return _back(foi_request, f"q{number}")
    verb = "Change" if existing else "Add"
    return TemplateResponse(
        request,
        "letters/admin/workspace_block.html",
        {
            **admin.admin_site.each_context(request),
            "title": f"{verb} {kind.title.lower()}: question {number}",
            "opts": Request._meta,
            "foi_request": foi_request,
            "question": question,
            "kind": kind,
            "form": form,
            "existing": existing,
        },
    )


def remove_block_view(admin, request, request_id: int, number: int, position: int):
    _post(request)
    foi_request = _foi_request(request, request_id)
    block = _block(_question(foi_request, number), position)
    try:
        services.remove_block(block=block, by=request.user)
        messages.success(request, f"Question {number}: live block removed.")
    except FoiRegisterError as exc:
        messages.error(request, exc.message)
    return _back(foi_request, f"q{number}")


def draft_view(admin, request, request_id: int, kind: str):
    _post(request)
    foi_request = _foi_request(request, request_id)
    try:
        letter, created = services.open_draft(request=foi_request, kind=kind, by=request.user)
    except FoiRegisterError as exc:
        messages.error(request, exc.message)
        return _back(foi_request)
    if not created:
        messages.info(request, f"The {letter.get_kind_display().lower()} is already in draft.")
    url = reverse("admin:letters_workspace", args=[foi_request.pk])
    return redirect(f"{url}?letter={letter.pk}#letter")


LETTER_ACTIONS = ("review", "submit", "approve", "return", "comment", "discard", "issue")


def letter_action_view(admin, request, request_id: int, letter_id: int, action: str):
    """The letter's buttons on the workspace; each calls one service and comes back."""
    _post(request)
    foi_request = _foi_request(request, request_id)
    letter = get_object_or_404(
        selectors.letters_visible_to(request.user), pk=letter_id, request=foi_request
    )
    comment = request.POST.get("comment", "")
    user = request.user
    try:
        if action == "review":
            count = services.review_letter_blocks(letter=letter, by=user)
            messages.success(request, f"{count} live blocks reviewed at their current values.")
        elif action == "submit":
            services.send_for_approval(letter=letter, by=user)
            messages.success(
                request, "Sent to the FOI lead: the request is in approval, on the lead's My work."
            )
        elif action == "approve":
            services.approve_letter(
                letter=letter, by=user, seen_hash=request.POST.get("content_hash", "")
            )
            messages.success(request, "Approved exactly as previewed.")
        elif action == "return":
            services.return_letter(letter=letter, by=user, comment=comment)
            messages.success(request, "Returned to the officer with your comment.")
        elif action == "comment":
            services.comment_on_letter(letter=letter, by=user, comment=comment)
            messages.success(request, "Comment added.")
        elif action == "discard":
            services.discard_letter(letter=letter, by=user, reason=comment)
            messages.success(request, "Draft discarded; it stays in the request's history.")
        elif action == "issue":
            with transaction.atomic():
                letter = services.issue_letter(letter=letter, by=user)
                tasks.queue_email(letter)
            messages.success(request, "Issued; the requester's copy is being emailed.")
        else:
            raise Http404("no such action")
    except FoiRegisterError as exc:
        messages.error(request, exc.message)
    url = reverse("admin:letters_workspace", args=[foi_request.pk])
    if letter.status in Letter.OPEN_STATUSES:
        url += f"?letter={letter.pk}"
    return redirect(url + "#letter")


def urls(admin) -> list:
    """The workspace's routes, mounted under the request admin."""
    view = admin.admin_site.admin_view

    def bind(fn):
        return view(lambda request, *args, **kwargs: fn(admin, request, *args, **kwargs))

    return [
        path("<int:request_id>/workspace/", bind(workspace_view), name="letters_workspace"),
        path(
            "<int:request_id>/workspace/q<int:number>/answer/",
            bind(answer_view),
            name="letters_workspace_answer",
        ),
        path(
            "<int:request_id>/workspace/q<int:number>/blocks/add/",
            bind(block_view),
            name="letters_workspace_block_add",
        ),
        path(
            "<int:request_id>/workspace/q<int:number>/blocks/<int:position>/",
            bind(block_view),
            name="letters_workspace_block",
        ),
        path(
            "<int:request_id>/workspace/q<int:number>/blocks/<int:position>/remove/",
            bind(remove_block_view),
            name="letters_workspace_block_remove",
        ),
        path(
            "<int:request_id>/workspace/draft/<str:kind>/",
            bind(draft_view),
            name="letters_workspace_draft",
        ),
        path(
            "<int:request_id>/workspace/letter/<int:letter_id>/<str:action>/",
            bind(letter_action_view),
            name="letters_workspace_letter",
        ),
    ]
