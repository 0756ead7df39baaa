"""Logging filters for the console handler (settings.LOGGING).

Django attaches the request object to every 4xx and 5xx line it logs (``django.request``,
``django.security.*``), and the JSON formatter writes every extra attribute, so the line
carried ``<WSGIRequest: GET '/admin/...?q=Jane Doe'>``: whatever was typed into a search or
a filter, a requester's name or email included. gunicorn's access log already leaves the
query string out (deploy/gunicorn.conf.py); this keeps Django's lines to the same rule.
"""

from __future__ import annotations

import logging


class RequestPathOnly(logging.Filter):
    """Replace a record's ``request`` with its method and path, without the query string
    (the path names only ids and slugs; the query string is what people type)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            method = getattr(request, "method", "") or ""
            path = getattr(request, "path", "") or ""
            record.request = f"{method} {path}".strip()
        return True
