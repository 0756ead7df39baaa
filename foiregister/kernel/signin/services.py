"""Second-factor devices: enrolment, backup codes and code checks, audited.

The NHS Data Security and Protection Toolkit expects multi-factor authentication for staff
who reach personal data; the devices and their throttling are django-otp's.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from foiregister.kernel import audit
from foiregister.kernel.exceptions import FoiRegisterError

BACKUP_CODE_COUNT = 10
TOTP_CODE = re.compile(r"^\d{6}$")
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
WRONG_CODE = "That code is not right."


class SignInCodeRefused(FoiRegisterError):
    """A wrong, reused or throttled code."""


def base32_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it typed in (RFC 4648 base32)."""
    return base64.b32encode(device.bin_key).decode("ascii")


def has_second_factor(user: Any) -> bool:
    return user_has_device(user, confirmed=True)


@transaction.atomic
def begin_enrolment(*, user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made once and kept until confirmed, so
    reloading the enrolment page does not change the secret the app was given."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def confirm_enrolment(*, user: Any, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code it shows; returns it and fresh backup codes.

    The check commits on its own before any refusal is raised, so a wrong code's throttle
    count is kept (raising inside one transaction would roll it back)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        refusal = (
            _check(device, token.strip())
            if device is not None
            else "Start enrolment again: there is no authenticator to confirm."
        )
    if refusal:
        raise SignInCodeRefused(refusal, field="token")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = issue_backup_codes(user=user)
        audit.record_event(
            action=audit.AuditAction.SIGNIN_SECOND_FACTOR_ENROLLED, obj=device, by=user
        )
    return device, codes


@transaction.atomic
def issue_backup_codes(*, user: Any, codes: list[str] | None = None) -> list[str]:
    """Replace the user's backup codes (each works once) with ``codes`` or random ones."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_CODES_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = codes or [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit.record_event(action=audit.AuditAction.SIGNIN_BACKUP_CODES_ISSUED, obj=device, by=user)
    return codes


@transaction.atomic
def set_up_known_authenticator(
    *, user: Any, base32_key: str, backup_codes: list[str], by: Any
) -> TOTPDevice:
    """Give a user a confirmed authenticator with a known secret (the demo accounts, whose
    secrets are published so a newcomer can sign in). Never for a real account."""
    key = base64.b32decode(base32_key).hex()
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, key=key, defaults={"name": AUTHENTICATOR_NAME, "confirmed": True}
    )
    issue_backup_codes(user=user, codes=backup_codes)
    audit.record_event(action=audit.AuditAction.SIGNIN_SECOND_FACTOR_SET_UP, obj=device, by=by)
    return device


def verify_sign_in_code(*, user: Any, token: str) -> Device:
    """The device that accepts ``token``: six digits go to the authenticator, anything else
    to the backup codes, so a backup code does not count as a wrong authenticator code.
    Every wrong code doubles the wait before the device accepts another (django-otp); the
    check commits before a refusal is raised, so the count is kept."""
    token = token.strip().replace(" ", "")
    wanted = TOTPDevice if TOTP_CODE.match(token) else StaticDevice
    with transaction.atomic():
        device = next(
            (d for d in devices_for_user(user, for_verify=True) if isinstance(d, wanted)), None
        )
        refusal = _check(device, token) if device is not None else WRONG_CODE
    if refusal:
        raise SignInCodeRefused(refusal, field="token")
    return device


def _check(device: Device, token: str) -> str:
    """'' if the device accepts the token, else why not (a wrong code is counted)."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return "Too many wrong codes in a row: wait a few seconds, then try again."
    if not device.verify_token(token):
        return WRONG_CODE
    return ""
