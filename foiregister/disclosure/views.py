"""Public disclosure-log pages: no sign-in, every read through the public gate."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from foiregister.kernel.ratelimit import rate_limited

from . import selectors
from .forms import DisclosureSearchForm
from .pagination import CappedPaginator

PAGE_SIZE = 20


def _highlight(headline: str) -> str:
    """Escape the stored text, then mark what matched."""
    return mark_safe(
        escape(headline)
        .replace(selectors.HIGHLIGHT_START, "<mark>")
        .replace(selectors.HIGHLIGHT_STOP, "</mark>")
    )


def _entry_or_404(public_id: str):
    """An unknown id, a withdrawn response and a request never published look the same."""
    entry = selectors.public_entry(public_id)
    if entry is None:
        raise Http404("No such response.")
    return entry


@require_safe
@rate_limited(scope="public-search", setting="PUBLIC_SEARCH_RATE")
def disclosure_log(request):
    form = DisclosureSearchForm(request.GET or None)
    kwargs = form.search_kwargs()
    results = selectors.search_disclosure_log(**kwargs)
    page = CappedPaginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    headlines = selectors.search_headlines(
        q=kwargs.get("q", ""), ids=[entry.pk for entry in entries]
    )
    for entry in entries:
        headline = headlines.get(entry.pk)
        entry.highlight = _highlight(headline) if headline else None
    query = request.GET.copy()
    query.pop("page", None)
    chosen = kwargs.get("organisation")
    return render(
        request,
        "disclosure/list.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "query": query.urlencode(),
            "searching": bool(form.is_bound and form.is_valid() and form.cleaned_data["q"]),
            "ranked": isinstance(results, selectors.RankedSearch),
            "filtering": any(kwargs.get(name) for name in form.FILTERS)
            or any(name in form.errors for name in form.FILTERS),
            "errors": form.error_list(),
            "ranked_among_newest": getattr(results, "ranked_among_newest", None),
            "request_form_organisation": chosen if chosen and chosen.public_request_form else None,
        },
    )


@require_safe
def response_detail(request, public_id: str):
    entry = _entry_or_404(public_id)
    pdf = selectors.public_response_pdf(entry)
    return render(
        request,
        "disclosure/detail.html",
        {
            "entry": entry,
            "pdf": pdf,
            "answers": selectors.public_answers(entry),
            "corrected_on": selectors.public_corrected_on(entry),
            "attachments": selectors.public_attachments(entry),
            "round_robin": selectors.round_robin_entries(entry),
        },
    )


def _download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def response_pdf(request, public_id: str):
    entry = _entry_or_404(public_id)
    document = selectors.public_response_pdf(entry)
    if document is None:
        raise Http404("No such response.")
    return _download(
        document.data, content_type="application/pdf", filename=f"{entry.download_stem}.pdf"
    )


@require_safe
def response_attachment(request, public_id: str, position: int):
    entry = _entry_or_404(public_id)
    attachment = selectors.public_attachments(entry).filter(position=position).first()
    if attachment is None:
        raise Http404("No such response.")
    data = type(attachment).objects.values_list("data", flat=True).get(pk=attachment.pk)
    return _download(
        data,
        content_type=attachment.content_type,
        filename=f"{entry.download_stem}-{attachment.position}{attachment.extension}",
    )
