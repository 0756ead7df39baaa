"""Admin for imaging metrics: upload datasets (checked on upload), start runs (computed in
Celery), and read a run's progress, chart and results. Thin: writes call ``services``,
reads go through ``selectors``; nothing here is ever deleted, and results are read-only.

Datasets, runs and results are national data (every area of England), kept once for the
install: install-wide reference data to the access gate, shown to the register roles.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from foiregister.kernel import access
from foiregister.kernel.admin import ScopedModelAdmin

from . import charts, selectors, services, tasks
from .models import Dataset, RatesRatio, Result, Run


class DatasetForm(forms.ModelForm):
    measure_column = forms.CharField(
        required=False,
        help_text="Activity only. Leave blank to take the one extra column (e.g. modality).",
    )

    class Meta:
        model = Dataset
        fields = ("kind", "name", "source", "period", "file", "measure_column", "notes")
        help_texts = {
            "file": "A CSV saved as 'CSV UTF-8 (comma delimited)', or a .parquet file, with a "
            "header row. Population: area,sex,age_band,imd,population. Activity: "
            "area,sex,age_band,imd,modality,count (the modality column may be named "
            "otherwise, or left out). Sex F or M; age bands 0-4 to 85-89 and 90+; imd 1 "
            "(most deprived) to 5. Each dataset's page lets you download its file, to copy "
            "the layout of one already loaded.",
        }

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        self.checked = None
        if upload and data.get("kind"):
            try:
                self.checked = services.check_upload(
                    file=upload, kind=data["kind"], measure_column=data.get("measure_column")
                )
            except services.MetricsError as exc:
                self.add_error("file", exc.message)
        return data


@admin.register(Dataset)
class DatasetAdmin(ScopedModelAdmin):
    organisation_path = None
    # Commissioners of every body upload the national datasets they cite; an uploaded
    # dataset is never changed or deleted (below, and database triggers once a run cites it).
    staff_write_shared_rows = True
    scope_roles = access.REGISTER_ROLES
    form = DatasetForm
    list_display = ("name", "kind", "period", "source", "row_count", "area_count", "uploaded_at")
    list_filter = ("kind", "period")
    search_fields = ("name", "source", "sha256")
    readonly_fields = (
        "kind",
        "name",
        "source",
        "period",
        "file_download",
        "original_filename",
        "sha256",
        "size_bytes",
        "row_count",
        "area_count",
        "measure_column",
        "measure_list",
        "notes",
        "uploaded_by",
        "uploaded_at",
    )

    @admin.display(description="File")
    def file_download(self, obj):
        return format_html(
            '<a href="{}" download>Download {}</a>',
            reverse("admin:metrics_dataset_download", args=[obj.pk]),
            obj.original_filename,
        )

    @admin.display(description="Measures")
    def measure_list(self, obj):
        return _words(obj.measures)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/download/", view(self.download_view), name="metrics_dataset_download"),
        ] + super().get_urls()

    def download_view(self, request, pk):
        """The stored file as uploaded, to the register roles only (the same gate as the
        list): a newcomer's example of the layout, and the evidence behind a run."""
        dataset = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, dataset):
            raise PermissionDenied
        return FileResponse(
            dataset.file.open("rb"), as_attachment=True, filename=dataset.original_filename
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else DatasetForm.Meta.fields

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            dataset = services.upload_dataset(
                kind=data["kind"],
                name=data["name"],
                source=data["source"],
                period=data["period"],
                file=data["file"],
                measure_column=data.get("measure_column") or None,
                notes=data.get("notes", ""),
                checked=form.checked,
                by=request.user,
            )
        except services.MetricsError as exc:  # pragma: no cover - the form checked first
            raise PermissionDenied(exc.message) from exc
        obj.pk = dataset.pk
        obj._state = dataset._state

    def save_related(self, request, form, formsets, change):
        pass


class RunForm(forms.ModelForm):
    class Meta:
        model = Run
        fields = ("population", "activity", "by", "multiplier")

    def clean(self):
        data = super().clean()
        if data.get("population") and data.get("activity") and data.get("multiplier"):
            try:
                data["by"] = services.check_run_parameters(
                    population=data["population"],
                    activity=data["activity"],
                    measure_column=data.get("by") or None,
                    multiplier=data["multiplier"],
                )
            except services.MetricsError as exc:
                self.add_error(None, exc.message)
        return data


@admin.register(Run)
class RunAdmin(ScopedModelAdmin):
    organisation_path = None
    # Commissioners start runs over the national datasets; a run is never changed or
    # deleted (below, and database triggers once it completes).
    staff_write_shared_rows = True
    scope_roles = access.REGISTER_ROLES
    form = RunForm
    list_display = (
        "run_number",
        "activity",
        "population",
        "by",
        "status",
        "progress_percent",
        "finished_at",
        "duration",
    )
    list_filter = ("status",)
    fields_view = (
        "population",
        "activity",
        "by",
        "multiplier",
        "code_version",
        "status",
        "progress",
        "stage",
        "error",
        "measure_list",
        "area_count",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "duration_seconds",
    )

    @admin.display(description="Run", ordering="pk")
    def run_number(self, obj):
        return f"Run {obj.pk}"

    @admin.display(description="Measures")
    def measure_list(self, obj):
        return _words(obj.measures)

    @admin.display(description="progress")
    def progress_percent(self, obj):
        return f"{obj.progress}%"

    @admin.display(description="seconds")
    def duration(self, obj):
        return f"{obj.duration_seconds:.2f}" if obj.duration_seconds is not None else ""

    def get_fields(self, request, obj=None):
        return self.fields_view if obj else RunForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return self.fields_view if obj else ()

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/rerun/", view(self.rerun_view), name="metrics_run_rerun"),
        ] + super().get_urls()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        run = services.create_run(
            population=data["population"],
            activity=data["activity"],
            measure_column=data.get("by"),
            multiplier=data["multiplier"],
            by=request.user,
        )
        transaction.on_commit(lambda: tasks.compute_run.delay(run.pk))
        obj.pk = run.pk
        obj._state = run._state

    def save_related(self, request, form, formsets, change):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        messages.info(request, f"Run {obj.pk} started; this page shows its progress.")
        return redirect("admin:metrics_run_change", obj.pk)

    def rerun_view(self, request, pk):
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        old = get_object_or_404(self.get_queryset(request), pk=pk)
        with transaction.atomic():
            run = services.rerun(run=old, by=request.user)
            transaction.on_commit(lambda: tasks.compute_run.delay(run.pk))
        messages.info(request, f"Run {run.pk} started with the parameters of run {old.pk}.")
        return redirect("admin:metrics_run_change", run.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = (
            self.get_queryset(request)
            .select_related("population", "activity")
            .filter(pk=object_id)
            .first()
        )
        extra = dict(extra_context or {})
        if run is not None:
            extra.update(run_context(request, run))
            extra["rerun_allowed"] = self.has_add_permission(request) and run.is_finished
        return super().change_view(request, object_id, form_url, extra)


def run_context(request, run: Run) -> dict:
    """Progress, the selected measure's chart and its results for the run page."""
    running = run.status in (Run.Status.PENDING, Run.Status.RUNNING)
    context = {
        "run": run,
        "running": running,
        "stale": selectors.run_is_stale(run),
        "last_heartbeat": selectors.last_heartbeat(run),
    }
    if run.status != Run.Status.COMPLETED:
        return context
    measures = list(run.measures) or [""]
    measure = request.GET.get("measure", measures[0])
    if measure not in measures:
        measure = measures[0]
    kind = request.GET.get("chart", "caterpillar")
    if kind not in charts.CHARTS:
        kind = "caterpillar"
    rows = selectors.run_results(run=run, measure=measure)
    dsr = selectors.directly_standardised(run=run, measure=measure)
    rows = [r | {"dsr": dsr.get(r["area"], {})} for r in rows]
    unit = f"per {run.multiplier:,.0f}"
    if kind == "caterpillar":
        svg = charts.caterpillar_svg(rows, measure=measure, unit=unit, period=run.activity.period)
    else:
        svg = charts.funnel_svg(rows, measure=measure, period=run.activity.period)
    context.update(
        {
            "measures": measures,
            "measure": measure,
            "chart_kind": kind,
            "chart_kinds": [("caterpillar", "Rates with limits"), ("funnel", "Funnel plot")],
            # The SVG is built from escaped text only (charts.py escapes every label).
            "chart_svg": mark_safe(svg),  # noqa: S308
            "results": sorted(rows, key=lambda r: (r["rate"] is None, -(r["rate"] or 0))),
            "rates_ratios": selectors.rates_ratios(run=run, measure=measure),
            "unit": unit,
        }
    )
    return context


class ReadOnlyAdmin(ScopedModelAdmin):
    organisation_path = None
    scope_roles = access.REGISTER_ROLES

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = (
        "area",
        "measure",
        "run_link",
        "observed",
        "expected_1dp",
        "rate_1dp",
        "limits95",
        "limits998",
        "dsr_1dp",
    )
    list_filter = ("run", "measure")
    search_fields = ("area", "measure")
    list_select_related = ("run",)

    @admin.display(description="run", ordering="run")
    def run_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:metrics_run_change", args=[obj.run_id]),
            obj.run_id,
        )

    @admin.display(description="expected")
    def expected_1dp(self, obj):
        return _f(obj.expected)

    @admin.display(description="rate")
    def rate_1dp(self, obj):
        return _f(obj.rate)

    @admin.display(description="95% limits")
    def limits95(self, obj):
        return f"{_f(obj.rate_lower95)} to {_f(obj.rate_upper95)}"

    @admin.display(description="99.8% limits")
    def limits998(self, obj):
        return f"{_f(obj.rate_lower998)} to {_f(obj.rate_upper998)}"

    @admin.display(description="direct (ESP 2013), 95% limits")
    def dsr_1dp(self, obj):
        if obj.dsr is None:
            return "not computed (under 10)"
        return f"{_f(obj.dsr)} ({_f(obj.dsr_lower95)} to {_f(obj.dsr_upper95)})"


@admin.register(RatesRatio)
class RatesRatioAdmin(ReadOnlyAdmin):
    list_display = ("measure", "factor", "level", "run", "std_rate_1dp", "ratio_2dp", "sig_rates")
    list_filter = ("run", "measure", "factor")

    @admin.display(description="standardised rate")
    def std_rate_1dp(self, obj):
        return _f(obj.std_rate)

    @admin.display(description="rates ratio")
    def ratio_2dp(self, obj):
        return "" if obj.rate_ratio is None else f"{obj.rate_ratio:.2f}"


def _words(values) -> str:
    """A stored list (measures) as a person reads it, not as JSON."""
    return ", ".join(str(v) for v in values or []) or "-"


def _f(x):
    return "" if x is None else f"{x:,.1f}"
