"""The password reset email, sent by the worker rather than in the request.

Sending mail takes the SMTP server's time; done in the request, a reset for an address
that has an account would answer measurably slower than one for an address that has none,
and the timing would say which addresses are staff. The request only queues this task, the
same for any address, and the worker looks the address up and sends.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth.forms import PasswordResetForm


@shared_task
def send_password_reset_email(*, email: str, domain: str, use_https: bool) -> None:
    """Email every active account with a usable password at ``email`` its reset link
    (Django's own form, templates and token); nothing for an unknown address."""
    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)
