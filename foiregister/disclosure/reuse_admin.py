"""The officers' screens extended with earlier answers: the response workspace offers, beside
each question, the organisation's own earlier answers and other organisations' published
ones ("Use this earlier answer"), and the FOI mailbox screen lists other organisations'
published responses to the same questions, with "Group ... as one round robin".

The letters app's request page and the intake's mailbox screen cannot see the publication
rule or each other (they are sibling layers below this one), so this layer extends them, as
the letters app extends the request register's page (docs/adr/0001-layers.md). Thin: reads
through ``reuse``; the writes are ``letters.services.take_earlier_answer`` and
``services.group_with_published_response``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from foiregister.intake import selectors as intake_selectors
from foiregister.intake.admin import InboundMessageAdmin
from foiregister.intake.models import InboundMessage
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.letters import services as letter_services
from foiregister.letters.admin import RequestWithLettersAdmin
from foiregister.requests import selectors as register_selectors
from foiregister.requests.models import Request

from . import reuse, selectors, services


class RequestWithReuseAdmin(RequestWithLettersAdmin):
    """The request page and its workspace, with earlier answers to take."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:request_id>/workspace/q<int:number>/earlier/",
                wrap(self.take_earlier_answer_view),
                name="disclosure_take_earlier_answer",
            )
        ] + super().get_urls()

    def my_work_view(self, request):
        """My work opens with what waits in the intake: a day starts from the FOI mailbox."""
        response = super().my_work_view(request)
        if isinstance(getattr(response, "context_data", None), dict):
            response.context_data["intake_waiting"] = intake_selectors.messages_waiting(
                request.user
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The request's page also leads an FOI lead to publishing it, once it may be."""
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None)
        if context and "letter_links" in context and str(object_id).isdigit():
            foi_request = (
                register_selectors.requests_visible_to(request.user)
                .select_related("organisation")
                .filter(pk=object_id)
                .first()
            )
            if foi_request is not None and selectors.may_publish_now(request.user, foi_request):
                context["letter_links"] = [
                    *context["letter_links"],
                    {
                        "url": reverse("admin:disclosure_publish", args=[foi_request.pk]),
                        "label": "Publish on the disclosure log",
                    },
                ]
        return response

    def earlier_answers(self, request, foi_request) -> dict[int, list]:
        found = reuse.earlier_answers_for(
            foi_request,
            today=register_selectors.local_today(),
            visible=register_selectors.requests_visible_to(request.user),
        )
        for number, answers in found.items():
            for answer in answers:
                answer.take_url = reverse(
                    "admin:disclosure_take_earlier_answer", args=[foi_request.pk, number]
                )
        return found

    def take_earlier_answer_view(self, request, request_id: int, number: int):
        if request.method != "POST":
            return redirect("admin:letters_workspace", request_id)
        visible = register_selectors.requests_visible_to(request.user)
        foi_request = get_object_or_404(visible.select_related("organisation"), pk=request_id)
        question = get_object_or_404(foi_request.questions, number=number)
        back = reverse("admin:letters_workspace", args=[foi_request.pk]) + f"#q{number}"
        found = reuse.resolve_source(
            request.POST.get("source", ""), foi_request=foi_request, visible=visible
        )
        if found is None:
            messages.error(request, "That earlier answer is not available to you.")
            return redirect(back)
        answer, label, own = found
        try:
            notes = letter_services.take_earlier_answer(
                question=question,
                earlier=answer,
                source=label,
                own_organisation=own,
                by=request.user,
                today=register_selectors.local_today(),
            )
        except FoiRegisterError as exc:
            messages.error(request, f"Question {number}: {exc.message}")
        else:
            messages.success(
                request,
                f"Question {number} now has the answer of {label}; its live blocks show your "
                "organisation's figures from today's registers.",
            )
            for note in notes:
                # What was moved, dropped or left to check (a date in the text): read it
                # before the letter goes for approval.
                messages.warning(request, f"Question {number}: {note}")
        return redirect(back)


class InboundMessageWithPublishedAdmin(InboundMessageAdmin):
    """The FOI mailbox screen, with other organisations' published responses."""

    def published_elsewhere(self, *, message, questions: list[str]) -> list:
        return reuse.published_responses_like(
            questions=questions, organisation=message.organisation
        )

    def review_view(self, request, pk):
        if request.method == "POST" and "group_published" in request.POST:
            message = get_object_or_404(self.get_queryset(request), pk=pk)
            if message.request_id is None:
                messages.error(request, "Log the request first.")
            else:
                try:
                    services.group_with_published_response(
                        request=message.request,
                        public_id=request.POST.get("public_id", ""),
                        by=request.user,
                    )
                except FoiRegisterError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        "Grouped with the other organisation's published response as one "
                        "round robin.",
                    )
            return redirect("admin:intake_inboundmessage_review", pk)
        return super().review_view(request, pk)


admin.site.unregister(Request)
admin.site.register(Request, RequestWithReuseAdmin)
admin.site.unregister(InboundMessage)
admin.site.register(InboundMessage, InboundMessageWithPublishedAdmin)
