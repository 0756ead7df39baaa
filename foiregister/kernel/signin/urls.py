"""Password reset by email, Django's own views in the admin's look. Included before the admin
site at ``admin/``; the names are the ones Django's admin and reset templates look for.

The reset form answers the same whether or not the address belongs to an account, in the
same time (the email is looked up and sent by the worker, ``tasks.send_password_reset_email``),
and the link it sends signs nobody in (the second factor is still asked for).
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import path, reverse_lazy

from . import tasks


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, whose ``save`` queues the lookup and the email instead of
    doing them in the request: the same work, and so the same time, for any address."""

    def save(self, *, request=None, use_https=False, domain_override=None, **kwargs):
        domain = domain_override or request.get_host()
        tasks.send_password_reset_email.delay(
            email=self.cleaned_data["email"], domain=domain, use_https=use_https
        )


ADMIN_LOOK = {"site_header": "FOI and procurement register", "site_title": "FOI register"}

urlpatterns = [
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            extra_context=ADMIN_LOOK, form_class=QueuedPasswordResetForm
        ),
        name="admin_password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(extra_context=ADMIN_LOOK),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            extra_context=ADMIN_LOOK, success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(extra_context=ADMIN_LOOK),
        name="password_reset_complete",
    ),
]
