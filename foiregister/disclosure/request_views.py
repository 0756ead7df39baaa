"""The public request form (per organisation, off unless its administrator turns it on).

Privacy, as for every requester detail (README, "Requests from the public request form"):

- the form's body is never logged: every view here is ``sensitive_post_parameters`` and
  ``sensitive_variables`` (no error report prints it; Django's debug page, DEBUG on, never
  in production, shows everything), and an error while receiving a request is
  re-raised as ``RequestFormFailed`` naming only the exception's type, so no message that
  quotes a value (a database error's DETAIL line, say) reaches the log;
- nothing about the requester is put in a URL: the form and the suggestions are POSTed,
  and the confirmation page is reached by a signed token that holds only the organisation,
  the time it was received and whether a receipt is being emailed (by a Celery task
  given the intake message's id only, ``tasks.send_request_receipt``);
- the public pages load no analytics; the confirmation page repeats nothing the requester
  typed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from foiregister.intake import services as intake_services
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.ratelimit import over_limit
from foiregister.requests import selectors as register_selectors

from . import selectors, tasks
from .request_forms import PublicRequestForm, SuggestionsForm

CONFIRMATION_SALT = "disclosure.request-form.sent"
CONFIRMATION_MAX_AGE = 24 * 3600


class RequestFormFailed(Exception):
    """A request could not be received; the cause is named by its type only."""


def _organisation_or_404(ods_code: str):
    organisation = selectors.request_form_organisation(ods_code)
    if organisation is None:
        raise Http404("This organisation does not take requests through this site.")
    return organisation


def _render_form(request, organisation, form, *, suggestions=None, checked=False, status=200):
    response = render(
        request,
        "disclosure/request_form.html",
        {
            "organisation": organisation,
            "form": form,
            "errors": form.error_list() if form.is_bound and not checked else [],
            "suggestions": suggestions or [],
            "checked": checked,
        },
        status=status,
    )
    # What the requester typed may be in this page (errors, "check for answers"): no cache
    # may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@sensitive_variables()
def _receive(form, organisation) -> tuple[bool, datetime.datetime]:
    """Receive the request into intake, then queue the receipt email (a Celery task given
    the message's id only, sent after this page has answered) if mail is set up;
    (a receipt is on its way, received at)."""
    data = form.cleaned_data
    try:
        message = intake_services.receive_web_request(
            organisation=organisation,
            name=data["name"],
            email=data["email"],
            postal_address=data["address"],
            text=data["text"],
        )
    except FoiRegisterError:
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised without its message, see module
        raise RequestFormFailed(
            f"a request to {organisation.ods_code} could not be received ({type(exc).__name__})"
        ) from None
    receipt = intake_services.receipt_will_be_sent(message)
    if receipt:
        message_id = message.pk
        transaction.on_commit(lambda: tasks.send_request_receipt.delay(message_id))
    return receipt, message.received_at


@sensitive_post_parameters()
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_variables()
def request_form(request, ods_code: str):
    organisation = _organisation_or_404(ods_code)
    if request.method != "POST":
        return _render_form(request, organisation, PublicRequestForm())
    if "check" in request.POST:
        # Without JavaScript: the same page again, what was typed kept (not yet checked
        # for errors: nothing was sent), with the responses that may answer.
        typed = PublicRequestForm(
            initial={
                name: request.POST.get(name, "") for name in ("name", "email", "address", "text")
            }
        )
        suggestions = selectors.responses_that_may_answer(
            text=request.POST.get("text", ""), organisation=organisation
        )
        return _render_form(request, organisation, typed, suggestions=suggestions, checked=True)
    form = PublicRequestForm(request.POST)
    if form.is_spam():
        # Robots are told it worked and nothing is kept.
        acknowledged, received_at = False, timezone.now()
    elif not form.is_valid():
        return _render_form(request, organisation, form)
    else:
        # Only a request that would be kept counts: a person correcting mistakes is not
        # turned away.
        over, retry_after = over_limit(
            request, scope="public-request-form", rate=settings.PUBLIC_REQUEST_FORM_RATE
        )
        if over:
            minutes = max(1, round(retry_after / 60))
            form.add_error(
                None,
                f"Too many requests have been sent from your connection recently. Wait "
                f"{minutes} minute{'s' if minutes != 1 else ''} and send it again, or email "
                f"{organisation.foi_email or organisation.name + ' directly'}.",
            )
            response = _render_form(request, organisation, form, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        try:
            acknowledged, received_at = _receive(form, organisation)
        except FoiRegisterError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _render_form(request, organisation, form)
    token = signing.dumps(
        {"o": organisation.pk, "d": received_at.isoformat(), "a": int(acknowledged)},
        salt=CONFIRMATION_SALT,
        compress=True,
    )
    return redirect(reverse("disclosure:request_sent", args=[organisation.ods_code, token]))


@require_safe
def request_sent(request, ods_code: str, token: str):
    """Post/redirect/get: the page after sending, reached by a signed token (no reference,
    no requester data), so a reload sends nothing twice."""
    organisation = _organisation_or_404(ods_code)
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
        received_at = datetime.datetime.fromisoformat(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such page.") from None
    if data.get("o") != organisation.pk:
        raise Http404("No such page.")
    response = render(
        request,
        "disclosure/request_sent.html",
        {
            "organisation": organisation,
            "received_on": register_selectors.date_of_receipt(received_at),
            "reply_by": selectors.reply_due_by(received_at),
            "acknowledged": bool(data.get("a")),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@sensitive_post_parameters()
@csrf_protect
@sensitive_variables()
def request_suggestions(request, ods_code: str):
    """The published responses that may answer the text typed so far, as an HTML fragment
    for the form's script (the text comes in the POST body, never the URL). Not found
    where the form is off, whatever the method; POST only where it is on."""
    organisation = _organisation_or_404(ods_code)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    over, retry_after = over_limit(
        request, scope="public-request-suggestions", rate=settings.PUBLIC_SUGGESTIONS_RATE
    )
    if over:
        response = render(request, "disclosure/_suggestions.html", {"busy": True}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    form = SuggestionsForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    suggestions = selectors.responses_that_may_answer(text=text, organisation=organisation)
    response = render(
        request,
        "disclosure/_suggestions.html",
        {"suggestions": suggestions, "organisation": organisation, "checked": False},
    )
    response["Cache-Control"] = "private, no-store"
    return response
