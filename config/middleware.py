"""Who may keep a copy of a page (issue 12, item 14).

- Staff pages (``/admin/``, ``/staff/``) carry requesters' details: ``private, no-store``,
  so neither a shared proxy nor the browser's disk keeps them.
- Every public response (disclosure log, response pages and PDFs, registers, feeds,
  sitemap, API) is ``no-cache``: a cache may keep it but must ask again before each use, so
  a withdrawn response disappears on the next visit. ``ConditionalGetMiddleware``'s ETag
  makes asking again cheap (304). A view that asks for stricter (``no-store``, ``private``)
  keeps it.

Static files never reach this middleware (WhiteNoise answers them first, with its own
long-lived headers for hashed names).
"""

from __future__ import annotations

STAFF_PREFIXES = ("/admin/", "/staff/")
STAFF = "private, no-store"
PUBLIC = "no-cache"


class CacheControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(STAFF_PREFIXES):
            directives = {
                d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()
            }
            response["Cache-Control"] = ", ".join(
                sorted((directives | {"private", "no-store"}) - {"public"})
            )
        else:
            current = response.get("Cache-Control", "")
            if "no-store" not in current and "private" not in current:
                response["Cache-Control"] = PUBLIC
        return response
