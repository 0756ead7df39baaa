"""`make run`'s demo accounts have a second factor set up, and `load_demo` prints what a
newcomer needs to sign in with it: the password, the authenticator secret, backup codes."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from demo import requests as demo
from tests.signin.conftest import sign_in_with_password
from tests.signin.totp import totp

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """load_demo's output, from one load for the module (loading is slow)."""
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        call_command("flush", "--noinput", verbosity=0)


def _printed_account(printed: str, username: str) -> tuple[str, list[str]]:
    block = printed.split(f"  {username} ", 1)[1]
    secret = re.search(r"authenticator secret ([A-Z2-7]{32})", block).group(1)
    codes = re.search(r"backup codes (.+)", block).group(1).split()
    return secret, codes


@pytest.mark.parametrize("username", [a[0] for a in demo.ACCOUNTS])
def test_each_demo_account_has_a_confirmed_authenticator_and_backup_codes(printed, username):
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    secret, codes = _printed_account(printed, username)
    assert TOTPDevice.objects.filter(user__username=username, confirmed=True).count() == 1
    assert len(codes) >= 5
    stored = StaticToken.objects.filter(device__user__username=username)
    assert sorted(stored.values_list("token", flat=True)) == sorted(codes)


def test_the_demo_officer_signs_in_with_the_printed_password_and_secret(printed):
    secret, _ = _printed_account(printed, "officer")
    password = re.search(r"  officer +password (\S+)", printed).group(1)
    client = Client()
    sign_in_with_password(client, "officer", password=password)
    assert client.post("/admin/verify/", {"token": totp(secret)}).status_code == 302
    assert client.get("/admin/foiregister/request/").status_code == 200


def test_the_demo_lead_signs_in_with_a_printed_backup_code(printed):
    _, codes = _printed_account(printed, "lead")
    password = re.search(r"  lead +password (\S+)", printed).group(1)
    client = Client()
    sign_in_with_password(client, "lead", password=password)
    assert client.post("/admin/verify/", {"token": codes[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200
