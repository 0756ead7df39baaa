"""The FOI mailbox screen: upload an .eml, confirm or correct the draft request it makes,
or log a reply on its request in one click. Thin: every write is a service."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from foiregister.kernel import access
from foiregister.kernel.admin import NoDeleteMixin, ScopedModelAdmin, service_error_to_form
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.requests import selectors as request_selectors

from . import selectors, services
from .models import InboundMessage, Mailbox, StandardAnswer


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None)
    file = forms.FileField(label="Email (.eml)", help_text="Saved from your mail program as .eml.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = access.organisations_of(
            user, roles=access.CASEWORK_ROLES
        )


class DraftForm(forms.Form):
    title = forms.CharField(max_length=300)
    body = forms.CharField(label="Full text", widget=forms.Textarea(attrs={"rows": 10}))
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="One question a paragraph (separate questions by a blank line).",
    )
    requester_name = forms.CharField(max_length=200, required=False, help_text="Private.")
    requester_email = forms.EmailField(help_text="Private.")
    requester_postal_address = forms.CharField(
        label="Requester postal address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Private. Only if they asked for a reply by post.",
    )

    def question_list(self) -> list[str]:
        text = self.cleaned_data["questions"].replace("\r\n", "\n")  # browsers send CRLF
        return [" ".join(q.split()) for q in re.split(r"\n\s*\n", text) if q.strip()]


@admin.register(InboundMessage)
class InboundMessageAdmin(NoDeleteMixin, ScopedModelAdmin):
    organisation_path = "organisation"
    scope_roles = access.CASEWORK_ROLES
    list_display = ("received_at", "subject", "status", "kind", "source", "organisation")
    list_filter = ("status", "kind", "source")
    search_fields = ("subject",)
    change_list_template = "admin/intake/inboundmessage/change_list.html"

    def has_add_permission(self, request):
        return False  # messages arrive by upload or from the mailbox, never typed

    def changelist_view(self, request, extra_context=None):
        """Titled for what the officer does here, not Django's "Select ... to change"."""
        return super().changelist_view(
            request, {"title": "Intake: emails and public requests", **(extra_context or {})}
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="intake_inboundmessage_upload"),
            path("<int:pk>/review/", wrap(self.review_view), name="intake_inboundmessage_review"),
            path("<int:pk>/raw/", wrap(self.raw_view), name="intake_inboundmessage_raw"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:intake_inboundmessage_review", object_id)

    def published_elsewhere(self, *, message, questions: list[str]) -> list:
        """Other organisations' published responses asking the same questions. None here:
        what is published is the disclosure log's rule, so the disclosure app extends this
        screen (``InboundMessageWithPublishedAdmin``; docs/adr/0001-layers.md)."""
        return []

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def upload_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            message, created = services.receive_message(
                organisation=form.cleaned_data["organisation"],
                raw=upload.read(),
                filename=upload.name,
                by=request.user,
            )
            if not created:
                messages.info(request, "This message was received before; here it is.")
            elif message.status == InboundMessage.Status.FAILED:
                messages.error(
                    request,
                    f"The message could not be read: {message.error}. It is kept; retry once fixed.",
                )
            return redirect("admin:intake_inboundmessage_review", message.pk)
        return TemplateResponse(
            request,
            "admin/intake/inboundmessage/upload.html",
            self._context(request, form=form, title="Upload an email"),
        )

    def review_view(self, request, pk):
        message = get_object_or_404(self.get_queryset(request), pk=pk)
        draft = None
        if message.status == InboundMessage.Status.NEW_REQUEST:
            initial = {
                "title": message.subject,
                "body": message.body,
                "questions": "\n\n".join(services.draft_questions(message)),
                "requester_name": message.sender_name,
                "requester_email": message.sender_email,
                "requester_postal_address": message.sender_address,
            }
            draft = DraftForm(request.POST or None, initial=initial)
            if request.method == "POST" and "log" in request.POST and draft.is_valid():
                try:
                    logged = services.log_request_from_message(
                        message=message,
                        title=draft.cleaned_data["title"],
                        body=draft.cleaned_data["body"],
                        questions=draft.question_list(),
                        requester_name=draft.cleaned_data["requester_name"],
                        requester_email=draft.cleaned_data["requester_email"],
                        requester_postal_address=draft.cleaned_data["requester_postal_address"],
                        by=request.user,
                    )
                except FoiRegisterError as exc:
                    service_error_to_form(draft, exc)
                else:
                    messages.success(request, f"Logged as {logged.reference}.")
                    return redirect("admin:intake_inboundmessage_review", message.pk)
        elif request.method == "POST" and message.status == InboundMessage.Status.CORRESPONDENCE:
            kind = request.POST.get("kind", "")
            try:
                services.confirm_correspondence(message=message, kind=kind, by=request.user)
            except FoiRegisterError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, "Logged." if kind != InboundMessage.Kind.AUTO_REPLY else "Ignored."
                )
            return redirect("admin:intake_inboundmessage_review", message.pk)
        elif (
            request.method == "POST"
            and message.status == InboundMessage.Status.FAILED
            and "retry" in request.POST
        ):
            message = services.retry_message(message=message, by=request.user)
            return redirect("admin:intake_inboundmessage_review", message.pk)
        elif request.method == "POST" and "use_standard" in request.POST and message.request_id:
            question = get_object_or_404(
                message.request.questions, pk=request.POST.get("question")
            )
            standard = get_object_or_404(
                selectors.standard_answers_visible_to(request.user),
                pk=request.POST.get("standard"),
            )
            try:
                services.use_standard_answer(question=question, standard=standard, by=request.user)
            except FoiRegisterError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, f"Standard answer copied into question {question.number}."
                )
            return redirect("admin:intake_inboundmessage_review", message.pk)
        elif request.method == "POST" and "group" in request.POST and message.request_id:
            earlier = get_object_or_404(
                request_selectors.requests_visible_to(request.user), pk=request.POST.get("earlier")
            )
            try:
                services.group_round_robin(
                    request=message.request, earlier=earlier, by=request.user
                )
            except FoiRegisterError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Grouped with {earlier.reference} as one round robin.")
            return redirect("admin:intake_inboundmessage_review", message.pk)
        earlier, standards, published = [], [], []
        if (
            message.status in (InboundMessage.Status.NEW_REQUEST, InboundMessage.Status.LOGGED)
            and message.body
        ):
            if message.request_id:
                questions = list(message.request.questions.values_list("text", flat=True))
                text = services.request_text(message.request)
            else:
                questions = services.draft_questions(message)
                text = "\n".join([message.body, *questions])
            matches = selectors.standard_answers_for(
                questions=questions, organisation=message.organisation
            )
            logged = list(message.request.questions.all()) if message.request_id else []
            standards = [
                (logged[i] if i < len(logged) else None, match)
                for i, match in enumerate(matches)
                if match is not None
            ]
            earlier = selectors.earlier_requests_like(
                text=text,
                questions=questions,
                organisation=message.organisation,
                visible=request_selectors.requests_visible_to(request.user),
                exclude=message.request,
            )
            published = self.published_elsewhere(message=message, questions=questions)
        return TemplateResponse(
            request,
            "admin/intake/inboundmessage/review.html",
            self._context(
                request,
                message=message,
                original=message,
                draft=draft,
                earlier=earlier,
                published=published,
                standards=standards,
                attachments=message.attachments.all(),
                kinds=[
                    (InboundMessage.Kind.CLARIFICATION, "Log as clarification received"),
                    (InboundMessage.Kind.REVIEW, "Log as internal review request"),
                    (InboundMessage.Kind.AUTO_REPLY, "Ignore (automatic reply)"),
                ],
                request_url=reverse("admin:foiregister_request_change", args=[message.request_id])
                if message.request_id
                else "",
                workspace_url=reverse("admin:letters_workspace", args=[message.request_id])
                if message.request_id
                else "",
                title=message.subject or message.filename,
            ),
        )

    def raw_view(self, request, pk):
        """The message as received, for the officer to open in a mail program."""
        message = get_object_or_404(self.get_queryset(request), pk=pk)
        if message.erased_on is not None:
            return HttpResponse(
                f"This message was erased on {message.erased_on:%d %B %Y}, at the end of the "
                "retention period.",
                status=410,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
        return response


@admin.register(Mailbox)
class MailboxAdmin(NoDeleteMixin, ScopedModelAdmin):
    """An organisation's FOI mailbox for the beat job (off until enabled)."""

    organisation_path = "organisation"
    scope_roles = access.CASEWORK_ROLES
    list_display = (
        "organisation",
        "enabled",
        "host",
        "username",
        "folder",
        "last_fetched_at",
        "last_error",
    )
    readonly_fields = ("last_fetched_at", "last_error")


@admin.register(StandardAnswer)
class StandardAnswerAdmin(NoDeleteMixin, ScopedModelAdmin):
    """An organisation's standard answers for recurring questions, offered beside each new
    request's matching questions on the mailbox screen. Saved through the service (audited)."""

    organisation_path = "organisation"
    scope_roles = access.CASEWORK_ROLES
    list_display = ("question", "organisation", "updated_at")
    search_fields = ("question", "answer")

    def get_readonly_fields(self, request, obj=None):
        return ("organisation",) if obj else ()

    def save_model(self, request, obj, form, change):
        original = StandardAnswer.objects.get(pk=obj.pk) if change else None
        try:
            saved = services.save_standard_answer(
                organisation=original.organisation if original else obj.organisation,
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
                standard=original,
                by=request.user,
            )
        except FoiRegisterError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = saved.pk
