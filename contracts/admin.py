"""Commissioners' screens for the contract and CDC registers.

Every screen is a ``ScopedModelAdmin``: its rows and its foreign-key choices come from the
one access gate (``foiregister.kernel.access``), for the register roles; every save calls a
service, so it is validated and audited; nothing can be deleted here.
"""

from __future__ import annotations

import datetime
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from foiregister.kernel import access, audit, csv_export, figures
from foiregister.kernel.admin import ScopedModelAdmin, ScopedTabularInline
from foiregister.kernel.locking import EditLockMixin
from foiregister.kernel.models import Organisation

from . import imports, selectors, services
from .exceptions import ContractsError
from .models import (
    Category,
    CdcActivity,
    CdcModality,
    CommunityDiagnosticCentre,
    Contract,
    ContractChange,
    ContractSpend,
    ExpiryWarning,
    ImportJob,
    PlannedProcurement,
    Supplier,
    TrustImagingProfile,
)
from .reports_admin import ExpiryOutlookAdminMixin


def _organisations(user):
    return access.organisations_of(user, roles=access.REGISTER_ROLES)


def _raise_for_form(exc: ContractsError):
    raise ValidationError({exc.field: exc.message} if exc.field else exc.message) from exc


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class RegisterAdmin(NoDeleteMixin, ScopedModelAdmin):
    """A register screen: rows of the organisations the user keeps or reads registers for;
    every organisation, person and row picker limited the same way by the kernel's base."""

    organisation_path = "organisation"
    scope_roles = access.REGISTER_ROLES
    object_history_template = "admin/contracts/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """History from the register's audit log, which every service writes (changes
        recorded from their own pages included), not the admin's log of its own forms."""
        obj = self.get_object(request, object_id)
        events = [] if obj is None else list(audit.history_for(obj).order_by("-at", "-pk"))
        # A supplier is stored by its id: print the name it had when the change was made.
        names = selectors.supplier_names(
            v
            for event in events
            for field, value in (event.changes or {}).items()
            if self._names_supplier(field)
            for v in (value if isinstance(value, list) else [value])
            if v is not None
        )
        extra = {
            **(extra_context or {}),
            "audit_events": [
                {
                    "at": event.at,
                    "actor": event.actor,
                    "what": event.action.split(".")[-1].replace("_", " ").capitalize(),
                    "moves": [
                        (field.replace("_", " "), *self._moved(field, value, event, names))
                        for field, value in (event.changes or {}).items()
                    ],
                }
                for event in events
            ],
        }
        return super().history_view(request, object_id, extra)

    def _names_supplier(self, name: str) -> bool:
        field = self._field(name)
        return field is not None and field.is_relation and field.related_model is Supplier

    def _moved(self, name: str, value, event, names) -> tuple[str, str]:
        if not self._names_supplier(name):
            return _old_new(value, self._field(name))
        pair = value if isinstance(value, list) and len(value) == 2 else [None, value]

        def named(supplier_id) -> str:
            if supplier_id is None:
                return ""
            found = names.at(supplier_id, when=event.at, event_pk=event.pk)
            return found or "a supplier no longer on the register"

        return named(pair[0]), named(pair[1])

    def _field(self, name: str):
        try:
            return self.model._meta.get_field(name)
        except Exception:  # a computed entry (effective_on, reason): shown as stored
            return None


def _in_words(value, field) -> str:
    """A stored value as the forms show it: a choice's label, a list of categories as
    their labels, a date as 31 Mar 2029; anything else as stored."""
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(dict(Category.choices).get(v, str(v)) for v in value)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10:
        try:
            return _day(datetime.date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def _old_new(value, field=None) -> tuple[str, str]:
    """An audit row's ``[old, new]`` pair as text (a lone value is the new one)."""
    if isinstance(value, list) and len(value) == 2:
        return tuple(_in_words(v, field) for v in value)
    return "", _in_words(value, field)


# A CDC belongs to its host trust and to the ICB whose area it serves.
CDC_ORGANISATIONS = ("host_trust", "icb")


def _export_csv(modeladmin, request, queryset):
    """The selected rows as CSV, with every model column."""
    model = queryset.model
    fields = [f for f in model._meta.concrete_fields if f.name not in ("content",)]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{model._meta.model_name}-{timezone.localdate():%Y%m%d}.csv"'
    )
    writer = csv_export.writer(response)
    writer.writerow([f.name for f in fields])
    for obj in queryset:
        row = []
        for f in fields:
            value = getattr(obj, f.name)
            if f.is_relation and value is not None:
                value = str(value)
            elif isinstance(value, list):
                value = ";".join(map(str, value))
            row.append("" if value is None else value)
        writer.writerow(row)
    return response


_export_csv.short_description = "Export selected as CSV"


def _day(value):
    return f"{value.day} {value:%b %Y}" if value else ""


def _and_list(words: list[str]) -> str:
    """["12", "6", "3"] as "12, 6 and 3"."""
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else ""


def _pounds(value):
    """A money column as the letters and public pages print it; ``None`` is left to the
    admin's empty-value dash."""
    return None if value is None else figures.money(value)


class CategoriesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Category.choices)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


# -- suppliers -----------------------------------------------------------------------------


@admin.register(Supplier)
class SupplierAdmin(RegisterAdmin):
    # Suppliers are shared reference data: one row per company (Companies House), named by
    # every body that contracts with it; what a body buys from it is on its contracts.
    organisation_path = None
    # Commissioners add the suppliers they contract with; a row named on another body's
    # contracts is read-only to them (has_change_permission below).
    staff_write_shared_rows = True
    list_display = ("name", "kind", "companies_house_number", "is_sme", "is_vcse")
    list_filter = ("kind", "is_sme", "is_vcse")
    search_fields = ("name", "legal_name", "companies_house_number")
    actions = [_export_csv]

    def has_change_permission(self, request, obj=None):
        """Read-only while another body the user does not act for names it on a contract:
        a rename would change that body's register, OCDS and letters."""
        if obj is not None and selectors.bodies_naming_supplier_without(obj, request.user):
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        supplier = self.get_object(request, object_id)
        others = supplier and selectors.bodies_naming_supplier_without(supplier, request.user)
        if others and request.method == "GET":
            messages.info(
                request,
                f"{supplier.name} is named on contracts of "
                f"{', '.join(o.name for o in others)}, which you do not act for, so you can "
                "read it but not change it: ask that body's commissioner, or choose or add "
                "another supplier on your own contract.",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        values = {
            f: form.cleaned_data[f] for f in services.SUPPLIER_FIELDS if f in form.cleaned_data
        }
        try:
            if change:
                fresh = Supplier.objects.get(pk=obj.pk)
                services.update_supplier(
                    fresh,
                    by=request.user,
                    **{f: values[f] for f in form.changed_data if f in values},
                )
            else:
                created = services.create_supplier(by=request.user, **values)
                obj.pk = created.pk
        except ContractsError as exc:
            _raise_for_form(exc)


# -- contracts -----------------------------------------------------------------------------


# Dates as people in the NHS write them, besides the admin's own 31/03/2029 and 2029-03-31.
_WRITTEN_DATES = ("%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%d.%m.%Y")


class RegisterForm(forms.ModelForm):
    """A register's admin form: its dates accept "31 March 2029" and say, when refused,
    what a date looks like (the admin's default is a bare "Enter a valid date")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is forms.DateField:
                field.input_formats = [*field.input_formats, *_WRITTEN_DATES]
                field.error_messages["invalid"] = (
                    "Enter a date such as 31/03/2029 or 31 March 2029."
                )


class AutocompleteWithName(AutocompleteSelect):
    """The admin's search-as-you-type picker with a placeholder, and its box named by the
    field's label (``autocomplete-names.js``): select2's box has no accessible name of its
    own (axe: aria-input-field-name)."""

    def __init__(self, *args, placeholder: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.placeholder = placeholder

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = self.placeholder
        return attrs

    @property
    def media(self):
        # Named after the admin's own scripts, so that merging keeps it after them.
        return super().media + forms.Media(
            js=[
                "admin/js/jquery.init.js",
                "admin/js/autocomplete.js",
                "contracts/autocomplete-names.js",
            ]
        )


class ContractForm(RegisterForm):
    categories = CategoriesField()

    class Meta:
        model = Contract
        fields = "__all__"


class ChangeInline(ScopedTabularInline):
    organisation_path = "contract__organisation"
    scope_roles = access.REGISTER_ROLES
    model = ContractChange
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "effective_on",
        "new_end_date",
        "value_change_in_pounds",
        "reason",
        "recorded_by",
    )
    readonly_fields = fields

    @admin.display(description="Value change")
    def value_change_in_pounds(self, obj):
        return figures.money(obj.value_change, empty="-")

    def has_add_permission(self, request, obj=None):
        return False


class WarningInline(ScopedTabularInline):
    organisation_path = "contract__organisation"
    scope_roles = access.REGISTER_ROLES
    model = ExpiryWarning
    extra = 0
    can_delete = False
    fields = ("horizon", "end_date", "recipient", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class StatusTodayFilter(admin.SimpleListFilter):
    """The status on today's date, as the list shows it: a contract whose termination date
    is still ahead is listed under Active, not Terminated."""

    title = "status today"
    parameter_name = "status_today"

    def lookups(self, request, model_admin):
        return Contract.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Contract.Status.values:
            return queryset.filter(selectors.status_q(self.value(), timezone.localdate()))
        return queryset


def _date_picker():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label="Change", choices=ContractChange.Kind.choices, widget=forms.RadioSelect
    )
    effective_on = forms.DateField(
        label="Takes effect on",
        widget=_date_picker(),
        help_text="May be in the past: a change recorded late keeps its own date.",
    )
    new_end_date = forms.DateField(
        required=False,
        widget=_date_picker(),
        help_text="Required for an extension; for a termination, the last day (default: the "
        "day it takes effect).",
    )
    value_change = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Plus or minus, in pounds, e.g. 25000 or -5000.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class OcdsExportForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None)
    include_private = forms.BooleanField(
        required=False,
        label="Include contracts not marked public",
        help_text="For your own checks before publishing; the public site and API publish "
        "only what is marked public.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(user).order_by("name")


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None)
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices)
    file = forms.FileField(
        help_text="CSV or XLSX with a header row: the columns for each kind are below."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(user)
        limit = imports.max_upload_bytes() / 1024 / 1024
        self.fields["file"].help_text += f" At most {limit:.0f} MB."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:  # before reading it into memory
            imports.check_size(upload.size, upload.name)
        except ContractsError as exc:
            raise ValidationError(exc.message) from exc
        return upload


@admin.register(Contract)
class ContractAdmin(EditLockMixin, ExpiryOutlookAdminMixin, RegisterAdmin):
    form = ContractForm
    lock_children = ("changes",)  # a second commissioner's save is refused (kernel.locking)
    list_display = (
        "reference",
        "title",
        "supplier",
        "kind",
        "payment_basis",
        "current_value_in_pounds",
        "current_end_date",
        "end_date_to_be_agreed",
        "status_today",
        "is_public",
        "organisation",
    )
    list_filter = (
        "kind",
        StatusTodayFilter,
        "payment_basis",
        "end_date_to_be_agreed",
        "is_public",
    )
    search_fields = ("reference", "title", "supplier__name", "scope")
    list_select_related = ("supplier", "organisation")
    readonly_fields = (
        "status_today",
        "current_end_date",
        "last_day_to_give_notice",
        "current_value_in_pounds",
        "spend_by_year",
        "created_at",
        "updated_at",
    )
    autocomplete_fields = ("supplier",)
    inlines = [ChangeInline, WarningInline]
    actions = [_export_csv]
    change_list_template = "admin/contracts/contract/change_list.html"

    @admin.display(description="Status today", ordering="status")
    def status_today(self, obj):
        """What the contract is today: a recorded termination takes effect on its date."""
        if not obj.pk:
            return "-"
        return selectors.contract_status_label(obj, day=timezone.localdate())

    @admin.display(description="Current value", ordering="current_value")
    def current_value_in_pounds(self, obj):
        return _pounds(obj.current_value)

    @admin.display(description="Spend")
    def spend_by_year(self, obj):
        """The contract's spend lines by financial year, each opening its own page (a read-
        only list, not an inline, so the contract form posts what it always has)."""
        lines = list(obj.spend.order_by("financial_year", "basis")) if obj.pk else []
        if not lines:
            return "None recorded yet: use Add spend for this contract, below."
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{} {}: {}</a>',
            (
                (
                    reverse("admin:contracts_contractspend_change", args=[line.pk]),
                    line.financial_year,
                    line.get_basis_display().lower(),
                    figures.money(line.amount, empty="amount not held"),
                )
                for line in lines
            ),
        )

    @admin.display(description="Last day to give notice")
    def last_day_to_give_notice(self, obj):
        """The current end date less the notice period: what the expiry warnings and
        *Ending soon* count to."""
        return _day(obj.notice_date) or None

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "organisation",
                    "reference",
                    "supplier",
                    "title",
                    "scope",
                    "categories",
                    "kind",
                    "status",
                    "status_today",
                )
            },
        ),
        (
            "Value",
            {
                "fields": (
                    "payment_basis",
                    "value",
                    "current_value_in_pounds",
                    "value_is_public",
                    "spend_by_year",
                )
            },
        ),
        (
            "Term",
            {
                "fields": (
                    "date_signed",
                    "start_date",
                    "end_date",
                    "end_date_to_be_agreed",
                    "end_date_reason",
                    "extension_options",
                    "latest_end_date",
                    "notice_period_days",
                    "current_end_date",
                    "last_day_to_give_notice",
                )
            },
        ),
        (
            "Procurement",
            {"fields": ("procurement_route", "notice_references", "predecessor", "cdc")},
        ),
        (
            "Register",
            {
                "fields": (
                    "owner",
                    "is_public",
                    "reasons_are_public",
                    "source",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["organisation"] if obj else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supplier":
            kwargs["widget"] = AutocompleteWithName(
                db_field,
                self.admin_site,
                using=kwargs.get("using"),
                placeholder="Type part of the supplier's name",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("expiring/", wrap(self.expiring_view), name="contracts_contract_expiring"),
            path("import/", wrap(self.import_view), name="contracts_contract_import"),
            path(
                "import/template/<str:kind>/",
                wrap(self.import_template_view),
                name="contracts_contract_import_template",
            ),
            path("ocds/", wrap(self.ocds_view), name="contracts_contract_ocds"),
            path(
                "<path:object_id>/record-change/",
                wrap(self.record_change_view),
                name="contracts_contract_record_change",
            ),
        ] + super().get_urls()

    def expiring_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        if request.GET.get("today"):
            try:
                today = datetime.date.fromisoformat(request.GET["today"])
            except ValueError:
                messages.error(
                    request,
                    f"today={request.GET['today']!r} is not a date (YYYY-MM-DD); "
                    f"showing today, {_day(today)}.",
                )
        result = selectors.expiring_contracts(contracts=self.get_queryset(request), today=today)
        counts = result.counts
        sections = [
            (f"horizon-{h}", f"Ending within {h[:-1]} months", contracts, counts[h], False)
            for h, contracts in result.horizons.items()
        ] + [
            (
                "notice",
                "Last day to give notice reached",
                result.notice_reached,
                counts["notice_reached"],
                False,
            ),
            (
                "to-be-agreed",
                "End date still to be agreed",
                result.to_be_agreed,
                counts["to_be_agreed"],
                True,
            ),
            (
                "overdue",
                "Past their end date but still marked live",
                result.overdue,
                counts["overdue"],
                False,
            ),
        ]
        return TemplateResponse(
            request,
            "admin/contracts/contract/expiring.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Contracts ending soon",
                "result": result,
                "warning_months": _and_list(
                    [str(m) for m in sorted(selectors.warning_months(), reverse=True)]
                ),
                "sections": [self._expiring_section(request, *section) for section in sections],
            },
        )

    EXPIRING_PAGE = 100

    def _expiring_section(self, request, key, heading, contracts, count, show_reason):
        """One section of the ending-soon page, a page of 100 at a time (``?page-<key>=``).
        The selector has counted every section in one query, so the paginator is told the
        count and reads only its page: one query a non-empty section, whatever the size
        of the register."""
        param = f"page-{key}"
        paginator = Paginator(contracts, self.EXPIRING_PAGE)
        paginator.count = count  # a cached_property: no COUNT(*) per section
        page = paginator.get_page(request.GET.get(param))

        def link(number):
            query = request.GET.copy()
            query[param] = number
            return f"?{query.urlencode()}#{key}"

        return {
            "id": key,
            "heading": heading,
            "count": count,
            "page": page,
            "contracts": list(page.object_list) if count else [],
            "show_reason": show_reason,
            "previous": link(page.previous_page_number()) if page.has_previous() else "",
            "next": link(page.next_page_number()) if page.has_next() else "",
        }

    def record_change_view(self, request, object_id):
        contract = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, contract):
            raise PermissionDenied
        form = RecordChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_contract_change(contract, by=request.user, **form.cleaned_data)
            except ContractsError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Change recorded; current end date and value updated.")
                return redirect("admin:contracts_contract_change", contract.pk)
        return TemplateResponse(
            request,
            "admin/contracts/form_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": contract,
                "form": form,
                "title": f"Record an extension, variation or termination of {contract.reference}",
                "facts": [
                    ("Current end date", _day(contract.current_end_date) or "to be agreed"),
                    ("Latest possible end date", _day(contract.latest_end_date) or "-"),
                    ("Last day to give notice", _day(contract.notice_date) or "-"),
                    ("Current value", _pounds(contract.current_value) or "-"),
                ],
            },
        )

    def ocds_view(self, request):
        """The OCDS 1.1.5 release package of one of the user's organisations, as a file."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = OcdsExportForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            organisation = form.cleaned_data["organisation"]
            try:
                package = selectors.ocds_release_package(
                    organisation=organisation,
                    public_only=not form.cleaned_data["include_private"],
                    uri=request.build_absolute_uri(reverse("registers:ocds")),
                )
            except ContractsError as exc:
                form.add_error(None, exc.message)
            else:
                which = "all" if form.cleaned_data["include_private"] else "public"
                name = f"ocds-{organisation.ods_code}-{which}-{timezone.localdate():%Y%m%d}.json"
                response = HttpResponse(
                    json.dumps(package, indent=2, ensure_ascii=False),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        return TemplateResponse(
            request,
            "admin/contracts/form_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "submit_label": "Download",
                "title": "Download the register as OCDS 1.1.5",
            },
        )

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.create_job(
                    organisation=form.cleaned_data["organisation"],
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    content=upload.read(),
                    by=request.user,
                )
            except ContractsError as exc:
                form.add_error("file", exc.message)
            else:
                if job.status == ImportJob.Status.UPLOADED:
                    from django.db import transaction

                    from .tasks import preview_import_job

                    transaction.on_commit(lambda: preview_import_job.delay(job.pk))
                return redirect("admin:contracts_importjob_change", job.pk)
        return TemplateResponse(
            request,
            "admin/contracts/form_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "multipart": True,
                "title": "Import contracts, spend or CDC activity",
                "file_kinds": [
                    {
                        "kind": kind,
                        "label": label,
                        "required": imports.REQUIRED[kind],
                        "optional": [
                            c for c in imports.COLUMNS[kind] if c not in imports.REQUIRED[kind]
                        ],
                    }
                    for kind, label in ImportJob.Kind.choices
                ],
            },
        )

    def import_template_view(self, request, kind):
        """A header row of the columns an import of ``kind`` reads, to fill in."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if kind not in imports.COLUMNS:
            raise Http404("no such kind of import")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        csv_export.writer(response).writerow(imports.COLUMNS[kind])
        return response

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                fresh = Contract.objects.get(pk=obj.pk)
                services.update_contract(
                    fresh,
                    by=request.user,
                    **{f: data[f] for f in form.changed_data if f in services.CONTRACT_FIELDS},
                )
            else:
                values = {f: data[f] for f in services.CONTRACT_FIELDS if f in data}
                created = services.create_contract(
                    organisation=data["organisation"], by=request.user, **values
                )
                obj.pk = created.pk
        except ContractsError as exc:
            _raise_for_form(exc)

    def save_formset(self, request, form, formset, change):
        # Inlines are read-only; changes are recorded through record_change_view.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


# -- spend, plans --------------------------------------------------------------------------


class ContractSpendForm(forms.ModelForm):
    class Meta:
        model = ContractSpend
        fields = (
            "organisation",
            "reference",
            "contract",
            "supplier",
            "category",
            "kind",
            "financial_year",
            "amount",
            "basis",
            "source",
        )
        help_texts = {
            "reference": "Leave blank to have one made from the year, actual or forecast and "
            "the contract; an import matches its rows on it.",
            "contract": "Leave blank for spend with a supplier under no contract.",
            "financial_year": "April to March, e.g. 2026/27.",
            "amount": "In pounds. Blank where the provider was used but spend is held only "
            "as a total.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reference" in self.fields:
            self.fields["reference"].required = False

    def clean(self):
        """On adding, refuse a line already recorded (same reference, given or made):
        the service would update it, and an *Add* form must not overwrite a figure."""
        data = super().clean()
        needed = ("organisation", "financial_year", "kind", "basis")
        if self.instance.pk is not None or any(not data.get(f) for f in needed):
            return data
        contract = data.get("contract")
        reference = (data.get("reference") or "").strip() or services.spend_reference(
            financial_year=data["financial_year"],
            basis=data["basis"],
            contract=contract,
            supplier=data.get("supplier") or (contract.supplier if contract else None),
            category=data.get("category") or "",
            kind=data["kind"],
        )
        if selectors.spend_line(organisation=data["organisation"], reference=reference):
            raise ValidationError(
                f"{ContractSpend.Basis(data['basis']).label} spend {reference} is already "
                "recorded: open it from the spend list to change it."
            )
        return data


@admin.register(ContractSpend)
class ContractSpendAdmin(RegisterAdmin):
    form = ContractSpendForm
    list_display = (
        "financial_year",
        "reference",
        "kind",
        "supplier",
        "category",
        "amount_in_pounds",
        "basis",
        "organisation",
    )
    list_filter = ("financial_year", "kind", "basis")
    search_fields = ("reference", "supplier__name", "contract__reference")
    list_select_related = ("supplier", "organisation")
    actions = [_export_csv]
    change_list_template = "admin/contracts/contractspend/change_list.html"

    @admin.display(description="Amount", ordering="amount")
    def amount_in_pounds(self, obj):
        return _pounds(obj.amount)

    def changelist_view(self, request, extra_context=None):
        """The list with its totals per financial year, kind and basis above it, over the
        same filtered rows (e.g. filter 2024/25 for the year's insourcing total)."""
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and context.get("cl") is not None:
            context["spend_totals"] = selectors.spend_totals(context["cl"].queryset)
        return response

    def get_readonly_fields(self, request, obj=None):
        return ("organisation", "reference") if obj else ()

    def get_changeform_initial_data(self, request):
        """``?contract=<id>`` (the contract page's *Add spend for this contract*) fills in
        its organisation, supplier and kind; a contract the user may not see fills nothing."""
        initial = super().get_changeform_initial_data(request)
        contract = (
            selectors.contracts_visible_to(request.user).filter(pk=initial["contract"]).first()
            if str(initial.get("contract", "")).isdigit()
            else None
        )
        if contract is None:
            initial.pop("contract", None)
            return initial
        return initial | {
            "organisation": contract.organisation_id,
            "supplier": contract.supplier_id,
            "kind": contract.kind,
        }

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        organisation = obj.organisation if change else data["organisation"]
        try:
            saved = services.record_spend(
                organisation=organisation,
                by=request.user,
                reference=obj.reference if change else data.get("reference", ""),
                **{f: data[f] for f in services.SPEND_FIELDS if f in data},
            )
            obj.pk = saved.pk
        except ContractsError as exc:
            _raise_for_form(exc)


class PlannedProcurementForm(RegisterForm):
    categories = CategoriesField()

    class Meta:
        model = PlannedProcurement
        fields = "__all__"


@admin.register(PlannedProcurement)
class PlannedProcurementAdmin(RegisterAdmin):
    form = PlannedProcurementForm
    list_display = (
        "title",
        "kind",
        "status",
        "procurement_route",
        "expected_start",
        "expected_award",
        "organisation",
    )
    list_filter = ("status", "kind")
    actions = [_export_csv]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                services.update_planned_procurement(
                    PlannedProcurement.objects.get(pk=obj.pk),
                    by=request.user,
                    **{f: data[f] for f in form.changed_data if f in services.PLANNED_FIELDS},
                )
            else:
                values = {f: data[f] for f in services.PLANNED_FIELDS if f in data}
                created = services.create_planned_procurement(
                    organisation=data["organisation"], by=request.user, **values
                )
                obj.pk = created.pk
        except ContractsError as exc:
            _raise_for_form(exc)


# -- CDCs ----------------------------------------------------------------------------------


class ModalityInline(ScopedTabularInline):
    organisation_path = tuple(f"cdc__{path}" for path in CDC_ORGANISATIONS)
    scope_roles = access.REGISTER_ROLES
    model = CdcModality
    extra = 0
    can_delete = False
    readonly_fields = (
        "modality",
        "equipment_count",
        "mobile",
        "hours_per_week",
        "examinations_per_hour",
    )

    def has_add_permission(self, request, obj=None):
        return False


class CdcForm(RegisterForm):
    class Meta:
        model = CommunityDiagnosticCentre
        fields = "__all__"


@admin.register(CommunityDiagnosticCentre)
class CdcAdmin(RegisterAdmin):
    form = CdcForm
    organisation_path = CDC_ORGANISATIONS
    # The host trust is only referred to: an ICB's commissioner records The Royal
    # Wolverhampton NHS Trust as host of the Cannock Chase CDC without belonging to it.
    # The ICB stays scoped, so a CDC is always one of the user's own.
    reference_fields = ("host_trust",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Every NHS trust, by name only: choosing a host reveals nothing of its records.
        if db_field.name == "host_trust":
            kwargs["queryset"] = Organisation.objects.filter(
                kind=Organisation.Kind.TRUST
            ).order_by("name")
        # The area's Integrated Care Board, among those the user acts for: a commissioner of
        # an ICB who also belongs to a Trust is not offered the Trust, and a posted Trust
        # (or another body's ICB) is refused as a choice not offered.
        if db_field.name == "icb":
            kwargs["queryset"] = self.scoped_choices(db_field, request).filter(
                kind=Organisation.Kind.ICB
            )
            kwargs["error_messages"] = {
                "invalid_choice": "Choose an Integrated Care Board you act for: the ICB "
                "whose area the centre serves (a Trust cannot be a CDC's ICB)."
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    list_display = (
        "name",
        "host_trust",
        "icb",
        "delivery_model",
        "role",
        "status",
        "opening_date",
        "is_public",
    )
    list_filter = ("delivery_model", "role", "status", "is_public")
    search_fields = ("name", "postcode")
    inlines = [ModalityInline]
    readonly_fields = ("capacity_last_quarter", "activity_links")
    actions = [_export_csv, "export_capacity_csv"]

    @admin.display(description="Monthly activity")
    def activity_links(self, obj):
        """The next step from a CDC's page: its months of activity, and a new one."""
        if not obj.pk:
            return "Save the centre first; then record its activity from here."
        return format_html(
            '<a href="{}?cdc={}">Record a month\'s activity</a> &middot; '
            '<a href="{}?cdc__id__exact={}">See its recorded activity</a>',
            reverse("admin:contracts_cdcactivity_add"),
            obj.pk,
            reverse("admin:contracts_cdcactivity_changelist"),
            obj.pk,
        )

    @admin.action(description="Export capacity and utilisation by modality as CSV")
    def export_capacity_csv(self, request, queryset):
        """Computed figures, not the stored rows: per CDC and modality, over the twelve
        whole months up to the latest month the selected CDCs reported."""
        start, end = selectors.latest_reported_year(queryset, today=timezone.localdate())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="cdc-capacity-{start:%Y%m}-{end:%Y%m}.csv"'
        )
        writer = csv_export.dict_writer(response, selectors.CDC_CAPACITY_COLUMNS)
        writer.writeheader()
        writer.writerows(selectors.cdc_capacity_rows(queryset, start=start, end=end))
        return response

    @admin.display(description="Capacity and utilisation, last three whole months")
    def capacity_last_quarter(self, obj):
        if not obj.pk:
            return "-"
        end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        start = selectors.months_before(end.replace(day=1), 2)
        rows = selectors.cdc_capacity(obj, start=start, end=end)
        if not rows:
            return "No equipment recorded."
        return "; ".join(
            f"{r.label}: capacity {figures.count(r.capacity)}, actual "
            f"{figures.count(r.actual, empty='-')} ({r.months_reported} of {r.months} months "
            f"reported), utilisation {figures.percent(r.utilisation, empty='-')}, average "
            f"shortfall {'-' if r.average_shortfall is None else r.average_shortfall}"
            for r in rows
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                services.update_cdc(
                    CommunityDiagnosticCentre.objects.get(pk=obj.pk),
                    by=request.user,
                    **{f: data[f] for f in form.changed_data if f in services.CDC_FIELDS},
                )
            else:
                values = {f: data[f] for f in services.CDC_FIELDS if f in data}
                created = services.create_cdc(by=request.user, **values)
                obj.pk = created.pk
        except ContractsError as exc:
            _raise_for_form(exc)

    def save_formset(self, request, form, formset, change):
        # Equipment is set through CdcModalityAdmin (set_cdc_modality audits it).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(CdcModality)
class CdcModalityAdmin(RegisterAdmin):
    organisation_path = tuple(f"cdc__{path}" for path in CDC_ORGANISATIONS)
    list_display = (
        "cdc",
        "modality",
        "equipment_count",
        "mobile",
        "hours_per_week",
        "examinations_per_hour",
    )
    list_filter = ("modality", "mobile")

    def get_readonly_fields(self, request, obj=None):
        return ("cdc", "modality", "mobile") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = services.set_cdc_modality(
                cdc=obj.cdc if change else data["cdc"],
                modality=obj.modality if change else data["modality"],
                mobile=obj.mobile if change else data["mobile"],
                equipment_count=data["equipment_count"],
                hours_per_week=data["hours_per_week"],
                examinations_per_hour=data["examinations_per_hour"],
                by=request.user,
            )
            obj.pk = saved.pk
        except ContractsError as exc:
            _raise_for_form(exc)


_MONTH_FORMATS = ("%Y-%m", "%B %Y", "%b %Y", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y", "%d %B %Y")


class MonthField(forms.DateField):
    """A month as a person gives it: the browser's month picker (``2026-10``), "October
    2026", "Oct 2026", "10/2026", or any day in it; stored as its first day, which is how
    the register keeps a month (a check constraint)."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "The month the figures are for, e.g. October 2026 (or 2026-10)."
        )
        super().__init__(input_formats=_MONTH_FORMATS, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        text = " ".join(str(value).split())
        for fmt in _MONTH_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date().replace(day=1)
            except ValueError:
                continue
        raise ValidationError(
            f"{text!r} is not a month: give it as October 2026, Oct 2026 or 2026-10.",
            code="invalid",
        )


class CdcActivityForm(forms.ModelForm):
    month = MonthField()

    class Meta:
        model = CdcActivity
        fields = ("cdc", "modality", "month", "planned", "actual", "source")
        labels = {"cdc": "CDC"}
        help_texts = {
            "planned": "Examinations planned in the month.",
            "actual": "Examinations done in the month; leave blank if not yet reported.",
            "source": "Where the figures come from, e.g. 'SUS extract, month 7'.",
        }


@admin.register(CdcActivity)
class CdcActivityAdmin(RegisterAdmin):
    organisation_path = tuple(f"cdc__{path}" for path in CDC_ORGANISATIONS)
    form = CdcActivityForm
    list_display = ("cdc", "modality", "month", "planned", "actual")
    list_filter = ("modality", "month")
    actions = [_export_csv]

    def get_readonly_fields(self, request, obj=None):
        return ("cdc", "modality", "month") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = services.record_cdc_activity(
                cdc=obj.cdc if change else data["cdc"],
                modality=obj.modality if change else data["modality"],
                month=obj.month if change else data["month"],
                planned=data["planned"],
                actual=data["actual"],
                source=data.get("source", ""),
                by=request.user,
            )
            obj.pk = saved.pk
        except ContractsError as exc:
            _raise_for_form(exc)


@admin.register(TrustImagingProfile)
class TrustImagingProfileAdmin(RegisterAdmin):
    list_display = (
        "organisation",
        "icb",
        "network",
        "year",
        "sites",
        "examinations",
        "ct_scanners",
        "mri_scanners",
        "nous_machines",
    )
    list_filter = ("network", "year")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# -- imports -------------------------------------------------------------------------------


@admin.register(ImportJob)
class ImportJobAdmin(RegisterAdmin):
    list_display = (
        "filename",
        "kind",
        "status",
        "rows_done",
        "rows_total",
        "created_by",
        "created_at",
        "organisation",
    )
    list_filter = ("status", "kind")
    change_form_template = "admin/contracts/importjob/progress.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/commit/",
                wrap(self.commit_view),
                name="contracts_importjob_commit",
            ),
        ] + super().get_urls()

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
                "running": job.status
                in (ImportJob.Status.UPLOADED, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
                "checking": job.status == ImportJob.Status.UPLOADED,
                "percent": int(100 * job.rows_done / job.rows_total) if job.rows_total else 0,
                "can_commit": job.status == ImportJob.Status.PREVIEWED
                and not job.errors
                and self.may_import(request),
            },
        )

    def may_import(self, request) -> bool:
        """Committing writes the register: it takes what uploading took (adding contracts),
        not the view permission an FOI officer reading the registers has."""
        return self.admin_site._registry[Contract].has_add_permission(request)

    def commit_view(self, request, object_id):
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.may_import(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:contracts_importjob_change", job.pk)
        if job.status != ImportJob.Status.PREVIEWED or job.errors:
            messages.error(request, "This file has errors or was already imported.")
            return redirect("admin:contracts_importjob_change", job.pk)
        if job.rows_total > imports.BACKGROUND_ROWS:
            from django.db import transaction

            from .tasks import run_import_job

            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
            transaction.on_commit(lambda: run_import_job.delay(job.pk))
            messages.info(request, "Import queued; this page refreshes until it finishes.")
        else:
            job = imports.run_job(job.pk, by=request.user)
            if job.status == ImportJob.Status.SUCCEEDED:
                messages.success(
                    request,
                    "Imported: {created} created, {updated} updated, "
                    "{unchanged} unchanged.".format(**job.summary),
                )
        return redirect(reverse("admin:contracts_importjob_change", args=[job.pk]))
