"""The proclaimed-holiday table and the recomputations each change queues."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from foiregister.kernel.admin import ReadOnlyMixin, ScopedModelAdmin
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.requests import services, tasks
from foiregister.requests.models import (
    DeadlineRecomputation,
    ProclaimedHoliday,
)


class ProclaimedHolidayForm(forms.ModelForm):
    class Meta:
        model = ProclaimedHoliday
        fields = ["date", "name", "nations", "source"]

    def clean_nations(self):
        codes = [n.strip().upper() for n in self.cleaned_data["nations"].split(",") if n.strip()]
        unknown = [c for c in codes if c not in ("ENG", "WLS", "SCT", "NIR")]
        if not codes or unknown:
            raise ValidationError(
                f"unknown nation {', '.join(unknown) or '(none given)'}: use ENG, WLS, SCT, NIR"
            )
        return ",".join(codes)


@admin.register(ProclaimedHoliday)
class ProclaimedHolidayAdmin(ScopedModelAdmin):
    """Adding a day proclaimed after the holidays package release recomputes every open
    request's due dates at once (in Celery, with the count reported)."""

    organisation_path = None  # the UK's calendar, the same for every body

    list_display = ["date", "name", "nations", "source"]
    form = ProclaimedHolidayForm

    def _queue_recomputation(self, request, reason: str) -> None:
        job = services.queue_deadline_recomputation(reason=reason, by=request.user)
        transaction.on_commit(lambda: tasks.run_deadline_recomputation.delay(job.pk))
        url = reverse("admin:foiregister_deadlinerecomputation_changelist")
        messages.info(
            request,
            format_html(
                'Every open request\'s due dates are being recomputed: <a href="{}">watch '
                "the progress</a>.",
                url,
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied("Remove the day and add it again to change it.")
        try:
            holiday, _ = services.add_proclaimed_holiday(
                date=obj.date,
                name=obj.name,
                nations=obj.nations,
                source=obj.source,
                by=request.user,
                recompute=False,
            )
        except FoiRegisterError as exc:
            raise ValidationError(exc.message) from exc
        obj.pk = holiday.pk
        self._queue_recomputation(request, f"holiday added: {holiday}")

    def delete_model(self, request, obj):
        label = str(obj)
        services.remove_proclaimed_holiday(holiday=obj, by=request.user, recompute=False)
        self._queue_recomputation(request, f"holiday removed: {label}")

    def delete_queryset(self, request, queryset):
        """The list's "delete selected" action: each day removed through the service
        (audited), then one recomputation for them all."""
        labels = []
        for holiday in queryset:
            labels.append(str(holiday))
            services.remove_proclaimed_holiday(holiday=holiday, by=request.user, recompute=False)
        if labels:
            self._queue_recomputation(request, f"holidays removed: {'; '.join(labels)}"[:300])

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(DeadlineRecomputation)
class DeadlineRecomputationAdmin(ReadOnlyMixin, ScopedModelAdmin):
    """Progress of the Celery job that recomputes open deadlines after a holiday change;
    the list refreshes itself while a job is queued or running."""

    organisation_path = None  # one job over every body's open requests; counts only

    list_display = ["created_at", "reason", "status", "progress", "changed", "finished_at"]
    readonly_fields = [f.name for f in DeadlineRecomputation._meta.fields]
    change_list_template = "admin/foiregister/deadlinerecomputation/change_list.html"

    @admin.display(description="progress")
    def progress(self, obj):
        return f"{obj.done:,} of {obj.total:,} requests ({obj.percent}%)"

    def changelist_view(self, request, extra_context=None):
        running = DeadlineRecomputation.objects.filter(
            status__in=[DeadlineRecomputation.Status.QUEUED, DeadlineRecomputation.Status.RUNNING]
        ).exists()
        return super().changelist_view(request, {**(extra_context or {}), "refresh": running})
