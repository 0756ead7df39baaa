"""Letter screens: draft, preview with live figures, approve, issue, download, batch
progress. Thin: every write calls ``services``; reads go through ``selectors``."""

from __future__ import annotations

from csp import constants as csp_constants
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from foiregister.kernel import access
from foiregister.kernel.admin import ReadOnlyMixin, ScopedModelAdmin
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.roles import FOI_LEAD, user_has_role
from foiregister.letters.board_report import BoardReportAdminMixin
from foiregister.requests import selectors as register_selectors
from foiregister.requests.admin.requests import RequestAdmin
from foiregister.requests.models import Request

from . import context, retention, selectors, services, tasks, workspace
from .context import render_context
from .forms import AnswerBlockForm, BatchIssueForm, LetterForm
from .models import (
    AnswerBlock,
    AnswerWording,
    BatchIssue,
    Letter,
    LetterDocument,
    RequestDueForErasure,
)
from .render import render_letter_html


def _error(request, exc: FoiRegisterError) -> None:
    messages.error(request, exc.message)


class ServiceErrorsAsMessagesMixin:
    """A service's refusal on the add/change form becomes an error message and a redirect
    back to the form, not a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except FoiRegisterError as exc:
            _error(request, exc)
            return redirect(request.path)


@admin.register(Letter)
class LetterAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    organisation_path = "request__organisation"
    scope_roles = access.CASEWORK_ROLES
    form = LetterForm
    list_display = ("request", "kind", "status", "approved_by", "issued_on")
    list_filter = ("kind", "status")
    search_fields = ("request__reference",)
    # Searched through the request and letter admins' own (scoped) querysets: a raw-id
    # widget printed the label of any request id it was given.
    autocomplete_fields = ("request", "corrects")
    change_form_template = "letters/admin/letter_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("request")

    def has_delete_permission(self, request, obj=None):
        return False  # drafts are left as they are; issued letters are records

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("status",)
        fields = ("request", "kind", "corrects", "status", "approved_by", "approved_at")
        if obj.is_issued:
            return fields + (
                "body",
                "fee_amount",
                "pit_estimate_on",
                "review_decision",
                "issued_on",
                "issued_by",
                "content_hash",
                "documents_list",
            )
        return fields

    @admin.display(description="documents")
    def documents_list(self, obj):
        links = [
            format_html(
                "{} ({}, SHA-256 {}): erased on {:%d %b %Y} at the end of the retention period",
                d.filename,
                d.get_variant_display(),
                d.sha256,
                d.erased_on,
            )
            if d.erased_on
            else format_html(
                '<a href="{}">{}</a> ({}, SHA-256 {})',
                reverse("admin:letters_letter_pdf", args=[obj.pk, d.variant]),
                d.filename,
                d.get_variant_display(),
                d.sha256,
            )
            for d in obj.documents.defer("data")
        ]
        return format_html("<br>".join(["{}"] * len(links)), *links) if links else "-"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {k: data.get(k) for k in services.LETTER_FIELDS if k in data}
        fields["body"] = fields.get("body") or ""
        fields["review_decision"] = fields.get("review_decision") or ""
        if change:
            services.update_letter(letter=obj, by=request.user, **fields)
        else:
            letter = services.draft_letter(
                request=data["request"],
                kind=data["kind"],
                corrects=data.get("corrects"),
                by=request.user,
                **fields,
            )
            obj.pk = letter.pk
            obj.refresh_from_db()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            letter = self.get_object(request, object_id)
            if letter is not None and letter.status in Letter.OPEN_STATUSES:
                extra_context["draft"] = context.draft_state(letter)
            extra_context["can_approve"] = request.user.has_perm(services.APPROVE_PERMISSION)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "draft/<int:request_id>/<str:kind>/",
                view(self.draft_view),
                name="letters_letter_draft",
            ),
            path("<int:pk>/preview/", view(self.preview_view), name="letters_letter_preview"),
            path(
                "<int:pk>/review-blocks/",
                view(self.review_view),
                name="letters_letter_review_blocks",
            ),
            path("<int:pk>/approve/", view(self.approve_view), name="letters_letter_approve"),
            path("<int:pk>/issue/", view(self.issue_view), name="letters_letter_issue"),
            path("<int:pk>/pdf/<str:variant>/", view(self.pdf_view), name="letters_letter_pdf"),
        ] + super().get_urls()

    def _letter(self, request, pk) -> Letter:
        return get_object_or_404(selectors.letters_visible_to(request.user), pk=pk)

    def _post_only(self, request):
        if request.method != "POST":
            raise PermissionDenied("use the buttons on the letter page")
        if not self.has_change_permission(request):
            raise PermissionDenied

    def draft_view(self, request, request_id, kind):
        """Start a letter of ``kind`` for a request (the links on the request page), or with
        ``?corrects=<letter>`` a correction of an issued letter (the link on its page)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        foi_request = get_object_or_404(
            register_selectors.requests_visible_to(request.user), pk=request_id
        )
        corrects = None
        if request.GET.get("corrects"):
            corrects = get_object_or_404(
                selectors.letters_visible_to(request.user), pk=request.GET["corrects"]
            )
        try:
            letter, created = services.open_draft(
                request=foi_request, kind=kind, corrects=corrects, by=request.user
            )
        except FoiRegisterError as exc:
            _error(request, exc)
            return redirect("admin:foiregister_request_change", foi_request.pk)
        if not created:
            messages.info(request, "This request already has this letter in draft: here it is.")
        return redirect("admin:letters_letter_change", letter.pk)

    def preview_view(self, request, pk):
        """The letter as HTML: the frozen content once issued, the live draft before."""
        letter = self._letter(request, pk)
        if letter.is_issued:
            content, day = letter.content, letter.issued_on
        else:
            content, day = context.draft_state(letter).content, register_selectors.local_today()
        html = render_letter_html(render_context(content=content, letter_date=day, addressee=None))
        response = HttpResponse(html)
        # Shown in a frame on the letter's own page, where the lead approves it: this site
        # alone may frame it, and its stylesheet is inline (the same HTML WeasyPrint renders,
        # whose only content is our template with every value escaped).
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_replace = {
            "frame-ancestors": [csp_constants.SELF],
            "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],
        }
        return response

    def review_view(self, request, pk):
        self._post_only(request)
        letter = self._letter(request, pk)
        try:
            count = services.review_letter_blocks(letter=letter, by=request.user)
            messages.success(request, f"{count} live blocks reviewed at their current values.")
        except FoiRegisterError as exc:
            _error(request, exc)
        return redirect("admin:letters_letter_change", letter.pk)

    def approve_view(self, request, pk):
        self._post_only(request)
        if not request.user.has_perm(services.APPROVE_PERMISSION):
            raise PermissionDenied
        letter = self._letter(request, pk)
        try:
            services.approve_letter(
                letter=letter, by=request.user, seen_hash=request.POST.get("content_hash", "")
            )
            messages.success(request, "Approved exactly as shown.")
        except FoiRegisterError as exc:
            _error(request, exc)
        return redirect("admin:letters_letter_change", letter.pk)

    def issue_view(self, request, pk):
        self._post_only(request)
        letter = self._letter(request, pk)
        try:
            with transaction.atomic():
                letter = services.issue_letter(letter=letter, by=request.user)
                tasks.queue_email(letter)
            messages.success(request, "Issued; the requester's copy is being emailed.")
        except FoiRegisterError as exc:
            _error(request, exc)
        return redirect("admin:letters_letter_change", letter.pk)

    def pdf_view(self, request, pk, variant):
        letter = self._letter(request, pk)
        document = get_object_or_404(
            LetterDocument, letter=letter, variant=variant, erased_on__isnull=True
        )
        response = HttpResponse(bytes(document.data), content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        return response


@admin.register(AnswerBlock)
class AnswerBlockAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    organisation_path = "question__request__organisation"
    scope_roles = access.CASEWORK_ROLES
    form = AnswerBlockForm
    list_display = ("question", "block_type", "position", "reviewed_at", "state")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question__request__organisation")

    def has_add_permission(self, request):
        return False  # added on the request's workspace, from a menu, by question number

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Changed on the workspace: a form of ordinary fields, not JSON."""
        block = self.get_object(request, object_id)
        if block is None:
            return super().change_view(request, object_id, form_url, extra_context)
        return redirect(
            "admin:letters_workspace_block",
            block.question.request_id,
            block.question.number,
            block.position,
        )

    @admin.display(description="live data")
    def state(self, obj):
        s = selectors.block_state(obj)
        if s.error:
            return f"unavailable: {s.error}"
        if s.changed:
            return "CHANGED since review"
        return "reviewed" if s.reviewed else "not yet reviewed"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.change_block(block=obj, params=data["params"], by=request.user)
        else:
            block = services.add_block(
                question=data["question"],
                block_type=data["block_type"],
                params=data["params"],
                position=data.get("position"),
                by=request.user,
            )
            obj.pk = block.pk
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.remove_block(block=obj, by=request.user)


@admin.register(AnswerWording)
class AnswerWordingAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    organisation_path = "organisation"
    scope_roles = access.CASEWORK_ROLES
    list_display = ("organisation", "answer_kind", "updated_at")

    def save_model(self, request, obj, form, change):
        services.set_answer_wording(
            organisation=obj.organisation,
            answer_kind=obj.answer_kind,
            text=obj.text,
            by=request.user,
        )


@admin.register(BatchIssue)
class BatchIssueAdmin(ScopedModelAdmin):
    """A round robin's batch: started by an officer who works for several organisations,
    each organisation's letters approved on the batch page by that organisation's lead,
    issued by the batch run (a Celery job) with its progress on the same page."""

    organisation_path = ("source_request__organisation", "requests__organisation")
    scope_roles = access.CASEWORK_ROLES
    list_display = (
        "__str__",
        "source",
        "status",
        "done",
        "failed",
        "total",
        "created_by",
        "created_at",
    )
    readonly_fields = (
        "source_request",
        "status",
        "done",
        "failed",
        "total",
        "errors",
        "issued_on",
        "approve_own",
        "created_by",
        "finished_at",
    )
    exclude = ("requests",)
    change_form_template = "letters/admin/batch_change_form.html"

    def get_queryset(self, request):
        # Reached through the source or any request of the batch; one row per batch.
        visible = register_selectors.requests_visible_to(request.user)
        return (
            selectors.batches_visible_to(request.user)
            .select_related("source_request__organisation", "created_by")
            .annotate(source_visible=Exists(visible.filter(pk=OuterRef("source_request_id"))))
        )

    @admin.display(description="answers copied from")
    def source(self, obj):
        """The source's reference for someone who may open it; else only whose it is (a
        lead of another body in a support unit's batch)."""
        if getattr(obj, "source_visible", False):
            return obj.source_request.reference
        return f"a request of {obj.source_request.organisation}"

    def has_add_permission(self, request):
        return False  # started from the start page, which checks the questions match

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="letters_batchissue_start"),
            path(
                "<int:pk>/progress/", view(self.progress_view), name="letters_batchissue_progress"
            ),
            path("<int:pk>/rerun/", view(self.rerun_view), name="letters_batchissue_rerun"),
            path("<int:pk>/approve/", view(self.approve_view), name="letters_batchissue_approve"),
            path("<int:pk>/return/", view(self.return_view), name="letters_batchissue_return"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "start_url": reverse("admin:letters_batchissue_start"),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The batch's page is its progress page."""
        batch = self.get_object(request, object_id)
        if batch is None:
            return super().change_view(request, object_id, form_url, extra_context)
        return redirect("admin:letters_batchissue_progress", batch.pk)

    def start_view(self, request):
        if not access.has_any_role(request.user, access.CASEWORK_ROLES):
            raise PermissionDenied
        visible = register_selectors.requests_visible_to(request.user)
        source_id = request.POST.get("source_request") or request.GET.get("source") or ""
        source = visible.filter(pk=source_id).first() if source_id.isdigit() else None
        candidates = (
            selectors.round_robin_of(source, request.user)
            if source is not None
            else Request.objects.none()
        )
        may_approve = request.user.has_perm(services.APPROVE_PERMISSION)
        initial = {"source_request": source, "requests": list(candidates)}
        form = BatchIssueForm(
            request.POST or None,
            sources=visible,
            requests=candidates,
            may_approve=may_approve,
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    batch = services.start_batch_issue(
                        source_request=form.cleaned_data["source_request"],
                        requests=form.cleaned_data["requests"],
                        issued_on=form.cleaned_data["issued_on"],
                        approve_own=form.cleaned_data.get("approve_own", False),
                        by=request.user,
                    )
                    transaction.on_commit(lambda: tasks.run_batch_issue.delay(batch.pk))
            except FoiRegisterError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("admin:letters_batchissue_progress", batch.pk)
        return TemplateResponse(
            request,
            "letters/admin/batch_start.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "source": source,
                "candidates": candidates,
                **(self._source_search(request) if source is None else {}),
                "title": "Issue a round robin as a batch",
            },
        )

    def _source_search(self, request) -> dict:
        """The answered requests to choose the source from: the user's organisations' only,
        searched by reference and text, newest first, a page at a time."""
        query = request.GET.get("q", "").strip()[:200]
        found = selectors.batch_sources(request.user, query=query)
        shown = list(found[: selectors.BATCH_SOURCES_SHOWN])
        return {
            "query": query,
            "sources": shown,
            "sources_count": found.count()
            if len(shown) == selectors.BATCH_SOURCES_SHOWN
            else len(shown),
        }

    def _batch(self, request, pk) -> BatchIssue:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def rerun_view(self, request, pk):
        """Run the batch again: letters not yet drafted are drafted, approved letters not
        yet issued are issued; an issued letter is never issued twice."""
        if request.method != "POST":
            raise PermissionDenied("use the Run again button on the batch page")
        batch = self._batch(request, pk)
        BatchIssue.objects.filter(pk=batch.pk).update(status=BatchIssue.Status.PENDING)
        transaction.on_commit(lambda: tasks.run_batch_issue.delay(batch.pk))
        messages.success(request, "The batch is running again.")
        return redirect("admin:letters_batchissue_progress", batch.pk)

    def approve_view(self, request, pk):
        """A lead approves the letters ticked in their organisation's table; the run that
        issues them is queued once the approvals commit."""
        if request.method != "POST":
            raise PermissionDenied("use the Approve button on the batch page")
        batch = self._batch(request, pk)
        ids = [int(v) for v in request.POST.getlist("letter") if v.isdigit()]
        hashes = {i: request.POST.get(f"hash_{i}", "") for i in ids}
        if not ids:
            messages.error(request, "Tick the letters to approve.")
            return redirect("admin:letters_batchissue_progress", batch.pk)
        try:
            approved, refused = services.approve_batch_letters(
                batch=batch, by=request.user, letters=ids, seen_hashes=hashes
            )
        except FoiRegisterError as exc:
            _error(request, exc)
            return redirect("admin:letters_batchissue_progress", batch.pk)
        for message in refused:
            messages.error(request, message)
        if approved:
            BatchIssue.objects.filter(pk=batch.pk).update(status=BatchIssue.Status.PENDING)
            transaction.on_commit(lambda: tasks.run_batch_issue.delay(batch.pk))
            bodies = sorted({letter.request.organisation.name for letter in approved})
            messages.success(
                request,
                f"Approved {len(approved)} letter(s) of {', '.join(bodies)} exactly as shown; "
                "issuing them now. Another organisation's letters are approved with the button "
                "under its own table.",
            )
        return redirect("admin:letters_batchissue_progress", batch.pk)

    def return_view(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied("use the Return button on the batch page")
        batch = self._batch(request, pk)
        letter = get_object_or_404(
            selectors.letters_visible_to(request.user).filter(batch=batch),
            pk=request.POST.get("letter") if str(request.POST.get("letter", "")).isdigit() else 0,
        )
        try:
            services.return_letter(
                letter=letter, by=request.user, comment=request.POST.get("comment", "")
            )
            messages.success(
                request, f"{letter.request.reference} returned to the officer with your comment."
            )
        except FoiRegisterError as exc:
            _error(request, exc)
        return redirect("admin:letters_batchissue_progress", batch.pk)

    def progress_view(self, request, pk):
        batch = self._batch(request, pk)
        running = batch.status in (BatchIssue.Status.PENDING, BatchIssue.Status.RUNNING)
        groups = selectors.batch_progress(batch, request.user)
        for group in groups:
            if group.viewer_leads and not running:
                for row in group.awaiting:
                    # The version the lead is shown: approving checks it has not moved.
                    row.content_hash = context.draft_state(row.letter).content_hash
        source_visible = register_selectors.requests_visible_to(request.user).filter(
            pk=batch.source_request_id
        )
        return TemplateResponse(
            request,
            "letters/admin/batch_progress.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "batch": batch,
                "source_visible": source_visible.exists(),
                "running": running,
                "groups": groups,
                "percent": int(100 * batch.done / batch.total) if batch.total else 100,
                "title": f"Batch issue {batch.pk}",
            },
        )


# -- the request page, with its letters ----------------------------------------------------


class RequestWithLettersAdmin(BoardReportAdminMixin, RequestAdmin):
    """The request page as the letters app extends it: the Draft buttons, the request's
    letters, and answers saved through ``services.set_answer`` (which withdraws a lead's
    approval of a draft whose answers change). The register's own admin knows nothing of
    letters, so the dependency runs one way: letters -> requests."""

    readonly_fields = [*RequestAdmin.readonly_fields, "letters"]

    def get_urls(self):
        return workspace.urls(self) + super().get_urls()

    def my_work_view(self, request):
        """My work, with a lead's batch letters awaiting their approval beside the requests
        in approval (the register's page knows nothing of letters)."""
        response = super().my_work_view(request)
        if isinstance(response, TemplateResponse):
            response.context_data["batch_approvals"] = selectors.batch_letters_awaiting(
                request.user
            )
        return response

    def get_list_display(self, request):
        return [*super().get_list_display(request), "workspace_link"]

    @admin.display(description="response")
    def workspace_link(self, obj):
        return format_html(
            '<a href="{}">Workspace<span class="visually-hidden"> for {}</span></a>',
            reverse("admin:letters_workspace", args=[obj.pk]),
            obj.reference,
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        at = next(
            (i + 1 for i, (name, _) in enumerate(fieldsets) if name == "Deadlines"),
            len(fieldsets),
        )
        fieldsets.insert(at, ("Letters", {"fields": ["letters"]}))
        return fieldsets

    def letter_links(self, object_id) -> list[dict[str, str]]:
        return (
            [
                {
                    "url": reverse("admin:letters_workspace", args=[object_id]),
                    "label": "Response workspace",
                }
            ]
            + [
                {
                    "url": reverse("admin:letters_letter_draft", args=[object_id, kind]),
                    "label": f"Draft {label.lower()}",
                }
                for kind, label in Letter.Kind.choices
            ]
            + [
                {
                    "url": reverse("admin:letters_batchissue_start") + f"?source={object_id}",
                    "label": "Issue these answers to a round robin",
                }
            ]
        )

    def save_answer(self, *, question, by, exemption_codes, **answer) -> None:
        services.set_answer(question=question, by=by, exemption_codes=exemption_codes, **answer)

    def earlier_answers(self, request, foi_request) -> dict[int, list]:
        """Earlier answers to offer beside each question on the workspace, by question
        number. None here: finding them needs the intake's matcher and the disclosure
        log's publication rule, both outside this app, so the disclosure app's
        ``RequestWithReuseAdmin`` extends this page (docs/adr/0001-layers.md)."""
        return {}

    @admin.display(description="letters")
    def letters(self, obj):
        rows = [
            (
                reverse("admin:letters_letter_change", args=[letter.pk]),
                letter.get_kind_display(),
                letter.get_status_display(),
                f"{letter.issued_on:%d %b %Y}" if getattr(letter, "issued_on", None) else "",
            )
            for letter in selectors.letters_for_request(obj)
        ]
        if not rows:
            return "None yet: use the Draft buttons above."
        return format_html_join("", '<div><a href="{}">{}</a> ({}) {}</div>', rows)


admin.site.unregister(Request)
admin.site.register(Request, RequestWithLettersAdmin)


# Selections larger than this are erased by a Celery task, so the page answers at once.
ERASE_IN_REQUEST_LIMIT = 50


@admin.register(RequestDueForErasure)
class RequestDueForErasureAdmin(ReadOnlyMixin, ScopedModelAdmin):
    """Records management for FOI leads: the closed requests whose requester's details have
    reached the end of their organisation's retention period today, and the action that
    erases them (``retention.erase_requester``; audited, the response kept)."""

    organisation_path = "organisation"
    scope_roles = (FOI_LEAD,)
    list_display = ("reference", "title", "organisation", "status", "closed_on", "due_since")
    list_display_links = None
    search_fields = ("reference", "title")
    actions = ["erase_requesters"]

    def has_module_permission(self, request):
        return user_has_role(request.user, FOI_LEAD)

    def has_view_permission(self, request, obj=None):
        return user_has_role(request.user, FOI_LEAD)

    def get_queryset(self, request):
        return access.scoped(
            register_selectors.requests_due_for_erasure(
                today=register_selectors.local_today(),
                requests=RequestDueForErasure.objects.all(),
            ),
            request.user,
            via=self.organisation_path,
            roles=self.scope_roles,
        )

    @admin.display(description="closed", ordering="closed_on")
    def closed_on(self, obj):
        return obj.closed_on

    @admin.display(description="due since")
    def due_since(self, obj):
        return register_selectors.erasure_due_on(obj)

    @admin.action(description="Erase the requesters' personal data (cannot be undone)")
    def erase_requesters(self, request, queryset):
        today = register_selectors.local_today()
        ids = list(queryset.values_list("pk", flat=True))
        if len(ids) > ERASE_IN_REQUEST_LIMIT:
            transaction.on_commit(
                lambda: tasks.erase_requesters.delay(ids, today.isoformat(), request.user.pk)
            )
            messages.success(request, f"Erasing the requesters of {len(ids)} requests.")
            return
        erased, refused = retention.erase_due_requesters(
            today=today, by=request.user, requests=Request.objects.filter(pk__in=ids)
        )
        for message in refused:
            messages.error(request, message)
        if erased:
            messages.success(request, f"Erased {len(erased)} requester(s).")
