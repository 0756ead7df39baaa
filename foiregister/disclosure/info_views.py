"""The pages a public-sector site owes its readers: how to make a request of each
organisation, the accessibility statement, the privacy notice and what the feed is."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors


@require_safe
def organisations(request):
    return render(
        request,
        "disclosure/organisations.html",
        {"organisations": selectors.public_organisations()},
    )


@require_safe
def organisation(request, ods_code: str):
    found = selectors.public_organisations().filter(ods_code=ods_code).first()
    if found is None:
        raise Http404("No such organisation.")
    return render(
        request,
        "disclosure/organisation.html",
        {
            "organisation": found,
            "address_lines": [
                line.strip().rstrip(",") for line in found.address.splitlines() if line.strip()
            ],
        },
    )


@require_safe
def accessibility(request):
    return render(request, "disclosure/accessibility.html")


@require_safe
def privacy(request):
    return render(request, "disclosure/privacy.html")


@require_safe
def feeds(request):
    return render(request, "disclosure/feeds.html")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: the NHS.UK frontend's icon."""
    path = finders.find("nhsuk/assets/favicons/favicon.ico")
    if path is None:
        raise Http404("No favicon.")
    with open(path, "rb") as icon:
        response = HttpResponse(icon.read(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
