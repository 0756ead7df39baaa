import base64

import pytest

PASSWORD = "correct-horse-battery"  # UserFactory's
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in_with_password(client, username, password=PASSWORD, next_url="/admin/"):
    return client.post(
        "/admin/login/", {"username": username, "password": password, "next": next_url}
    )


@pytest.fixture
def officer_with_authenticator(foi_officer):
    """An FOI officer whose authenticator app holds ``SECRET``, with two backup codes."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(
        user=foi_officer, name="app", key=base64.b32decode(SECRET).hex(), confirmed=True
    )
    backup = StaticDevice.objects.create(user=foi_officer, name="backup", confirmed=True)
    StaticToken.objects.create(device=backup, token="backup-one")
    StaticToken.objects.create(device=backup, token="backup-two")
    return foi_officer
