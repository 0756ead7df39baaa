"""The department contact's page, reached by the signed link in its email: only the
questions asked of the department, answered there. No sign-in; nothing about the requester
(see ``services.contribution_links``)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from foiregister.kernel.exceptions import FoiRegisterError

from . import services


@never_cache
@csrf_protect
def contribute(request, token: str):
    try:
        contribution = services.contribution_for_token(token)
    except services.LinkRefused as exc:
        # Expired or replaced: gone (410). Forged or unknown: not found, like any bad URL.
        status = 404 if exc.message == services.INVALID_LINK else 410
        return render(request, "contribute/refused.html", {"reason": exc.message}, status=status)
    questions = list(contribution.questions.order_by("number"))
    answers = {q.number: request.POST.get(f"q{q.number}", "") for q in questions}
    error = ""
    error_field = ""
    if request.method == "POST" and contribution.status == contribution.Status.ASKED:
        try:
            services.answer_contribution(token=token, answers=answers)
        except FoiRegisterError as exc:
            error, error_field = exc.message, exc.field or ""
        else:
            return render(request, "contribute/thanks.html", {"contribution": contribution})
    return render(
        request,
        "contribute/form.html",
        {
            "contribution": contribution,
            "rows": [
                {
                    "question": q,
                    "answer": answers[q.number]
                    or (contribution.answers or {}).get(str(q.number), ""),
                    "error": error if error_field == f"q{q.number}" else "",
                }
                for q in questions
            ],
            "error": error,
            "answered": contribution.status != contribution.Status.ASKED,
        },
        status=400 if error else 200,
    )


urlpatterns = [path("<str:token>/", contribute, name="contribute")]
