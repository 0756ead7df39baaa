"""The organisation export's screens: a lead starts one, watches its progress, downloads
the zip. Scoped to the organisations the person is an FOI lead of."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from foiregister.kernel.admin import ScopedModelAdmin
from foiregister.kernel.roles import FOI_LEAD

from . import export, tasks
from .models import OrganisationExport


class StartExportForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None)
    include_requesters = forms.BooleanField(
        required=False,
        label="Include requesters' names and contact details, and their copies of letters",
        help_text="Only if the body receiving the records needs them and may hold them. "
        "Your choice is recorded in the audit log.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = export.organisations_exportable_by(user).order_by(
            "name"
        )


@admin.register(OrganisationExport)
class OrganisationExportAdmin(ScopedModelAdmin):
    organisation_path = "organisation"
    scope_roles = (FOI_LEAD,)
    list_display = ("__str__", "include_requesters", "status", "progress", "created_by",
                    "created_at", "download")  # fmt: skip
    readonly_fields = ("organisation", "include_requesters", "status", "total", "done",
                       "error", "sha256", "size", "created_by", "created_at", "finished_at")  # fmt: skip
    exclude = ("file",)
    change_list_template = "disclosure/admin/export_change_list.html"

    def has_add_permission(self, request):
        return False  # started from the start page, which asks about requesters' details

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="progress")
    def progress(self, obj):
        return f"{obj.done} of {obj.total}"

    @admin.display(description="file")
    def download(self, obj):
        if obj.status != OrganisationExport.Status.DONE:
            return format_html(
                '<a href="{}">progress</a>',
                reverse("admin:disclosure_organisationexport_progress", args=[obj.pk]),
            )
        return format_html(
            '<a href="{}">download</a>',
            reverse("admin:disclosure_organisationexport_download", args=[obj.pk]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="disclosure_organisationexport_start"),
            path("<int:pk>/progress/", view(self.progress_view),
                 name="disclosure_organisationexport_progress"),
            path("<int:pk>/download/", view(self.download_view),
                 name="disclosure_organisationexport_download"),
        ] + super().get_urls()  # fmt: skip

    def start_view(self, request):
        if not export.organisations_exportable_by(request.user).exists():
            raise PermissionDenied
        form = StartExportForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                job = export.start_export(
                    organisation=form.cleaned_data["organisation"],
                    include_requesters=form.cleaned_data["include_requesters"],
                    by=request.user,
                )
                transaction.on_commit(lambda: tasks.run_organisation_export.delay(job.pk))
            return redirect("admin:disclosure_organisationexport_progress", job.pk)
        return TemplateResponse(
            request,
            "disclosure/admin/export_start.html",
            {**self.admin_site.each_context(request), "form": form,
             "title": "Export everything an organisation holds"},
        )  # fmt: skip

    def progress_view(self, request, pk):
        job = get_object_or_404(export.exports_visible_to(request.user), pk=pk)
        running = job.status in (
            OrganisationExport.Status.PENDING,
            OrganisationExport.Status.RUNNING,
        )
        return TemplateResponse(
            request,
            "disclosure/admin/export_progress.html",
            {**self.admin_site.each_context(request), "job": job, "running": running,
             "percent": int(100 * job.done / job.total) if job.total else 0,
             "title": f"Export {job.pk} of {job.organisation}"},
        )  # fmt: skip

    def download_view(self, request, pk):
        job = get_object_or_404(export.exports_visible_to(request.user), pk=pk)
        if job.status != OrganisationExport.Status.DONE or not job.file:
            raise Http404("This export has no file yet.")
        export.record_download(export=job, by=request.user)
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
        )
