"""An FOI lead's statistics and dashboard, and the FOI log import, on the request admin.

Thin: the figures come from ``statistics`` and ``reports`` (selectors), the import from
``imports`` (a stored job, checked, then committed atomically in Celery); organisations are only those the person acts
for as an FOI lead (the kernel's access gate)."""

from __future__ import annotations

import csv

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from foiregister.kernel import access
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.roles import FOI_LEAD
from foiregister.requests import charts, imports, reports, statistics, tasks
from foiregister.requests.models import ImportJob

LEAD = (FOI_LEAD,)


class StatisticsForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None)
    date_from = forms.DateField(
        label="Received from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label="Received to", widget=forms.DateInput(attrs={"type": "date"}))
    as_of = forms.DateField(label="As of", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = access.organisations_of(user, roles=LEAD)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "is before the start of the period")
        return data


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None)
    file = forms.FileField(
        help_text="CSV or XLSX: a row per request, or a row per question of a past disclosure "
        "log, with the columns listed above."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = access.organisations_of(user, roles=LEAD)


def dashboard_context(*, organisation, date_from, date_to, as_of) -> dict:
    """The figures, their definitions and the charts, for the admin page and the board
    report alike."""
    figures = statistics.foi_statistics(
        organisation=organisation, date_from=date_from, date_to=date_to, as_of=as_of
    )
    quarters = reports.recent_quarters(organisation=organisation, as_of=as_of)
    days_left = reports.open_by_days_left(organisation=organisation, today=as_of)
    late = reports.late_by_department(
        organisation=organisation, date_from=date_from, date_to=date_to, as_of=as_of
    )
    return {
        "organisation": organisation,
        "figures": figures,
        "rows": [
            (name, value, statistics.DEFINITIONS.get(name.split(".")[0], ""))
            for name, value in statistics.flatten(figures)
            if name not in ("organisation", "from", "to", "as_of")
        ],
        "quarters": [(q.label, f) for q, f in quarters],
        "days_left": days_left,
        "late_by_department": late,
        "charts": [
            charts.quarters_chart([(str(q), f) for q, f in quarters]),
            charts.bar_chart("Open requests by working days left", days_left),
            charts.bar_chart("Late requests by department", late),
            charts.bar_chart("Outcomes of responded requests", figures["outcomes"]),
            charts.bar_chart("Exemptions cited (requests)", figures["exemptions"]),
        ],
    }


class ReportsAdminMixin:
    """Adds ``statistics/`` and ``import/`` to the request admin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("statistics/", wrap(self.statistics_view), name="foiregister_request_statistics"),
            path("import/", wrap(self.import_view), name="foiregister_request_import"),
            *super().get_urls(),
        ]

    def _lead_only(self, request) -> None:
        if not access.organisations_of(request.user, roles=LEAD).exists():
            raise PermissionDenied

    def statistics_view(self, request):
        self._lead_only(request)
        today = timezone.localdate()
        quarter = reports.Quarter.containing(today)
        form = StatisticsForm(
            request.GET or None,
            user=request.user,
            initial={"date_from": quarter.start, "date_to": quarter.end, "as_of": today},
        )
        context = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            context = dashboard_context(
                organisation=data["organisation"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                as_of=data["as_of"],
            )
            if request.GET.get("format") == "csv":
                return _csv_response(context["figures"])
        return TemplateResponse(
            request,
            "admin/foiregister/request/statistics.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "FOI statistics",
                "form": form,
                "query": request.GET.urlencode(),
                **context,
            },
        )

    def import_view(self, request):
        """Upload: the file is stored with a new import job and checked (in Celery when
        large); the job's page shows the check, then commits in Celery."""
        self._lead_only(request)
        form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imports.check_size(upload.size, upload.name)
                job = imports.create_job(
                    organisation=form.cleaned_data["organisation"],
                    filename=upload.name,
                    content=upload.read(),
                    by=request.user,
                )
            except FoiRegisterError as exc:
                form.add_error("file", exc.message)
            else:
                if job.status == ImportJob.Status.UPLOADED:
                    transaction.on_commit(lambda: tasks.preview_import_job.delay(job.pk))
                return redirect("admin:foiregister_importjob_change", job.pk)
        return TemplateResponse(
            request,
            "admin/foiregister/request/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Import an FOI log",
                "form": form,
                "limit_mb": imports.max_upload_bytes() // (1024 * 1024),
            },
        )


def _csv_response(figures: dict) -> HttpResponse:
    name = f"foi-statistics-{figures['organisation']}-{figures['from']}-{figures['to']}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["figure", "value", "definition"])
    for key, value in statistics.flatten(figures):
        writer.writerow(
            [
                key,
                "" if value is None else value,
                statistics.DEFINITIONS.get(key.split(".")[0], ""),
            ]
        )
    return response
