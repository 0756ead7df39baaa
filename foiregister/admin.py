"""Where Django's admin autodiscovery looks for the ``foiregister`` app's screens: the
kernel's (organisations, the audit log, staff), the request register's, and what the site
leaves out."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from foiregister.kernel import admin as kernel_admin  # noqa: F401
from foiregister.kernel import staff_admin  # noqa: F401
from foiregister.requests import admin as requests_admin  # noqa: F401

# The sign-in libraries' own screens are not offered: a TOTP device's page shows its secret,
# and neither is scoped to an organisation. A person enrols (or re-enrols with a backup
# code) through the sign-in pages; lockouts are cleared with `manage.py axes_reset_username`.
for model in (TOTPDevice, StaticDevice, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
