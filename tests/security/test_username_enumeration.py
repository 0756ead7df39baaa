"""Finding out who has an account: by creating a user (an Administrator probing names held
in other organisations), by signing in, and by asking for a password reset. Each answers the
same, in the same work, for a name or address that exists and one that does not.

Usernames are unique across the install, so creating a user with a name already held must
fail; it fails with one neutral message that says nothing of whose the name is."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from foiregister.kernel import staff
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.roles import COMMISSIONER
from foiregister.kernel.signin import tasks as signin_tasks
from tests.conftest import _client_for, member
from tests.factories.foiregister import UserFactory
from tests.signin.conftest import PASSWORD, sign_in_with_password

pytestmark = pytest.mark.django_db

NEUTRAL = "Choose another username: this one cannot be used."


def _create(client, organisation, username):
    return client.post(
        reverse("admin:auth_user_add"),
        {
            "username": username,
            "email": f"{username.lower()}@nhs.example",
            "organisation": organisation.pk,
            "_save": "Save",
        },
    )


def test_a_username_held_in_another_organisation_gets_only_the_neutral_refusal(
    administrator, organisation, other_organisation
):
    member(other_organisation, COMMISSIONER, "stranger-at-dudley")
    client = _client_for(administrator)

    response = _create(client, organisation, "stranger-at-dudley")

    page = response.content.decode()
    assert response.status_code == 200
    assert NEUTRAL in page
    assert "already exists" not in page
    assert not organisation.members.filter(username="stranger-at-dudley").exists()


def test_a_held_name_here_elsewhere_or_in_other_capitals_gets_the_same_refusal(
    administrator, organisation, other_organisation, commissioner
):
    member(other_organisation, COMMISSIONER, "stranger-at-dudley")
    client = _client_for(administrator)

    def errors(username):
        page = _create(client, organisation, username).content.decode()
        start = page.index('class="errorlist')
        return page[start : page.index("</ul>", start)]

    here, elsewhere, capitals = (
        errors(commissioner.username),
        errors("stranger-at-dudley"),
        errors("Stranger-At-Dudley"),
    )

    assert here == elsewhere == capitals
    assert NEUTRAL in here


def test_a_free_username_is_created(administrator, organisation):
    response = _create(_client_for(administrator), organisation, "new-starter")

    assert response.status_code == 302
    assert organisation.members.filter(username="new-starter").exists()


def test_the_service_refuses_a_held_name_with_the_same_neutral_words(
    administrator, organisation, other_organisation
):
    member(other_organisation, COMMISSIONER, "stranger-at-dudley")

    with pytest.raises(FoiRegisterError) as refused:
        staff.create_staff_member(
            organisation=organisation,
            username="stranger-at-dudley",
            email="x@nhs.example",
            by=administrator,
        )

    assert refused.value.message == NEUTRAL


# -- signing in -----------------------------------------------------------------------------


def _error(response) -> str:
    page = response.content.decode()
    start = page.index('class="errornote"')
    return page[start : page.index("</p>", start)]


@pytest.fixture
def hashing(monkeypatch):
    """Counts password hash computations: the slow step, and the one that would tell an
    unknown username (no hash to check) from a known one."""
    calls = []
    original = PBKDF2PasswordHasher.encode

    def encode(self, password, salt, iterations=None):
        calls.append(1)
        return original(self, password, salt, iterations)

    monkeypatch.setattr(PBKDF2PasswordHasher, "encode", encode)
    return calls


def test_sign_in_answers_an_unknown_username_as_a_wrong_password(settings, foi_officer, hashing):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    UserFactory(username="left-last-year", is_staff=True, is_active=False)
    UserFactory(username="not-staff", is_staff=False)
    answers = {}
    for username, password in (
        ("officer", "wrong-guess"),
        ("nobody-by-this-name", "wrong-guess"),
        ("left-last-year", PASSWORD),
        ("not-staff", PASSWORD),
    ):
        hashing.clear()
        response = sign_in_with_password(Client(), username, password=password)
        answers[username] = (response.status_code, _error(response), len(hashing))

    assert len(set(answers.values())) == 1, answers
    assert answers["officer"][2] == 1


def test_an_unknown_username_is_locked_out_like_a_known_one(foi_officer):
    client = Client()
    for _ in range(5):
        sign_in_with_password(client, "nobody-by-this-name", password="guess")

    assert (
        sign_in_with_password(client, "nobody-by-this-name", password="guess").status_code == 429
    )


# -- password reset -------------------------------------------------------------------------


def test_a_reset_request_does_not_send_mail_while_the_requester_waits(foi_officer, monkeypatch):
    """The email is the slow part: sent in the request, a known address would answer later
    than an unknown one. The request queues the same job for either."""
    queued = []
    monkeypatch.setattr(
        signin_tasks.send_password_reset_email, "delay", lambda **kw: queued.append(kw)
    )

    known = Client().post("/admin/password_reset/", {"email": foi_officer.email})
    unknown = Client().post("/admin/password_reset/", {"email": "nobody@nhs.example"})

    assert mail.outbox == []
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [q["email"] for q in queued] == [foi_officer.email, "nobody@nhs.example"]
    assert {(q["domain"], q["use_https"]) for q in queued} == {("testserver", False)}


def test_the_queued_reset_emails_the_account_and_nobody_for_an_unknown_address(foi_officer):
    signin_tasks.send_password_reset_email(
        email=foi_officer.email, domain="register.example", use_https=True
    )
    signin_tasks.send_password_reset_email(
        email="nobody@nhs.example", domain="register.example", use_https=True
    )

    assert [m.to for m in mail.outbox] == [[foi_officer.email]]
    assert "https://register.example/admin/reset/" in mail.outbox[0].body
