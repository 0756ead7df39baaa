"""The FOI log import jobs: each one's page shows the check (every bad row, or what a
commit would do), then its progress while it commits in Celery. Only the organisation's FOI
leads see its jobs; anyone else gets 404."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from foiregister.kernel.admin import ReadOnlyMixin, ScopedModelAdmin
from foiregister.kernel.roles import FOI_LEAD
from foiregister.requests import imports, tasks
from foiregister.requests.models import ImportJob

RUNNING = (ImportJob.Status.UPLOADED, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyMixin, ScopedModelAdmin):
    organisation_path = "organisation"
    scope_roles = (FOI_LEAD,)
    list_display = ("filename", "status", "rows_done", "rows_total", "created_by", "created_at")
    list_filter = ("status",)
    exclude = ("content",)
    change_form_template = "admin/foiregister/importjob/progress.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/commit/",
                wrap(self.commit_view),
                name="foiregister_importjob_commit",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        return TemplateResponse(
            request,
            self.change_form_template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Import {job.filename}",
                "job": job,
                "running": job.status in RUNNING,
                "checking": job.status == ImportJob.Status.UPLOADED,
                "percent": int(100 * job.rows_done / job.rows_total) if job.rows_total else 0,
                "can_commit": job.status == ImportJob.Status.PREVIEWED and not job.errors,
            },
        )

    def commit_view(self, request, object_id):
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        if request.method == "POST":
            if imports.queue_commit(job):
                user_id = request.user.pk
                transaction.on_commit(lambda: tasks.run_import_job.delay(job.pk, user_id))
                messages.info(
                    request, "Import started; this page shows its progress until it finishes."
                )
            else:
                messages.error(request, "This file has errors or was already imported.")
        return redirect("admin:foiregister_importjob_change", job.pk)
