"""Caching: a withdrawn response must not live on in a shared cache, and a staff page (with
requesters' details) must not be stored anywhere.

Public pages, feeds, the sitemap, the registers and the API send ``Cache-Control: no-cache``
(a cache may keep a copy but must revalidate it every time; ``ConditionalGetMiddleware``'s
ETag makes that cheap), so a withdrawal takes effect on the next request. Staff pages
(``/admin/``, ``/staff/``) send ``private, no-store``.
"""

import re

import pytest
from django.urls import get_resolver

pytestmark = [pytest.mark.django_db]


def _static_public_paths(resolver=None, prefix=""):
    """Every public route without parameters, from the URL configuration."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        regex = prefix + p.pattern.regex.pattern.lstrip("^")
        if regex.startswith(("admin", "staff")):
            continue
        if hasattr(p, "url_patterns"):
            yield from _static_public_paths(p, regex)
        elif "(?P<" not in regex:
            yield "/" + re.sub(r"\\Z|\$|\^", "", regex).replace("\\.", ".")


def test_every_public_page_feed_sitemap_and_api_response_must_be_revalidated(
    public_client, organisation
):
    paths = sorted(set(_static_public_paths()))
    assert any(p.startswith("/api/") for p in paths) and any("sitemap" in p for p in paths)
    missing = []
    for path in paths:
        response = public_client.get(path)
        if response.status_code >= 500:
            continue
        if "no-cache" not in response.get("Cache-Control", ""):
            missing.append(f"{path}: {response.status_code} {response.get('Cache-Control')!r}")
    assert missing == []


def test_a_missing_public_page_is_not_cached_either(public_client):
    response = public_client.get("/responses/999999/")
    assert "no-cache" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/foiregister/request/"])
def test_staff_pages_are_never_stored(foi_lead_client, path):
    response = foi_lead_client.get(path)

    assert response.status_code in (200, 302)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_staff_password_reset_page_is_never_stored(public_client):
    response = public_client.get("/staff/password/reset/done/")
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives
