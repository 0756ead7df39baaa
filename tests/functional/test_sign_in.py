"""A newcomer signs in to `make run` as the demo officer: the printed password, then the code
an authenticator app shows for the printed secret."""

import re

import pytest
from playwright.sync_api import expect

from demo import requests as demo
from demo import signin as signin_demo
from foiregister.kernel import roles
from tests.signin.totp import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_officer_signs_in_with_password_and_authenticator_code(live_server, page):
    roles.ensure_roles()
    demo.ensure_accounts([])
    printed = "\n".join(signin_demo.sign_in_lines("officer"))
    secret = re.search(r"authenticator secret (\S+)", printed).group(1)

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url.startswith(live_server.url + "/admin/verify/")
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Continue").click()

    # An FOI officer lands on their own work, not the generic index (issue 13). Wait for
    # it to render: the URL changes before the page has loaded.
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    assert page.url == live_server.url + "/admin/foiregister/request/my-work/"
    page.screenshot(path="var/screenshots/sign-in-my-work.png")
