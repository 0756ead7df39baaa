"""The officer's day on the staff site: the My work page, a lead's reassignment, marking a
duplicate, naming the internal reviewer and splitting questions out of the request's text.

Thin views: reads through ``selectors`` (scoped by the access gate), writes through
``services``; a service's refusal lands on the field it names.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from foiregister.kernel import access
from foiregister.kernel.admin import service_error_to_form
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.roles import FOI_LEAD
from foiregister.requests import selectors, services
from foiregister.requests.models import Request, TimeEntry


def _page(model_admin, request, template: str, context: dict):
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            **context,
        },
    )


def my_work_view(model_admin, request):
    """Where FOI staff land after signing in (``StaffAdminSite``), and the header's "My
    work": the user's own cases by days left, this week's, reviews, late departments; for a
    lead the approvals and the team's load. Others have no casework: the admin index."""
    if not access.has_any_role(request.user, access.CASEWORK_ROLES):
        return redirect("admin:index")
    today = selectors.local_today()
    cal = selectors.working_day_calendar()
    work = selectors.my_work(request.user, today=today)

    def rows(requests):
        out = []
        for r in requests:
            days = selectors.working_days_left(r, today=today, cal=cal)
            out.append(
                {
                    "request": r,
                    "days": days,
                    "late": days is not None and days < 0,
                    "state": selectors.deadline_state(days, is_open=r.is_open),
                }
            )
        return out

    return _page(
        model_admin,
        request,
        "admin/foiregister/request/my_work.html",
        {
            "title": "My work",
            "today": today,
            "work": work,
            "open_rows": rows(work.open_requests),
            "week_rows": rows(work.due_this_week),
            "approval_rows": rows(work.awaiting_approval),
            "is_lead": work.is_lead,
        },
    )


# -- reassignment (leads) ------------------------------------------------------------------


class ReassignForm(forms.Form):
    from_user = forms.ModelChoiceField(label="Move the open requests of", queryset=None)
    to_user = forms.ModelChoiceField(label="To", queryset=None)
    note = forms.CharField(label="Reason (kept in the history)", required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = people
        self.fields["to_user"].queryset = people


def reassign_view(model_admin, request):
    if not (request.user.is_superuser or access.has_any_role(request.user, (FOI_LEAD,))):
        raise PermissionDenied
    people = access.colleagues_of(request.user, roles=access.CASEWORK_ROLES)
    initial = {}
    if request.GET.get("from"):
        initial["from_user"] = people.filter(pk=request.GET["from"]).first()
    form = ReassignForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.reassign_open_work(
                from_user=form.cleaned_data["from_user"],
                to_user=form.cleaned_data["to_user"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except FoiRegisterError as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(
                request,
                f"{len(moved)} open request(s) moved to {form.cleaned_data['to_user']}: "
                + ", ".join(r.reference for r in moved),
            )
            return redirect("admin:foiregister_request_my_work")
    return _page(
        model_admin,
        request,
        "admin/foiregister/request/simple_form.html",
        {"title": "Reassign an officer's open work", "form": form, "submit": "Reassign"},
    )


# -- duplicates ----------------------------------------------------------------------------


class DuplicateForm(forms.Form):
    duplicate_of = forms.ModelChoiceField(
        label="This request repeats", queryset=None, help_text="The request that is kept."
    )
    note = forms.CharField(label="Note (kept in the history)", required=False)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate_of"].queryset = candidates


def duplicate_view(model_admin, request, obj: Request):
    candidates = (
        selectors.requests_visible_to(request.user)
        .filter(organisation=obj.organisation)
        .exclude(pk=obj.pk)
        .exclude(status=Request.Status.DUPLICATE)
        .order_by("-received_at")
    )
    form = DuplicateForm(request.POST or None, candidates=candidates)
    return model_admin._service_form_page(
        request,
        obj,
        form,
        act=lambda data: services.mark_duplicate(
            request=obj, of=data["duplicate_of"], by=request.user, note=data["note"]
        ),
        done=f"{obj.reference} closed as a duplicate; it is kept, linked and in the history.",
        title=f"Mark {obj.reference} as a duplicate",
    )


# -- the internal reviewer -----------------------------------------------------------------


class ReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label="Reviewer", queryset=None)

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


def reviewer_view(model_admin, request, obj: Request):
    """Offered: casework colleagues of the request's organisation. Those who took part in
    the original response are listed too, so that choosing one gets the reason it is
    refused rather than a silent gap."""
    reviewers = access.colleagues_of(
        request.user, roles=access.CASEWORK_ROLES, organisation=obj.organisation
    )
    form = ReviewerForm(request.POST or None, reviewers=reviewers)
    return model_admin._service_form_page(
        request,
        obj,
        form,
        act=lambda data: services.assign_reviewer(
            request=obj, reviewer=data["reviewer"], by=request.user
        ),
        done="Internal reviewer named.",
        title=f"Name the internal reviewer of {obj.reference}",
    )


# -- questions split out of the text -------------------------------------------------------


def split_questions_view(model_admin, request, obj: Request):
    """Propose the numbered or bulleted items of the request's text as questions; the
    officer ticks those to add (all by default) and confirms."""
    proposed = services.questions_in_text(obj.body)
    existing = set(obj.questions.values_list("text", flat=True))
    error = ""
    if request.method == "POST":
        chosen = [
            proposed[int(i)]
            for i in request.POST.getlist("question")
            if i.isdigit() and int(i) < len(proposed)
        ]
        try:
            added = services.add_questions_from_text(request=obj, texts=chosen, by=request.user)
        except FoiRegisterError as exc:
            error = exc.message
        else:
            messages.success(request, f"{len(added)} question(s) added and numbered.")
            return redirect("admin:foiregister_request_change", obj.pk)
    return _page(
        model_admin,
        request,
        "admin/foiregister/request/split_questions.html",
        {
            "title": f"Split the questions out of {obj.reference}",
            "original": obj,
            "proposed": [(i, text, text in existing) for i, text in enumerate(proposed)],
            "error": error,
        },
    )


# -- pieces of the request page ------------------------------------------------------------


def casework_links(object_id) -> list[dict[str, str]]:
    request = Request.objects.filter(pk=object_id).only("status", "review_due_on").first()
    if request is None:
        return []
    links = []
    if request.is_open:
        links.append(
            {
                "url": reverse("admin:foiregister_request_split_questions", args=[object_id]),
                "label": "Split questions out of the text",
            }
        )
        links.append(
            {
                "url": reverse("admin:foiregister_request_duplicate", args=[object_id]),
                "label": "Mark as duplicate",
            }
        )
    if selectors.review_state(request) == "in_progress":
        links.append(
            {
                "url": reverse("admin:foiregister_request_reviewer", args=[object_id]),
                "label": "Name the internal reviewer",
            }
        )
    return links


def time_summary(object_id) -> dict:
    """Time entries as readable lines and the s.12 total against the appropriate limit
    (18 hours, GBP 450 at GBP 25 an hour for ICBs and Trusts: Fees Regulations 2004)."""
    request = Request.objects.filter(pk=object_id).first()
    if request is None:
        return {}
    entries = list(
        TimeEntry.objects.filter(request=request).select_related("person").order_by("worked_on")
    )
    limit = Decimal(settings.FOI_S12_APPROPRIATE_LIMIT_HOURS)
    counted = selectors.s12_hours(request)
    total = sum((e.hours for e in entries), Decimal("0"))
    rate = Decimal("25")
    return {
        "entries": entries,
        "total": total,
        "s12": counted,
        "limit": limit,
        "s12_cost": counted * rate,
        "limit_cost": limit * rate,
        "left": max(limit - counted, Decimal("0")),
        "over": counted > limit,
    }


# -- contributions -------------------------------------------------------------------------


def contribution_confirm_view(model_admin, request, contribution, *, act, title, submit, done):
    """Show what will be sent or accepted, and do it on confirmation."""
    error = ""
    if request.method == "POST":
        try:
            act()
        except FoiRegisterError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("admin:foiregister_request_change", contribution.request_id)
    return _page(
        model_admin,
        request,
        "admin/foiregister/request/contribution_confirm.html",
        {
            "title": title,
            "original": contribution.request,
            "contribution": contribution,
            "questions": contribution.questions.order_by("number"),
            "submit": submit,
            "error": error,
        },
    )
