"""`make run`'s demo accounts have a second factor set up, and `load_demo` prints what a
newcomer needs to sign in with it: the password, the authenticator secret, backup codes."""

import base64
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from demo import requests as demo
from tests.signin.conftest import sign_in_with_password
from tests.signin.totp import totp

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def printed(db):
    """load_demo's output (loading is slow: two tests, each checking one side)."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _printed_account(printed: str, username: str) -> tuple[str, list[str]]:
    block = printed.split(f"  {username} ", 1)[1]
    secret = re.search(r"authenticator secret ([A-Z2-7]{32})", block).group(1)
    codes = re.search(r"backup codes (.+)", block).group(1).split()
    return secret, codes


def test_each_demo_account_has_a_confirmed_authenticator_and_the_printed_backup_codes(printed):
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for username, _, _ in demo.ACCOUNTS:
        secret, codes = _printed_account(printed, username)
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed, username
        assert base64.b32encode(bytes.fromhex(device.key)).decode() == secret, username
        assert len(codes) >= 5, username
        stored = StaticToken.objects.filter(device__user__username=username)
        assert sorted(stored.values_list("token", flat=True)) == sorted(codes), username


def test_demo_accounts_sign_in_with_the_printed_password_and_secret_or_backup_code(printed):
    secret, _ = _printed_account(printed, "officer")
    password = re.search(r"  officer +password (\S+)", printed).group(1)
    client = Client()
    sign_in_with_password(client, "officer", password=password)
    assert client.post("/admin/verify/", {"token": totp(secret)}).status_code == 302
    assert client.get("/admin/foiregister/request/").status_code == 200
    _, codes = _printed_account(printed, "lead")
    lead = Client()
    sign_in_with_password(lead, "lead", password=password)
    assert lead.post("/admin/verify/", {"token": codes[0]}).status_code == 302
    assert lead.get("/admin/").status_code == 200
