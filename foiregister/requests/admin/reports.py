"""An FOI lead's statistics and dashboard, and the FOI log import, on the request admin.

Thin: the figures come from ``statistics`` and ``reports`` (selectors), the import from
``imports`` (check, then one atomic commit); organisations are only those the person acts
for as an FOI lead (the kernel's access gate)."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from foiregister.kernel import access
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.roles import FOI_LEAD
from foiregister.requests import charts, imports, reports, statistics

LEAD = (FOI_LEAD,)
IMPORT_SESSION_KEY = "foi_log_import"
IMPORT_MAX_BYTES = 5 * 1024 * 1024


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
    file = forms.FileField(help_text="CSV or XLSX, one row per request (see the README).")

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
        """Upload, see every bad row or what would change, then commit the checked file in
        one transaction. The file waits in the session between the two steps."""
        self._lead_only(request)
        form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
        result = None
        pending = request.session.get(IMPORT_SESSION_KEY)
        if request.method == "POST" and "commit" in request.POST and pending:
            organisation = (
                access.organisations_of(request.user, roles=LEAD)
                .filter(pk=pending["organisation"])
                .first()
            )
            if organisation is None:
                raise PermissionDenied
            try:
                result = imports.commit(
                    content=pending["content"].encode("latin-1"),
                    filename=pending["filename"],
                    organisation=organisation,
                    by=request.user,
                )
            except imports.ImportFailed as failed:
                result = failed.result
            else:
                del request.session[IMPORT_SESSION_KEY]
                messages.success(
                    request,
                    f"{pending['filename']}: {result.created} created, {result.updated} "
                    f"updated, {result.unchanged} unchanged.",
                )
                return redirect(reverse("admin:foiregister_request_changelist"))
        elif request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > IMPORT_MAX_BYTES:
                form.add_error(
                    "file", "is larger than 5 MB: import it with manage.py import_requests"
                )
            else:
                content = upload.read()
                try:
                    result = imports.preview(
                        content=content,
                        filename=upload.name,
                        organisation=form.cleaned_data["organisation"],
                    )
                except FoiRegisterError as exc:
                    form.add_error("file", exc.message)
                else:
                    if result.ok:
                        request.session[IMPORT_SESSION_KEY] = {
                            "organisation": form.cleaned_data["organisation"].pk,
                            "filename": upload.name,
                            "content": content.decode("latin-1"),
                        }
        return TemplateResponse(
            request,
            "admin/foiregister/request/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Import an FOI log",
                "form": form,
                "result": result,
                "pending": request.session.get(IMPORT_SESSION_KEY),
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
