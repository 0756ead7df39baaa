"""A per-address request limit for public HTML pages (the API has DRF's throttles).

A fixed window counted in the default cache: small, and enough to stop one address from
running thousands of searches a minute. Rates are written as DRF's are: ``60/minute``.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .clientip import client_ip

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/minute"`` -> (60, 60). A bad rate fails loudly, naming it."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ValueError(f"{rate!r} is not a rate like 60/minute") from None


def over_limit(request, *, scope: str, rate: str) -> tuple[bool, int]:
    """Count this request; (whether it is over the limit, seconds until the window ends)."""
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{client_ip(request)}:{window}"
    cache.add(key, 0, period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period + 1)
        count = 1
    return count > limit, int((window + 1) * period - now) + 1


def rate_limited(*, scope: str, setting: str):
    """Answer 429 with the site's page (and Retry-After) once an address is over the rate
    named by ``setting``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            over, retry_after = over_limit(request, scope=scope, rate=getattr(settings, setting))
            if over:
                response = render(request, "429.html", {"retry_after": retry_after}, status=429)
                response["Retry-After"] = str(retry_after)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
