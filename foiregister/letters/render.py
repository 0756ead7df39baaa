"""Template and context to HTML and PDF. Pure of database writes: it reads nothing but the
context it is given, so a letter renders the same in a test, a batch or the bench.

The PDF is PDF/UA-1 (tagged, with document language en-GB and a title) so screen readers
can read it, and A4 (set in the stylesheet's @page rule).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

TEMPLATE = "letters/letter.html"
STYLESHEET = "letters/letter.css"
PDF_VARIANT = "pdf/ua-1"

_cache = threading.local()


def _pdf_resources() -> tuple[FontConfiguration, CSS]:
    """The font configuration and the parsed letter stylesheet, built once per thread.

    Parsing the stylesheet (WeasyPrint compiles every selector) and setting up fontconfig
    took about a tenth of each letter's render; a batch or the bench renders hundreds of
    letters with the same stylesheet. Per thread because WeasyPrint's objects are not
    documented as thread-safe. A changed ``letter.css`` takes effect on restart."""
    resources = getattr(_cache, "resources", None)
    if resources is None:
        font_config = FontConfiguration()
        stylesheet = CSS(
            string=render_to_string(STYLESHEET),
            base_url=str(settings.BASE_DIR),
            font_config=font_config,
        )
        resources = _cache.resources = (font_config, stylesheet)
    return resources


def render_letter_html(context: dict[str, Any], *, inline_css: bool = True) -> str:
    """The letter as HTML; the stylesheet inline unless the PDF renderer supplies it."""
    return render_to_string(TEMPLATE, {**context, "inline_css": inline_css})


def render_letter_pdf(context: dict[str, Any]) -> bytes:
    """PDF bytes of the letter. The title metadata is the reference and kind only, never
    a requester detail (the template's <title>)."""
    font_config, stylesheet = _pdf_resources()
    html = render_letter_html(context, inline_css=False)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[stylesheet],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
        uncompressed_pdf=False,
    )


def letter_filename(
    *, reference: str, kind: str, sequence: int = 1, anonymised: bool = False
) -> str:
    """``FOI/0925/1434`` + response -> ``FOI-0925-1434-response.pdf``; a second letter of
    the same kind on one request gets ``-2``; the anonymised copy for publication ends
    ``-anonymised``, so the two copies never share a name in a download folder. Built from
    the reference only: a file name is seen in mail clients and download folders, so it
    never carries the requester."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", reference).strip("-")
    kind_part = kind.replace("_", "-")
    suffix = f"-{sequence}" if sequence > 1 else ""
    copy = "-anonymised" if anonymised else ""
    return f"{safe}-{kind_part}{suffix}{copy}.pdf"


def render_report_pdf(template: str, context: dict[str, Any], *, title: str) -> bytes:
    """PDF bytes of another document set in the letters' pipeline (the board report): the
    same fonts, PDF/UA-1 and A4; its template carries its own styles and ``<title>``."""
    font_config, _ = _pdf_resources()
    html = render_to_string(template, {**context, "title": title})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        font_config=font_config, pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )
