"""Guessing passwords, an unattended session, and a forgotten password, from the outside."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.signin.conftest import PASSWORD, sign_in_with_password

pytestmark = pytest.mark.django_db


def test_after_five_wrong_passwords_even_the_right_one_is_refused(foi_officer):
    client = Client()
    for _ in range(5):
        sign_in_with_password(client, "officer", password="guess")
    response = sign_in_with_password(client, "officer", password=PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_the_account(foi_officer):
    client = Client()
    for _ in range(4):
        sign_in_with_password(client, "officer", password="guess")
    response = sign_in_with_password(client, "officer", password=PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(foi_officer.pk)


def test_a_spoofed_forwarded_for_does_not_reset_the_lockout(foi_officer):
    """The lockout counts per username and client address; a client naming a new address
    in X-Forwarded-For each time must still be counted as one address."""
    client = Client()
    for n in range(5):
        client.post(
            "/admin/login/",
            {"username": "officer", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = client.post(
        "/admin/login/",
        {"username": "officer", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


def test_sessions_expire_after_thirty_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_an_idle_staff_session_expires_and_an_active_one_does_not(foi_officer):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        client.force_login(foi_officer)
        assert client.get("/admin/").status_code == 200
        clock.shift(datetime.timedelta(minutes=25))
        assert client.get("/admin/").status_code == 200  # and moves the expiry on
        clock.shift(datetime.timedelta(minutes=25))
        assert client.get("/admin/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_sign_in_page_offers_a_password_reset(public_client):
    page = public_client.get("/admin/login/").content.decode()
    assert 'href="/admin/password_reset/"' in page


def test_a_reset_answers_the_same_whether_or_not_the_account_exists(foi_officer):
    known = Client().post("/admin/password_reset/", {"email": foi_officer.email})
    unknown = Client().post("/admin/password_reset/", {"email": "nobody@nhs.example"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [[foi_officer.email]]


def test_a_reset_link_sets_the_password_but_does_not_skip_the_code(foi_officer):
    import re

    Client().post("/admin/password_reset/", {"email": foi_officer.email})
    link = re.search(r"http://testserver(/admin/reset/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    form_url = client.get(link)["Location"]
    new = "a-new-long-passphrase-2026"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 302
    sign_in_with_password(client, "officer", password=new)
    response = client.get("/admin/", follow=True)
    assert response.request["PATH_INFO"] == "/admin/enrol/"
