"""Where a staff member's password reset email lands: Django's own confirm and done views
(with the admin's templates). Nobody sets another person's password; a reset is sent from
the staff screen (``foiregister.kernel.staff.send_password_reset``)."""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
