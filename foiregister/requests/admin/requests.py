"""The request page and list: logging, editing, the timeline and status forms."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from foiregister import calendar
from foiregister.kernel import access
from foiregister.kernel.admin import (
    NoDeleteMixin,
    ScopedModelAdmin,
    service_error_to_form,
)
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.locking import EditLockMixin
from foiregister.kernel.models import AuditEvent
from foiregister.requests import selectors, services
from foiregister.requests.admin.reports import ReportsAdminMixin
from foiregister.requests.models import (
    Contribution,
    Question,
    Request,
    RequestEvent,
    RequestLink,
    TimeEntry,
)

from . import mywork
from .filters import DeadlineFilter, InternalReviewFilter, OpenClosedFilter
from .inlines import (
    ContributionInline,
    EventInline,
    LinkInline,
    QuestionInline,
    TimeEntryInline,
)

# -- requests -----------------------------------------------------------------------------


E = RequestEvent.Kind

# Which event kinds each optional field of "Record an event" belongs to: the page shows only
# those for the kind chosen (a small script; without it every field shows, and the service
# ignores or refuses what does not fit, naming the field).
EVENT_FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "target_on": (E.PIT_EXTENSION, E.ICO_DECISION),
    "decision": (E.REVIEW_DECIDED,),
    "fee_amount": (E.FEES_NOTICE, E.FEE_PAID),
    "reference": (E.ICO_COMPLAINT, E.ICO_DECISION),
    "reviewer": (E.REVIEW_REQUESTED,),
}


class RecordEventForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=RequestEvent.Kind.choices)
    occurred_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    target_on = forms.DateField(
        label="Date promised or set",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Public interest extension: the decision date given to the requester. ICO "
        "decision notice: the compliance date, only if the notice sets one (otherwise 35 "
        "calendar days).",
    )
    decision = forms.ChoiceField(
        choices=RequestEvent.ReviewDecision.choices,
        required=False,
        label="Review decision",
    )
    fee_amount = forms.DecimalField(
        label="Fee (GBP)", required=False, min_value=0, decimal_places=2
    )
    reference = forms.CharField(label="ICO reference", required=False, max_length=60)
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        required=False,
        queryset=None,
        help_text="Someone who took no part in the original response.",
    )
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        for name, kinds in EVENT_FIELD_KINDS.items():
            self.fields[name].widget.attrs["data-kinds"] = " ".join(kinds)


class StatusForm(forms.Form):
    to = forms.ChoiceField(label="New status", choices=Request.Status.choices)
    on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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
class RequestAdmin(EditLockMixin, ReportsAdminMixin, NoDeleteMixin, ScopedModelAdmin):
    # The one gate (as ``selectors.requests_visible_to``): FOI officers and leads of the
    # request's organisation; an administrator who belongs to it does not read casework.
    organisation_path = "organisation"
    scope_roles = access.CASEWORK_ROLES
    form = RequestForm
    # A second officer's save is refused if the request or a row on its page changed.
    lock_children = ("questions", "contributions", "time_entries", "links_out", "events")

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A request is assigned to someone who may work on it: an FOI officer or lead of
        its own organisation, not of another body the viewer also belongs to."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if "assignee" in form.base_fields:
            # Logging a request, the organisation is not chosen yet: the people who may do
            # casework for the logger's organisations (the service checks the pairing).
            form.base_fields["assignee"].queryset = access.colleagues_of(
                request.user,
                roles=access.CASEWORK_ROLES,
                organisation=obj.organisation if obj is not None else None,
            )
        return form

    list_display = [
        "reference",
        "title",
        "received",
        "due_on",
        "working_days_left",
        "status",
        "internal_review",
        "assignee",
    ]
    # "Related only": the choices come from the officer's own requests, so the filters list
    # neither another body's staff nor the organisations the officer does not belong to.
    list_filter = [
        OpenClosedFilter,
        "status",
        DeadlineFilter,
        InternalReviewFilter,
        ("assignee", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "regime",
    ]
    search_fields = ["reference", "title", "body", "questions__text"]
    list_select_related = ["assignee", "reviewer"]
    list_per_page = 50
    date_hierarchy = "received_at"
    # Most urgent first; a stopped clock (no due date) after every dated one.
    ordering = [F("due_on").asc(nulls_last=True), "received_at"]
    autocomplete_fields = []
    inlines = [QuestionInline, ContributionInline, TimeEntryInline, LinkInline, EventInline]
    readonly_fields = [
        "reference",
        "status",
        "dates",
        "how_worked_out",
        "warnings",
        "links",
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
        extra_context = extra_context or {}
        extra_context["record_event_url"] = reverse(
            "admin:foiregister_request_record_event", args=[object_id]
        )
        extra_context["letter_links"] = self.letter_links(object_id)
        extra_context["casework_links"] = mywork.casework_links(object_id)
        extra_context["time_summary"] = mywork.time_summary(object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="received", ordering="received_at")
    def received(self, obj):
        return selectors.date_of_receipt(obj.received_at)

    @admin.display(description="internal review", ordering="review_due_on")
    def internal_review(self, obj):
        state = selectors.review_state(obj)
        if state == "decided":
            return f"Decided {obj.review_decided_on:%d %b %Y}"
        if state == "in_progress":
            who = f", {obj.reviewer}" if obj.reviewer_id else ", no reviewer yet"
            return f"In progress, due {obj.review_due_on:%d %b %Y}{who}"
        return "-"

    def letter_links(self, object_id) -> list[dict[str, str]]:
        """Buttons above the request for the letters app to fill (it extends this admin);
        the register itself knows nothing of letters."""
        return []

    def save_answer(self, *, question: Question, by, exemption_codes, **answer) -> None:
        """Record an officer's answer to a stored question. The letters app overrides this
        so that changing an answer also withdraws a lead's approval of a draft."""
        services.update_question(
            question=question, by=by, exemption_codes=exemption_codes, **answer
        )

    def get_list_display(self, request):
        """The list's "working days left" column reads the holiday table once per page:
        the calendar is built here and held by the column, not by shared state."""
        today, cal = selectors.local_today(), selectors.working_day_calendar()

        @admin.display(description="working days left", ordering="due_on")
        def working_days_left(obj):
            return self.working_days_left(obj, today=today, cal=cal)

        return [working_days_left if f == "working_days_left" else f for f in self.list_display]

    def get_object(self, request, object_id, from_field=None):
        """The row being shown carries who is looking, for the fields that depend on it
        (the requester's details, links to requests the viewer may open)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.viewer = request.user
        return obj

    def working_days_left(self, obj, *, today=None, cal=None):
        days = selectors.working_days_left(
            obj,
            today=today or selectors.local_today(),
            cal=cal or selectors.working_day_calendar(),
        )
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
            (
                "Extended due date (40th working day, used for statistics)"
                if obj.regime == Request.Regime.FOI
                else "Extended due date",
                obj.extended_due_on,
            ),
            (
                "Due (date promised to the requester, used in lists)"
                if obj.extended_due_on and obj.due_on and obj.due_on != obj.extended_due_on
                else "Due (used in lists)",
                obj.due_on,
            ),
            ("Responded", obj.responded_on),
            ("Requester may ask for a review until", obj.review_window_closes_on),
        ]
        if obj.review_decided_on:
            decision = selectors.latest_review_decision(obj)
            rows.append(
                (
                    "Internal review decided"
                    + (f" ({decision.get_decision_display().lower()})" if decision else ""),
                    obj.review_decided_on,
                )
            )
        else:
            rows.append(("Internal review due", obj.review_due_on))
        complaint = selectors.latest_event(obj, RequestEvent.Kind.ICO_COMPLAINT)
        notice = selectors.latest_event(obj, RequestEvent.Kind.ICO_DECISION)
        if complaint:
            rows.append(
                (f"ICO complaint {complaint.reference or '(no reference)'}", complaint.occurred_on)
            )
        if notice:
            rows.append(
                (f"ICO decision notice {notice.reference or '(no reference)'}", notice.occurred_on)
            )
            rows.append(
                (
                    "Comply with the decision notice by"
                    + ("" if notice.target_on else " (35 calendar days)"),
                    obj.ico_compliance_due_on,
                )
            )
        shown = [(label, f"{d:%a %d %b %Y}") for label, d in rows if d]
        if obj.reviewer_id and not obj.review_decided_on:
            shown.append(("Internal reviewer", str(obj.reviewer)))
        if obj.duplicate_of_id:
            shown.insert(0, ("Closed as a duplicate of", obj.duplicate_of.reference))
        if obj.status == Request.Status.AWAITING_FEE:
            clock = services.clock_for(obj)
            if clock.fee_days_used is not None:
                shown.append(
                    (
                        "Clock stopped for the fee",
                        f"{clock.fee_days_used} working day(s) used, "
                        f"{clock.fee_days_left} left when the fee arrives",
                    )
                )
                shown.append(
                    (
                        "Lapses if unpaid on",
                        f"{clock.fee_lapses_on:%a %d %b %Y} (three months after the notice)",
                    )
                )
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
            "eir_reconsideration": "EIR reconsideration: 40 working days from the "
            "representations (reg 11(4))",
        }
        starts = {
            "review_window": "Response sent (day 0)",
            "internal_review": "Internal review requested (day 0)",
            "eir_reconsideration": "Reconsideration requested (day 0)",
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
        user = getattr(obj, "viewer", None)
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
                # Another body's request (or one the viewer may not open): which body, never
                # its reference or title.
                rows.append(
                    format_html("<div>{}: a request of {}</div>", kind, other.organisation)
                )
        return format_html_join("", "{}", ((r,) for r in rows)) or "None"

    @admin.display(description="requester")
    def requester_details(self, obj):
        user = getattr(obj, "viewer", None)
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

    @admin.display(description="allocation")
    def allocation(self, obj):
        """Receipt to allocation, in working days as the clock counts them (slow allocation
        is what makes requests late) and in hours."""
        received = selectors.date_of_receipt(obj.received_at)
        delay = services.allocation_delay(obj)
        if delay is None:
            waiting = calendar.working_days_between(
                received, selectors.local_today(), calendar=selectors.working_day_calendar()
            )
            return f"Not yet allocated: {waiting} working day(s) since receipt"
        allocated = timezone.localtime(obj.allocated_at)
        days = calendar.working_days_between(
            received, allocated.date(), calendar=selectors.working_day_calendar()
        )
        hours = delay.total_seconds() / 3600
        return (
            f"Allocated {allocated:%a %d %b %Y %H:%M}, {days} working day(s) after receipt "
            f"({hours:.1f} hours)"
        )

    @admin.display(description="audit history")
    def history(self, obj):
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

    def get_urls(self):
        return [
            path(
                "my-work/",
                self.admin_site.admin_view(self.my_work_view),
                name="foiregister_request_my_work",
            ),
            path(
                "reassign/",
                self.admin_site.admin_view(self.reassign_view),
                name="foiregister_request_reassign",
            ),
            path(
                "contribution/<int:contribution_id>/email/",
                self.admin_site.admin_view(self.contribution_email_view),
                name="foiregister_request_contribution_email",
            ),
            path(
                "contribution/<int:contribution_id>/accept/",
                self.admin_site.admin_view(self.contribution_accept_view),
                name="foiregister_request_contribution_accept",
            ),
            path(
                "<path:object_id>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name="foiregister_request_duplicate",
            ),
            path(
                "<path:object_id>/reviewer/",
                self.admin_site.admin_view(self.reviewer_view),
                name="foiregister_request_reviewer",
            ),
            path(
                "<path:object_id>/split-questions/",
                self.admin_site.admin_view(self.split_questions_view),
                name="foiregister_request_split_questions",
            ),
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

    def _service_form_page(
        self,
        request,
        obj,
        form,
        *,
        act,
        done: str,
        title: str,
        template: str = "admin/foiregister/request/form_page.html",
    ):
        """A small admin page whose form calls one service: the service's error lands on
        the field it names, and nothing is saved unless the service succeeds."""
        if request.method == "POST" and form.is_valid():
            try:
                act(form.cleaned_data)
            except FoiRegisterError as exc:
                service_error_to_form(form, exc)
            else:
                messages.success(request, done)
                return redirect("admin:foiregister_request_change", obj.pk)
        return TemplateResponse(
            request,
            template,
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
        reviewers = access.colleagues_of(
            request.user, roles=access.CASEWORK_ROLES, organisation=obj.organisation
        ).exclude(pk__in=list(services.response_people(obj)))
        return self._service_form_page(
            request,
            obj,
            RecordEventForm(request.POST or None, reviewers=reviewers),
            act=lambda data: services.record_timeline_event(request=obj, by=request.user, **data),
            done="Event recorded; due dates recomputed.",
            title=f"Record an event on {obj.reference}",
            template="admin/foiregister/request/event_form.html",
        )

    # -- the officer's day (views in ``mywork``) ------------------------------------------

    def my_work_view(self, request):
        return mywork.my_work_view(self, request)

    def reassign_view(self, request):
        return mywork.reassign_view(self, request)

    def duplicate_view(self, request, object_id):
        return mywork.duplicate_view(self, request, self._get_for_change(request, object_id))

    def reviewer_view(self, request, object_id):
        return mywork.reviewer_view(self, request, self._get_for_change(request, object_id))

    def _contribution(self, request, contribution_id):
        contribution = get_object_or_404(
            Contribution.objects.filter(request__in=self.get_queryset(request)),
            pk=contribution_id,
        )
        self._get_for_change(request, contribution.request_id)
        return contribution

    def contribution_email_view(self, request, contribution_id):
        contribution = self._contribution(request, contribution_id)
        return mywork.contribution_confirm_view(
            self,
            request,
            contribution,
            act=lambda: services.email_contribution(
                contribution=contribution,
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            ),
            title=f"Email {contribution.department} its questions",
            submit="Send the email",
            done=f"{contribution.department} emailed its questions with a link.",
        )

    def contribution_accept_view(self, request, contribution_id):
        contribution = self._contribution(request, contribution_id)
        return mywork.contribution_confirm_view(
            self,
            request,
            contribution,
            act=lambda: services.accept_contribution(contribution=contribution, by=request.user),
            title=f"Accept {contribution.department}'s answer into the response",
            submit="Accept into the response",
            done=f"{contribution.department}'s answer is in the response.",
        )

    def split_questions_view(self, request, object_id):
        return mywork.split_questions_view(self, request, self._get_for_change(request, object_id))

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
                    self.save_answer(
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
