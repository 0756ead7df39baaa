"""The rows edited on the request page: questions, contributions, time, links, events."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from foiregister.kernel import access
from foiregister.kernel.admin import (
    NoDeleteMixin,
    ScopedStackedInline,
    ScopedTabularInline,
)
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.requests import selectors, services
from foiregister.requests.models import (
    Contribution,
    Department,
    Question,
    RequestEvent,
    RequestLink,
    TimeEntry,
)

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


class QuestionInline(NoDeleteMixin, ScopedStackedInline):
    organisation_path = "request__organisation"
    scope_roles = access.CASEWORK_ROLES
    model = Question
    form = QuestionForm
    extra = 0
    filter_horizontal = ["exemptions"]


class EventInline(NoDeleteMixin, ScopedTabularInline):
    """Read-only here: events are recorded through "Record an event", which checks them."""

    organisation_path = "request__organisation"
    scope_roles = access.CASEWORK_ROLES

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


class ContributionInline(NoDeleteMixin, ScopedTabularInline):
    organisation_path = "request__organisation"
    scope_roles = access.CASEWORK_ROLES
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
        "department_link",
    ]
    readonly_fields = ["late", "department_link"]

    @admin.display(description="department's page")
    def department_link(self, obj):
        """Email the department its questions with a signed link; accept its answer."""
        from django.urls import reverse

        if not obj.pk:
            return ""
        if obj.status == Contribution.Status.ASKED:
            url = reverse("admin:foiregister_request_contribution_email", args=[obj.pk])
            sent = f"sent {obj.emailed_at:%d %b %Y}; " if obj.emailed_at else ""
            return format_html(
                '{}<a href="{}">{}</a>',
                sent,
                url,
                "Send again" if obj.emailed_at else "Email the questions",
            )
        if obj.accepted_at:
            return f"In the response ({obj.accepted_at:%d %b %Y})"
        url = reverse("admin:foiregister_request_contribution_accept", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, "Accept into the response")

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


class TimeEntryInline(NoDeleteMixin, ScopedTabularInline):
    """Time is logged, not edited: a row once saved is read-only (log a correction)."""

    organisation_path = "request__organisation"
    scope_roles = access.CASEWORK_ROLES
    model = TimeEntry
    extra = 0
    fields = ["person", "worked_on", "activity", "hours"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            kwargs.setdefault("initial", request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        """Time is spent by someone who may work on the request: an FOI officer or lead
        of its own organisation."""
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["person"].queryset = access.colleagues_of(
                request.user, roles=access.CASEWORK_ROLES, organisation=obj.organisation
            )
        return formset


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


class LinkInline(NoDeleteMixin, ScopedTabularInline):
    """Links are added here and shown on both requests; a saved link is read-only."""

    organisation_path = "from_request__organisation"
    scope_roles = access.CASEWORK_ROLES

    model = RequestLink
    formset = LinkFormSet
    fk_name = "from_request"
    extra = 0
    verbose_name = "linked request"
    autocomplete_fields = ["to_request"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        """Saved links to requests the viewer may open; the others are listed, without
        their reference or title, by the request page's "links" field."""
        visible = selectors.requests_visible_to(request.user)
        return super().get_queryset(request).filter(to_request__in=visible)
