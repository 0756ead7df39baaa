"""The client's address, for throttles and sign-in lockouts.

X-Forwarded-For is written by whoever sends the request, so it is believed only as far as
our own proxies wrote it: with ``TRUSTED_PROXY_COUNT = n`` the address is the n-th entry
from the right (what the outermost of our proxies saw), the rule DRF's ``NUM_PROXIES``
follows; with 0 (the default) the header is ignored and the socket's address is used.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]
