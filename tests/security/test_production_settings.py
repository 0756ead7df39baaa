"""Production settings (DJANGO_DEBUG=0), checked the way they are deployed: a fresh process
with the production environment, since settings are read once at start-up."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_", "EMAIL_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="foi.example.nhs.uk",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(env, *names):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}))"
    )
    done = _run(["-c", code], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_check_deploy_is_clean_with_the_production_environment():
    done = _run(["manage.py", "check", "--deploy"], _production_env())
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout, done.stderr


def test_debug_off_refuses_the_console_email_backend():
    """It would write requesters' email addresses and letters (PDFs) to the log."""
    done = _run(["manage.py", "check"], _production_env(EMAIL_BACKEND=None))
    assert done.returncode != 0
    assert "EMAIL_BACKEND is the console backend with DJANGO_DEBUG=0" in done.stderr


def test_production_sends_hsts_and_only_secure_http_only_cookies():
    values = _settings(
        _production_env(),
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
    )
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    for name in (
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    ):
        assert values[name] is True, name
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_behind_a_tls_terminating_proxy_the_redirect_trusts_its_header():
    values = _settings(
        _production_env(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO"),
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
    }


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_without_inline_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_admin_sign_in_page_has_the_policy_too(client):
    assert "script-src 'self'" in client.get("/admin/login/")["Content-Security-Policy"]
