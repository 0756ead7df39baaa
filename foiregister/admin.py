"""The FOI officers' screens. Thin: every write calls a service, every rule is a selector."""

from __future__ import annotations

import datetime
import threading

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import calendar, selectors, services, tasks
from .exceptions import FoiRegisterError
from .letters import services as letter_services
from .models import (
    AuditEvent,
    Contribution,
    DeadlineRecomputation,
    Department,
    Exemption,
    Organisation,
    ProclaimedHoliday,
    Question,
    Request,
    Requester,
    RequestEvent,
    RequestLink,
    TimeEntry,
)

admin.site.site_header = "FOI and procurement register"
admin.site.site_title = "FOI register"
admin.site.index_title = "Requests, registers and metrics"

_local = threading.local()


def _calendar():
    """One working-day calendar per admin page, so a changelist of 100 rows reads the
    holiday table once."""
    cal = getattr(_local, "calendar", None)
    if cal is None:
        cal = _local.calendar = selectors.working_day_calendar()
    return cal


def _service_error_to_form(form: forms.Form, exc: FoiRegisterError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class NoDeleteMixin:
    """Nothing in the request register is ever hard-deleted by an officer."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Rows written only by services (audit events, recomputation runs): view, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# -- filters ------------------------------------------------------------------------------


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("this_week", "Due this week"),
            ("soon", f"Due within {selectors.settings.FOI_DUE_SOON_WORKING_DAYS} working days"),
        ]

    def queryset(self, request, queryset):
        today = selectors.local_today()
        if self.value() == "overdue":
            return queryset.filter(pk__in=selectors.overdue_requests(today=today).values("pk"))
        if self.value() == "this_week":
            monday = today - datetime.timedelta(days=today.weekday())
            return queryset.filter(
                status__in=Request.OPEN_STATUSES,
                due_on__gte=monday,
                due_on__lte=monday + datetime.timedelta(days=6),
            )
        if self.value() == "soon":
            return queryset.filter(
                pk__in=selectors.requests_due_within(
                    today=today, working_days=selectors.settings.FOI_DUE_SOON_WORKING_DAYS
                ).values("pk")
            )
        return queryset


class OrganisationScopedMixin:
    """Officers see only rows of the organisations they belong to."""

    organisation_path = "organisation"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.organisation_path}__members": request.user}).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = selectors.organisations_of(request.user)
        if db_field.name == "requester" and not request.user.is_superuser:
            kwargs["queryset"] = Requester.objects.filter(organisation__members=request.user)
        if db_field.name == "assignee":
            from django.contrib.auth import get_user_model

            users = get_user_model().objects.filter(is_active=True)
            if not request.user.is_superuser:
                users = users.filter(organisations__in=selectors.organisations_of(request.user))
            kwargs["queryset"] = users.distinct().order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# -- inlines --------------------------------------------------------------------------------


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "number",
            "text",
            "answer_kind",
            "answer",
            "elsewhere_url",
            "exemptions",
            "public_interest_reasoning",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "cols": 50}),
            "answer": forms.Textarea(attrs={"rows": 3, "cols": 50}),
            "public_interest_reasoning": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }

    def clean(self):
        data = super().clean()
        try:
            services.validate_answer(
                answer_kind=data.get("answer_kind", ""),
                elsewhere_url=data.get("elsewhere_url", ""),
                exemptions=list(data.get("exemptions") or []),
                reasoning=data.get("public_interest_reasoning", ""),
            )
        except FoiRegisterError as exc:
            raise ValidationError({exc.field or "__all__": exc.message}) from exc
        return data


class QuestionInline(NoDeleteMixin, admin.StackedInline):
    model = Question
    form = QuestionForm
    extra = 0
    filter_horizontal = ["exemptions"]


class EventInline(NoDeleteMixin, admin.TabularInline):
    """Read-only here: events are recorded through "Record an event", which checks them."""

    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["occurred_on", "kind", "target_on", "decision", "details", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _new_filled_forms(formset):
    """The inline rows an officer filled in and did not mark for deletion."""
    for form in formset.forms:
        if not form.has_changed() or not hasattr(form, "cleaned_data"):
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        yield form


class ContributionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        parent = self.instance
        for form in _new_filled_forms(self):
            if form.instance.pk is None and not form.cleaned_data.get("internal_due_on"):
                if parent.pk is None or parent.due_on is None:
                    form.add_error(
                        "internal_due_on",
                        "the request has no due date while its clock is stopped (awaiting "
                        "clarification or a fee): give the department's deadline",
                    )


class ContributionInline(NoDeleteMixin, admin.TabularInline):
    model = Contribution
    formset = ContributionFormSet
    extra = 0
    fields = [
        "department",
        "questions",
        "asked_on",
        "internal_due_on",
        "status",
        "answer",
        "answered_on",
        "late",
    ]
    readonly_fields = ["late"]

    @admin.display(description="late?")
    def late(self, obj):
        if (
            obj.pk
            and obj.status == Contribution.Status.ASKED
            and obj.internal_due_on
            and obj.internal_due_on < selectors.local_today()
        ):
            return format_html('<strong class="foi-late">{}</strong>', "Late")
        return ""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = formset.form
        if obj is not None:
            form.base_fields["department"].queryset = Department.objects.filter(
                organisation=obj.organisation
            )
            form.base_fields["questions"].queryset = obj.questions.all()
        form.base_fields["internal_due_on"].required = False
        form.base_fields["asked_on"].initial = selectors.local_today
        return formset


class TimeEntryInline(NoDeleteMixin, admin.TabularInline):
    """Time is logged, not edited: a row once saved is read-only (log a correction)."""

    model = TimeEntry
    extra = 0
    fields = ["person", "worked_on", "activity", "hours"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            from django.contrib.auth import get_user_model

            users = get_user_model().objects.filter(is_active=True)
            if not request.user.is_superuser:
                users = users.filter(organisations__in=selectors.organisations_of(request.user))
            kwargs["queryset"] = users.distinct().order_by("username")
            kwargs.setdefault("initial", request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LinkFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in _new_filled_forms(self):
            other = form.cleaned_data.get("to_request")
            if form.instance.pk is not None or other is None:
                continue
            if other.pk in seen:
                form.add_error("to_request", f"{other.reference} is listed twice")
                continue
            seen.add(other.pk)
            if self.instance.pk is None:
                continue
            try:
                services.validate_link(request=self.instance, other=other)
            except FoiRegisterError as exc:
                form.add_error("to_request", exc.message)


class LinkInline(NoDeleteMixin, admin.TabularInline):
    """Links are added here and shown on both requests; a saved link is read-only."""

    model = RequestLink
    formset = LinkFormSet
    fk_name = "from_request"
    extra = 0
    verbose_name = "linked request"
    autocomplete_fields = ["to_request"]

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The autocomplete searches the officer's requests only; the field must accept only
        # those too, or a hand-made POST could link (and reveal) another body's request.
        if db_field.name == "to_request":
            kwargs["queryset"] = selectors.requests_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# -- requests -----------------------------------------------------------------------------


class RecordEventForm(forms.Form):
    kind = forms.ChoiceField(choices=RequestEvent.Kind.choices)
    occurred_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    target_on = forms.DateField(
        label="Estimate given (PIT extension)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decision = forms.ChoiceField(
        choices=RequestEvent.ReviewDecision.choices,
        required=False,
        label="Review decision",
    )
    fee_amount = forms.DecimalField(required=False, min_value=0, decimal_places=2)
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class StatusForm(forms.Form):
    to = forms.ChoiceField(label="New status", choices=Request.Status.choices)
    on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When it happened, for a status that is also an event on the timeline "
        "(e.g. responded, awaiting clarification). Default: today.",
    )
    note = forms.CharField(required=False)


class RequestForm(forms.ModelForm):
    class Meta:
        model = Request
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("organisation") and data.get("received_at"):
            try:
                services.validate_new_request(
                    organisation=data["organisation"],
                    requester=data.get("requester"),
                    title=data.get("title", ""),
                    received_at=data["received_at"],
                )
            except FoiRegisterError as exc:
                raise ValidationError({exc.field or "__all__": exc.message}) from exc
        return data


# The add form shows these fields, and save_model passes them on to log_request.
REQUEST_ADD_FIELDS = (
    "organisation",
    "requester",
    "regime",
    "received_at",
    "channel",
    "title",
    "body",
    "topic",
    "assignee",
)


@admin.register(Request)
class RequestAdmin(OrganisationScopedMixin, NoDeleteMixin, admin.ModelAdmin):
    form = RequestForm

    def get_queryset(self, request):
        """The one gate (``selectors.requests_visible_to``): FOI officers and leads of the
        request's organisation; an administrator who belongs to it does not read casework."""
        return selectors.requests_visible_to(request.user)

    list_display = [
        "reference",
        "title",
        "received",
        "due_on",
        "working_days_left",
        "status",
        "assignee",
    ]
    # "Related only": the choices come from the officer's own requests, so the filters list
    # neither another body's staff nor the organisations the officer does not belong to.
    list_filter = [
        "status",
        DeadlineFilter,
        ("assignee", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "regime",
    ]
    search_fields = ["reference", "title", "body", "questions__text"]
    list_select_related = ["assignee"]
    list_per_page = 50
    date_hierarchy = "received_at"
    ordering = ["due_on"]
    autocomplete_fields = []
    inlines = [QuestionInline, ContributionInline, TimeEntryInline, LinkInline, EventInline]
    readonly_fields = [
        "reference",
        "status",
        "dates",
        "how_worked_out",
        "warnings",
        "links",
        "letters",
        "requester_details",
        "allocation",
        "history",
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {"fields": list(REQUEST_ADD_FIELDS)},
                )
            ]
        return [
            (
                None,
                {
                    "fields": [
                        "reference",
                        "status",
                        "title",
                        "body",
                        "channel",
                        "topic",
                        "assignee",
                        "outcome",
                        "s12_estimate_hours",
                    ]
                },
            ),
            ("Deadlines", {"fields": ["dates", "warnings", "how_worked_out", "allocation"]}),
            ("Letters", {"fields": ["letters"]}),
            ("Linked requests", {"fields": ["links"]}),
            ("Requester (private)", {"classes": ["collapse"], "fields": ["requester_details"]}),
            ("History", {"classes": ["collapse"], "fields": ["history"]}),
        ]

    def get_search_results(self, request, queryset, search_term):
        qs, dupes = super().get_search_results(request, queryset, search_term)
        return qs, True if search_term else dupes

    def get_inlines(self, request, obj):
        """Logging a request takes its questions only: departments, time and links need the
        request (and its organisation) first, and would otherwise list every body's rows."""
        return [QuestionInline] if obj is None else self.inlines

    def changelist_view(self, request, extra_context=None):
        _local.calendar = None
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The request, its questions and every inline row are saved in one transaction. If
        a service refuses any part, the transaction is rolled back (nothing half-saved) and
        the officer is told which field and why; the forms' own checks catch most of these
        first, with the error on the row."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except FoiRegisterError as exc:
            where = f"{exc.field.replace('_', ' ')}: " if exc.field else ""
            messages.error(request, f"Nothing was saved. {where}{exc.message}.")
            return redirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        _local.calendar = None
        extra_context = extra_context or {}
        extra_context["record_event_url"] = reverse(
            "admin:foiregister_request_record_event", args=[object_id]
        )
        from .letters.models import Letter

        extra_context["letter_links"] = [
            {
                "url": reverse("admin:letters_letter_draft", args=[object_id, kind]),
                "label": f"Draft {label.lower()}",
            }
            for kind, label in Letter.Kind.choices
        ] + [
            {
                "url": reverse("admin:letters_batchissue_start") + f"?source={object_id}",
                "label": "Issue these answers to a round robin",
            }
        ]
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="received", ordering="received_at")
    def received(self, obj):
        return selectors.date_of_receipt(obj.received_at)

    @admin.display(description="working days left", ordering="due_on")
    def working_days_left(self, obj):
        days = selectors.working_days_left(obj, today=selectors.local_today(), cal=_calendar())
        state = selectors.deadline_state(days, is_open=obj.is_open)
        if days is None or not obj.is_open:
            return "-"
        # NHS red with white text and NHS warm yellow with black: both pass WCAG AA.
        colours = {
            "late": ("#d5281b", "#ffffff"),
            "due_soon": ("#ffb81c", "#212b32"),
            "on_time": ("inherit", "inherit"),
        }
        label = f"{-days} late" if days < 0 else str(days)
        return format_html(
            '<span class="foi-{}" style="background:{};color:{};padding:0 .4em;font-weight:{}">'
            "{}</span>",
            state,
            *colours[state],
            "bold" if state != "on_time" else "normal",
            label,
        )

    @admin.display(description="due dates")
    def dates(self, obj):
        rows = [
            ("Date of receipt", selectors.date_of_receipt(obj.received_at)),
            ("Clock started", obj.clock_started_on),
            ("Statutory due date", obj.statutory_due_on),
            ("Extended due date", obj.extended_due_on),
            ("Due (used in lists)", obj.due_on),
            ("Responded", obj.responded_on),
            ("Requester may ask for a review until", obj.review_window_closes_on),
            ("Internal review due", obj.review_due_on),
        ]
        shown = [(label, f"{d:%a %d %b %Y}") for label, d in rows if d]
        if obj.status == Request.Status.AWAITING_CLARIFICATION:
            # The dates counted from the first receipt no longer apply: clarification
            # restarts the clock (s.1(3)), and until it arrives there is no due date.
            stale = {"Statutory due date", "Extended due date", "Due (used in lists)"}
            shown = [row for row in shown if row[0] not in stale]
            shown.insert(
                2,
                (
                    "Due date",
                    "none while clarification is awaited: 20 working days run again "
                    "from the day it arrives",
                ),
            )
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", shown)

    @admin.display(description="how the dates were worked out")
    def how_worked_out(self, obj):
        """Each clock, step by step: day 0, day 1, every non-working day skipped with its
        name (weekends included), every fee pause, and the clarification that restarted it."""
        if obj.pk is None:
            return ""
        clock = services.clock_for(obj)
        received = selectors.date_of_receipt(obj.received_at)
        titles = {
            "foi": "FOI: 20 working days (s.10(1))",
            "eir": "EIR: 20 working days (reg 5(2))",
            "pit_extension": "Public interest extension: 40th working day (s.10(3))",
            "eir_extended": "EIR extension: 40 working days (reg 7(1))",
            "sar": "Subject access: one calendar month (UK GDPR Art 12(3))",
            "review_window": "Requester's window to ask for an internal review: 40 working "
            "days from the response (s.45 Code para 5.4)",
            "internal_review": "Internal review: 20 working days from the request for review "
            "(s.45 Code Part 5)",
        }
        starts = {
            "review_window": "Response sent (day 0)",
            "internal_review": "Internal review requested (day 0)",
        }
        parts = []
        for working in clock.workings:
            if working.clock in starts:
                first = starts[working.clock]
            elif working.clock == "sar":
                first = "Date of receipt (day 1 for a subject access request)"
            elif working.date_of_receipt != received:
                first = "Clarification received: the new date of receipt (day 0)"
            else:
                first = "Date of receipt (day 0)"
            items = [f"{first}: {working.date_of_receipt:%a %d %b %Y}"]
            if working.day_one:
                items.append(f"Day 1: {working.day_one:%a %d %b %Y}")
            weekends = [s.day for s in working.skipped if s.reason in ("Saturday", "Sunday")]
            if weekends:
                items.append("Weekends skipped: " + ", ".join(f"{d:%a %d %b}" for d in weekends))
            items += [
                f"Skipped {s.day:%a %d %b %Y}: {s.reason}"
                for s in working.skipped
                if s.reason not in ("Saturday", "Sunday")
            ]
            items += working.notes
            if working.due:
                items.append(f"Due: {working.due:%a %d %b %Y}")
            parts.append(
                format_html(
                    "<p><strong>{}</strong></p><ul>{}</ul>",
                    titles.get(working.clock, working.clock),
                    format_html_join("", "<li>{}</li>", ((i,) for i in items)),
                )
            )
        notes = format_html_join("", "<p>{}</p>", ((n,) for n in clock.notes))
        return format_html("{}{}", format_html_join("", "{}", ((p,) for p in parts)), notes)

    @admin.display(description="warnings")
    def warnings(self, obj):
        if obj.pk is None:
            return ""
        items = []
        s12 = selectors.s12_warning(obj)
        if s12:
            items.append(s12)
        for c in selectors.late_contributions(obj, today=selectors.local_today()):
            items.append(
                f"{c.department} is late: their answer was due {c.internal_due_on:%d %b %Y}"
            )
        if not items:
            return "None"
        return format_html_join(
            "", '<div class="foi-warning"><strong>{}</strong></div>', ((i,) for i in items)
        )

    @admin.display(description="linked requests")
    def links(self, obj):
        if obj.pk is None:
            return ""
        user = getattr(_local, "user", None)
        visible = (
            set(selectors.requests_visible_to(user).values_list("pk", flat=True))
            if user is not None
            else set()
        )
        rows = []
        for kind, other in selectors.linked_requests(obj):
            if other.pk in visible:
                url = reverse("admin:foiregister_request_change", args=[other.pk])
                rows.append(
                    format_html(
                        '<div>{}: <a href="{}">{}</a> {}</div>',
                        kind,
                        url,
                        other.reference,
                        other.title,
                    )
                )
            else:
                rows.append(
                    format_html(
                        "<div>{}: {} ({})</div>", kind, other.reference, other.organisation
                    )
                )
        return format_html_join("", "{}", ((r,) for r in rows)) or "None"

    @admin.display(description="requester")
    def requester_details(self, obj):
        user = getattr(_local, "user", None)
        if obj.pk is None or user is None or not selectors.can_see_requester(user, obj):
            return "Visible only to FOI officers of this organisation."
        r = obj.requester
        return format_html(
            "<div>{} ({})</div><div>{}</div><div>{}</div><div>{}</div>",
            r.name,
            r.get_kind_display(),
            r.email,
            r.postal_address,
            r.telephone,
        )

    @admin.display(description="letters")
    def letters(self, obj):
        from .letters.selectors import letters_for_request

        rows = [
            (
                reverse("admin:letters_letter_change", args=[letter.pk]),
                letter.get_kind_display(),
                letter.get_status_display(),
                f"{letter.issued_on:%d %b %Y}" if getattr(letter, "issued_on", None) else "",
            )
            for letter in letters_for_request(obj)
        ]
        if not rows:
            return "None yet: use the Draft buttons above."
        return format_html_join("", '<div><a href="{}">{}</a> ({}) {}</div>', rows)

    @admin.display(description="allocation")
    def allocation(self, obj):
        """Receipt to allocation, in working days as the clock counts them (slow allocation
        is what makes requests late) and in hours."""
        received = selectors.date_of_receipt(obj.received_at)
        delay = services.allocation_delay(obj)
        if delay is None:
            waiting = calendar.working_days_between(
                received, selectors.local_today(), calendar=_calendar()
            )
            return f"Not yet allocated: {waiting} working day(s) since receipt"
        allocated = timezone.localtime(obj.allocated_at)
        days = calendar.working_days_between(received, allocated.date(), calendar=_calendar())
        hours = delay.total_seconds() / 3600
        return (
            f"Allocated {allocated:%a %d %b %Y %H:%M}, {days} working day(s) after receipt "
            f"({hours:.1f} hours)"
        )

    @admin.display(description="audit history")
    def history(self, obj):
        from django.db.models import Q

        question_ids = [str(pk) for pk in obj.questions.values_list("pk", flat=True)]
        rows = AuditEvent.objects.filter(
            Q(object_type=Request._meta.label, object_id=str(obj.pk))
            | Q(object_type=Question._meta.label, object_id__in=question_ids)
        )

        def shown(value):
            if value in (None, ""):
                return "(blank)"
            if isinstance(value, list):
                return ", ".join(str(v) for v in value) or "(none)"
            return str(value)

        def change(name, value):
            # Services record a change as [old, new] and a fact as a plain value.
            if isinstance(value, list) and len(value) == 2 and name != "questions":
                return f"{name}: {shown(value[0])} \u2192 {shown(value[1])}"
            return f"{name}: {shown(value)}"

        return format_html_join(
            "",
            "<div>{} {} <strong>{}</strong> {} {}</div>",
            (
                (
                    f"{timezone.localtime(a.at):%d %b %Y %H:%M}",
                    a.actor,
                    a.action
                    if a.object_type == Request._meta.label
                    else f"{a.object_repr} {a.action}",
                    "; ".join(change(k, v) for k, v in a.changes.items()),
                    a.note[:300],
                )
                for a in rows[:200]
            ),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        _local.user = request.user
        return super().get_form(request, obj, change, **kwargs)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/event/",
                self.admin_site.admin_view(self.record_event_view),
                name="foiregister_request_record_event",
            ),
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="foiregister_request_status",
            ),
            *super().get_urls(),
        ]

    def _get_for_change(self, request, object_id) -> Request:
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _service_form_page(self, request, obj, form, *, act, done: str, title: str):
        """A small admin page whose form calls one service: the service's error lands on
        the field it names, and nothing is saved unless the service succeeds."""
        if request.method == "POST" and form.is_valid():
            try:
                act(form.cleaned_data)
            except FoiRegisterError as exc:
                _service_error_to_form(form, exc)
            else:
                messages.success(request, done)
                return redirect("admin:foiregister_request_change", obj.pk)
        return TemplateResponse(
            request,
            "admin/foiregister/request/form_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": obj,
                "form": form,
                "title": title,
            },
        )

    def record_event_view(self, request, object_id):
        obj = self._get_for_change(request, object_id)
        return self._service_form_page(
            request,
            obj,
            RecordEventForm(request.POST or None),
            act=lambda data: services.record_timeline_event(request=obj, by=request.user, **data),
            done="Event recorded; due dates recomputed.",
            title=f"Record an event on {obj.reference}",
        )

    def status_view(self, request, object_id):
        obj = self._get_for_change(request, object_id)
        allowed = services.ALLOWED_TRANSITIONS[obj.status]
        form = StatusForm(request.POST or None)
        # A public interest extension needs the estimate given: it is recorded as an event.
        form.fields["to"].choices = [
            (k, v) for k, v in Request.Status.choices if k in allowed and k != "pit_extended"
        ]
        return self._service_form_page(
            request,
            obj,
            form,
            act=lambda data: services.change_status(
                request=obj, to=data["to"], by=request.user, note=data["note"], on=data["on"]
            ),
            done="Status changed.",
            title=f"Change the status of {obj.reference}",
        )

    # Writes go through services, so they are validated and audited.
    def save_model(self, request, obj, form, change):
        """A service refusal (FoiRegisterError) propagates to ``changeform_view``, which
        rolls back the whole save and shows the reason."""
        if change:
            fields = {
                f: form.cleaned_data[f]
                for f in form.changed_data
                if f in services.REQUEST_EDITABLE_FIELDS
            }
            if fields:
                stored = Request.objects.get(pk=obj.pk)
                services.update_request(request=stored, by=request.user, **fields)
                obj.__dict__.update(stored.__dict__)
        else:
            created = services.log_request(
                by=request.user,
                **{f: form.cleaned_data[f] for f in REQUEST_ADD_FIELDS},
            )
            obj.pk = created.pk
            obj.__dict__.update(Request.objects.get(pk=created.pk).__dict__)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        parent = form.instance
        for f in formset.forms:
            if f not in formset.initial_forms and not f.has_changed():
                continue
            inst = f.instance
            if not f.has_changed() or f in formset.deleted_forms:
                continue
            if isinstance(inst, Question):
                codes = [e.code for e in f.cleaned_data.get("exemptions") or []]
                answer = {
                    k: f.cleaned_data.get(k, "") or ""
                    for k in (
                        "answer",
                        "answer_kind",
                        "elsewhere_url",
                        "public_interest_reasoning",
                    )
                }
                if inst.pk:
                    # The form has already set the new values on ``inst``; the services
                    # compare against the stored row, so they get a fresh copy to audit.
                    stored = Question.objects.get(pk=inst.pk)
                    if (stored.number, stored.text) != (inst.number, inst.text):
                        services.update_question(
                            question=stored, by=request.user, number=inst.number, text=inst.text
                        )
                    letter_services.set_answer(
                        question=stored, by=request.user, exemption_codes=codes, **answer
                    )
                else:
                    services.add_question(
                        request=parent,
                        text=inst.text,
                        by=request.user,
                        exemption_codes=tuple(codes),
                        **answer,
                    )
            elif isinstance(inst, Contribution) and not inst.pk:
                services.ask_department(
                    request=parent,
                    department=inst.department,
                    by=request.user,
                    questions=f.cleaned_data.get("questions") or [],
                    asked_on=inst.asked_on,
                    internal_due_on=inst.internal_due_on,
                )
            elif isinstance(inst, Contribution):
                services.update_contribution(
                    contribution=inst,
                    by=request.user,
                    questions=f.cleaned_data.get("questions"),
                    **{
                        name: f.cleaned_data[name]
                        for name in f.changed_data
                        if name in services.CONTRIBUTION_FIELDS
                    },
                )
            elif isinstance(inst, TimeEntry) and not inst.pk:
                services.log_time(
                    request=parent,
                    person=inst.person,
                    hours=inst.hours,
                    activity=inst.activity,
                    worked_on=inst.worked_on,
                    by=request.user,
                )
            elif isinstance(inst, TimeEntry):
                # A correction goes through the service, against the stored row, audited.
                services.correct_time_entry(
                    entry=TimeEntry.objects.get(pk=inst.pk),
                    by=request.user,
                    **{
                        name: f.cleaned_data[name]
                        for name in f.changed_data
                        if name in services.TIME_ENTRY_FIELDS
                    },
                )
            elif isinstance(inst, RequestLink) and not inst.pk:
                services.link_requests(
                    request=parent, other=inst.to_request, kind=inst.kind, by=request.user
                )
        del instances


@admin.register(Requester)
class RequesterAdmin(OrganisationScopedMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "organisation"]
    search_fields = ["name", "email"]
    list_filter = ["kind"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if not (
            selectors.user_has_role(request.user, selectors.FOI_OFFICER)
            or selectors.user_has_role(request.user, selectors.FOI_LEAD)
        ):
            return qs.none()
        return qs

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            from . import audit

            audit.record_event(
                action="requester.changed" if change else "requester.created",
                obj=obj,
                by=request.user,
                organisation_id=obj.organisation_id,
                changes={f: "changed" for f in form.changed_data},
            )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "kind", "foi_email"]
    search_fields = ["name", "ods_code"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return (
            selectors.organisations_of(request.user)
            if not request.user.is_superuser
            else super().get_queryset(request)
        )


@admin.register(Department)
class DepartmentAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "email"]


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ["section", "title", "absolute"]
    search_fields = ["section", "title", "code"]


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
class ProclaimedHolidayAdmin(admin.ModelAdmin):
    """Adding a day proclaimed after the holidays package release recomputes every open
    request's due dates at once (in Celery, with the count reported)."""

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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        return selectors.audit_events_visible_to(request.user)


@admin.register(DeadlineRecomputation)
class DeadlineRecomputationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Progress of the Celery job that recomputes open deadlines after a holiday change;
    the list refreshes itself while a job is queued or running."""

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
