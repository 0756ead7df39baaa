"""Every staff sign-in to /admin/ needs a password *and* a code (NHS DSPT: multi-factor
authentication for staff who reach personal data). Attacked as someone who has an officer's
password but not their phone."""

import re

import pytest
from django.test import Client

from tests.signin.conftest import SECRET, sign_in_with_password
from tests.signin.totp import totp

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/foiregister/request/"


def _devices(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_totp_helper_matches_rfc_6238_appendix_b():
    """RFC 6238 Appendix B: secret "12345678901234567890" at T = 59 s gives 94287082; an
    app showing six digits shows 287082."""
    import base64

    assert totp(base64.b32encode(b"12345678901234567890").decode(), at=59) == "287082"


def test_password_alone_does_not_open_any_admin_page(officer_with_authenticator):
    client = Client()
    sign_in_with_password(client, "officer")
    for url in ("/admin/", CHANGELIST, "/admin/foiregister/auditevent/"):
        response = client.get(url, follow=True)
        assert response.redirect_chain, url
        assert response.request["PATH_INFO"] == "/admin/verify/", url


def test_password_alone_without_a_device_is_sent_to_enrol(foi_officer):
    client = Client()
    sign_in_with_password(client, "officer")
    response = client.get(CHANGELIST, follow=True)
    assert response.request["PATH_INFO"] == "/admin/enrol/"
    assert _devices(foi_officer).get().confirmed is False


def test_the_right_code_opens_the_admin(officer_with_authenticator):
    client = Client()
    sign_in_with_password(client, "officer", next_url=CHANGELIST)
    response = client.post("/admin/verify/", {"token": totp(SECRET), "next": CHANGELIST})
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200


def test_a_wrong_code_is_refused(officer_with_authenticator):
    client = Client()
    sign_in_with_password(client, "officer")
    response = client.post("/admin/verify/", {"token": _wrong(totp(SECRET))})
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    assert client.get(CHANGELIST).status_code == 302


def test_after_a_wrong_code_even_the_right_one_must_wait(officer_with_authenticator):
    """django-otp's throttle: each wrong code doubles the wait, so codes cannot be guessed
    at speed (a million six-digit codes, a fresh one every 30 seconds)."""
    client = Client()
    sign_in_with_password(client, "officer")
    client.post("/admin/verify/", {"token": _wrong(totp(SECRET))})
    response = client.post("/admin/verify/", {"token": totp(SECRET)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(CHANGELIST).status_code == 302


def test_a_backup_code_signs_in_once(officer_with_authenticator):
    first, second = Client(), Client()
    sign_in_with_password(first, "officer")
    assert first.post("/admin/verify/", {"token": "backup-one"}).status_code == 302
    assert first.get(CHANGELIST).status_code == 200
    sign_in_with_password(second, "officer")
    response = second.post("/admin/verify/", {"token": "backup-one"})
    assert "That code is not right." in response.content.decode()


def test_a_stolen_password_cannot_enrol_a_second_authenticator(officer_with_authenticator):
    """Enrolment is only for someone with no device: with one, the enrolment page sends
    the attacker to the code page, and no new secret is shown."""
    client = Client()
    sign_in_with_password(client, "officer")
    response = client.get("/admin/enrol/", follow=True)
    assert response.request["PATH_INFO"] == "/admin/verify/"
    assert _devices(officer_with_authenticator).count() == 1


def test_enrolment_shows_a_secret_then_confirms_it_and_gives_backup_codes(foi_officer):
    client = Client()
    sign_in_with_password(client, "officer")
    page = client.get("/admin/enrol/").content.decode()
    assert "<svg" in page
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    response = client.post("/admin/enrol/", {"token": totp(secret)})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert _devices(foi_officer).get().confirmed is True
    assert client.get(CHANGELIST).status_code == 200


def test_enrolment_refuses_a_wrong_code(foi_officer):
    client = Client()
    sign_in_with_password(client, "officer")
    page = client.get("/admin/enrol/").content.decode()
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    response = client.post("/admin/enrol/", {"token": _wrong(totp(secret))})
    assert "That code is not right." in response.content.decode()
    assert _devices(foi_officer).get().confirmed is False
    assert client.get(CHANGELIST).status_code == 302
