"""Password reset by email, Django's own views in the admin's look. Included before the admin
site at ``admin/``; the names are the ones Django's admin and reset templates look for.

The reset form answers the same whether or not the address belongs to an account, and the
link it sends signs nobody in (the second factor is still asked for).
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

ADMIN_LOOK = {"site_header": "FOI and procurement register", "site_title": "FOI register"}

urlpatterns = [
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(extra_context=ADMIN_LOOK),
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
