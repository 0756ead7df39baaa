"""FOI leads' screens: the responses waiting to be published, the personal-data findings
with accept checkboxes, attachment overrides, and withdrawal. Every action calls a service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from foiregister.kernel import access
from foiregister.kernel.admin import ScopedModelAdmin
from foiregister.kernel.exceptions import FoiRegisterError

from . import selectors, services
from .exceptions import PersonalDataFound
from .models import DisclosureLogEntry, PrivateName, PublishedAttachment


@admin.register(DisclosureLogEntry)
class DisclosureLogEntryAdmin(ScopedModelAdmin):
    organisation_path = "request__organisation"
    scope_roles = access.CASEWORK_ROLES
    list_display = ["reference", "title", "organisation", "published_at", "live", "public_link"]
    list_filter = ["organisation", "regime", "outcome"]
    search_fields = ["reference", "title"]
    exclude = ["search_document", "answers_text"]
    change_list_template = "disclosure/admin/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name
            for f in self.model._meta.fields
            if f.name not in ("search_document", "answers_text")
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True)
    def live(self, obj):
        return obj.is_live

    @admin.display(description="Public page")
    def public_link(self, obj):
        if not obj.is_live:
            return "withdrawn"
        url = reverse("disclosure:response", args=[obj.public_id])
        return format_html('<a href="{}">{}</a>', url, obj.public_id)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("publish/", wrap(self.publish_list_view), name="disclosure_publish_list"),
            path(
                "publish/<int:request_id>/",
                wrap(self.publish_view),
                name="disclosure_publish",
            ),
            path(
                "publish/<int:request_id>/preview/",
                wrap(self.preview_view),
                name="disclosure_preview",
            ),
            path("<int:pk>/withdraw/", wrap(self.withdraw_view), name="disclosure_withdraw"),
        ] + super().get_urls()

    def _require_lead(self, request):
        if not request.user.has_perm(services.PUBLISH_PERMISSION):
            raise PermissionDenied

    def publish_list_view(self, request):
        self._require_lead(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "Responses to publish",
            "requests": selectors.publishable_requests_for(request.user),
            "changes": selectors.entries_with_pending_changes_for(request.user),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "disclosure/admin/publish_list.html", context)

    def _publishing(self, request, request_id: int):
        """The live entry with changes awaiting publication, or the request to publish."""
        entry = (
            selectors.entries_with_pending_changes_for(request.user)
            .filter(request_id=request_id)
            .first()
        )
        if entry is not None:
            return entry, entry.request
        foi_request = get_object_or_404(
            selectors.publishable_requests_for(request.user), pk=request_id
        )
        return None, foi_request

    def preview_view(self, request, request_id: int):
        """The public page, in the public site's own styles, as publishing would make it."""
        self._require_lead(request)
        _, foi_request = self._publishing(request, request_id)
        preview = selectors.publication_preview(
            foi_request,
            title=request.GET.get("title", foi_request.title),
            summary=request.GET.get("summary", ""),
            topic=request.GET.get("topic", foi_request.topic),
        )
        return TemplateResponse(
            request,
            "disclosure/preview.html",
            {
                "entry": preview.entry,
                "pdf": preview.pdf,
                "answers": preview.answers,
                "attachments": preview.attachments,
                "round_robin": [],
                "preview": True,
                "back": reverse("admin:disclosure_publish", args=[request_id]),
            },
        )

    def publish_view(self, request, request_id: int):
        self._require_lead(request)
        entry = (
            selectors.entries_with_pending_changes_for(request.user)
            .filter(request_id=request_id)
            .first()
        )
        if entry is not None:
            foi_request = entry.request
        else:
            foi_request = get_object_or_404(
                selectors.publishable_requests_for(request.user), pk=request_id
            )
        title = request.POST.get("title", foi_request.title)
        summary = request.POST.get("summary", "")
        topic = request.POST.get("topic", foi_request.topic)
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "accept":
                    reason = request.POST.get("reason", "")
                    chosen = request.POST.getlist("accept")
                    for fingerprint in chosen:
                        services.accept_finding(
                            request=foi_request,
                            fingerprint=fingerprint,
                            by=request.user,
                            reason=reason,
                            title=title,
                            summary=summary,
                            topic=topic,
                        )
                    messages.success(request, f"{len(chosen)} finding(s) accepted.")
                elif action == "upload" and request.FILES.get("file"):
                    upload = request.FILES["file"]
                    services.add_attachment(
                        request=foi_request,
                        filename=upload.name,
                        data=upload.read(),
                        by=request.user,
                        title=request.POST.get("attachment_title", ""),
                    )
                    messages.success(request, "Attachment added and checked.")
                elif action == "override":
                    attachment = get_object_or_404(
                        PublishedAttachment, pk=request.POST.get("attachment"), request=foi_request
                    )
                    services.override_unchecked_attachment(
                        attachment=attachment,
                        by=request.user,
                        reason=request.POST.get("override_reason", ""),
                    )
                    messages.success(request, "Override recorded.")
                elif action in ("remove", "flatten"):
                    attachment = get_object_or_404(
                        PublishedAttachment,
                        pk=request.POST.get("attachment"),
                        request=foi_request,
                        removed_at__isnull=True,
                    )
                    if action == "remove":
                        services.remove_attachment(
                            attachment=attachment,
                            by=request.user,
                            reason=request.POST.get("remove_reason", ""),
                        )
                        messages.success(request, f"Attachment {attachment.position} removed.")
                    else:
                        services.flatten_attachment(attachment=attachment, by=request.user)
                        messages.success(
                            request, f"Attachment {attachment.position} flattened and checked."
                        )
                elif action == "publish_changes" and entry is not None:
                    services.publish_changes(entry=entry, by=request.user)
                    messages.success(request, f"The changes to {entry.reference} are published.")
                    return redirect("admin:disclosure_disclosurelogentry_changelist")
                elif action == "publish":
                    entry = services.publish_response(
                        request=foi_request,
                        by=request.user,
                        title=title,
                        summary=summary,
                        topic=topic,
                    )
                    messages.success(request, f"{entry.reference} is published.")
                    return redirect("admin:disclosure_disclosurelogentry_changelist")
            except PersonalDataFound as exc:
                messages.error(request, exc.message)
            except FoiRegisterError as exc:
                messages.error(request, exc.message)
            else:
                return redirect(request.path)
        accepted = selectors.accepted_fingerprints(foi_request)
        if entry is not None:
            findings = selectors.pending_change_findings(entry)
        else:
            findings = selectors.personal_data_findings(
                foi_request, title=title, summary=summary, topic=topic
            )
        preview = selectors.publication_preview(
            foi_request, title=title, summary=summary, topic=topic
        )
        context = {
            **self.admin_site.each_context(request),
            "preview": preview,
            "preview_query": urlencode({"title": title, "summary": summary, "topic": topic}),
            "checks_applied": selectors.checks_applied(),
            "title": f"Publish {foi_request.reference}",
            "foi_request": foi_request,
            "entry": entry,
            "pending": selectors.pending_changes(entry) if entry is not None else None,
            "findings": [(f, f.fingerprint in accepted) for f in findings],
            "outstanding": sum(
                1 for f in findings if f.blocking and f.fingerprint not in accepted
            ),
            "attachments": selectors.current_attachments(foi_request),
            "form_title": title,
            "form_summary": summary,
            "form_topic": topic,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "disclosure/admin/publish.html", context)

    def withdraw_view(self, request, pk: int):
        self._require_lead(request)
        entry = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method == "POST":
            try:
                services.withdraw_response(
                    entry=entry, by=request.user, reason=request.POST.get("reason", "")
                )
            except FoiRegisterError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{entry.reference} is withdrawn from the log.")
                return redirect("admin:disclosure_disclosurelogentry_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Withdraw {entry.reference}",
            "entry": entry,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "disclosure/admin/withdraw.html", context)


class PrivateNameForm(forms.ModelForm):
    class Meta:
        model = PrivateName
        fields = ["organisation", "name", "reason"]

    def clean(self):
        """The service's refusals, on the form: a refusal raised from ``save_model`` became
        a bare 403, and Django logged its message, the very name kept private."""
        cleaned = super().clean()
        organisation, name = cleaned.get("organisation"), " ".join(cleaned.get("name", "").split())
        if organisation is not None and name:
            if selectors.private_name_listed(organisation=organisation, name=name):
                self.add_error("name", "This name is already listed as private.")
        return cleaned


@admin.register(PrivateName)
class PrivateNameAdmin(ScopedModelAdmin):
    """FOI leads keep their organisation's list of names the check must report. Names
    are added and removed, never edited, each through a service that audits it."""

    organisation_path = "organisation"
    scope_roles = access.CASEWORK_ROLES

    form = PrivateNameForm
    list_display = ["name", "organisation", "reason", "added_by", "added_at"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    actions = None

    def _is_lead(self, request) -> bool:
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def has_module_permission(self, request):
        return self._is_lead(request)

    def has_view_permission(self, request, obj=None):
        return self._is_lead(request)

    def has_add_permission(self, request):
        return self._is_lead(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._is_lead(request)

    def save_model(self, request, obj, form, change):
        try:
            saved = services.add_private_name(
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except FoiRegisterError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_private_name(private_name=obj, by=request.user)


# The organisation export's screens; earlier answers on the workspace and mailbox screens.
from . import export_admin, reuse_admin  # noqa: E402,F401
