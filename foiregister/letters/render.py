"""Template and context to HTML and PDF. Pure of database writes: it reads nothing but the
context it is given, so a letter renders the same in a test, a batch or the bench.

The PDF is PDF/UA-1 (tagged, with document language en-GB and a title) so screen readers
can read it, and A4 (set in the template's @page rule).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

TEMPLATE = "letters/letter.html"
PDF_VARIANT = "pdf/ua-1"


def render_letter_html(context: dict[str, Any]) -> str:
    return render_to_string(TEMPLATE, context)


def render_letter_pdf(context: dict[str, Any]) -> bytes:
    """PDF bytes of the letter. The title metadata is the reference and kind only, never
    a requester detail (the template's <title>)."""
    html = render_letter_html(context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )


def letter_filename(*, reference: str, kind: str, sequence: int = 1) -> str:
    """``FOI/0925/1434`` + response -> ``FOI-0925-1434-response.pdf``; a second letter of
    the same kind on one request gets ``-2``. Built from the reference only: a file name is
    seen in mail clients and download folders, so it never carries the requester."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", reference).strip("-")
    kind_part = kind.replace("_", "-")
    suffix = f"-{sequence}" if sequence > 1 else ""
    return f"{safe}-{kind_part}{suffix}.pdf"
