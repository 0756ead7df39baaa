"""The admin site: every page needs a password sign-in *and* a verified second factor.

django-otp's ``OTPAdminSite`` asks for the code on the password form, which leaves a staff
member without a device no way in; here the password comes first (Django's form, counted by
django-axes), then the code on its own page, or enrolment for someone who has no device yet.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from foiregister.kernel import access

from . import services


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]


def _signed_in_without_code(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and not user.is_verified()


# Where FOI officers and leads land instead of the generic index: their own work (issue
# 13). Named, not imported: the page belongs to the request register, above the kernel.
STAFF_HOME = "admin:foiregister_request_my_work"


class StaffAdminSite(admin.AdminSite):
    # Django's side menu repeats the index in a 300 px column on every page. The officer's
    # screens are wide tables (the request list, My work, the workspace), which it squeezed
    # into sideways scrolling on a 1,280 px screen; Home in the breadcrumbs and the header's
    # My work link lead to the same places.
    enable_nav_sidebar = False

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    def each_context(self, request):
        context = super().each_context(request)
        user = getattr(request, "user", None)
        context["is_caseworker"] = bool(
            user is not None and access.has_any_role(user, access.CASEWORK_ROLES)
        )
        return context

    def _home(self, target: str) -> str:
        """Signing in with no other destination (or the index) lands on My work; the page
        sends someone without casework on to the index."""
        index = reverse("admin:index", current_app=self.name)
        if target in ("", index):
            try:
                return reverse(STAFF_HOME, current_app=self.name)
            except NoReverseMatch:
                return index
        return target

    def get_urls(self):
        return [
            path("verify/", self.second_factor_view, name="verify"),
            path("enrol/", self.enrol_view, name="enrol"),
        ] + super().get_urls()

    def _next(self, request) -> str:
        target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return self._home(target)
        return self._home("")

    def _step_url(self, request, name: str) -> str:
        url = reverse(f"admin:{name}", current_app=self.name)
        return f"{url}?{urlencode({REDIRECT_FIELD_NAME: self._next(request)})}"

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """A staff member past the password but not the code goes on to the code (or to
        enrolment), never back to the password form."""
        if _signed_in_without_code(request):
            step = "verify" if services.has_second_factor(request.user) else "enrol"
            return HttpResponseRedirect(self._step_url(request, step))
        target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if not target or target == reverse("admin:index", current_app=self.name):
            extra_context = {**(extra_context or {}), REDIRECT_FIELD_NAME: self._home("")}
        return super().login(request, extra_context)

    def _page(self, request, template: str, context: dict):
        return render(
            request,
            template,
            {
                **self.each_context(request),
                "next": self._next(request),
                "logout_url": reverse("admin:logout", current_app=self.name),
                **context,
            },
        )

    @method_decorator(sensitive_post_parameters("token"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def second_factor_view(self, request):
        if not _signed_in_without_code(request):
            return HttpResponseRedirect(self._next(request))
        if not services.has_second_factor(request.user):
            return HttpResponseRedirect(self._step_url(request, "enrol"))
        form = CodeForm(request.POST or None)
        if form.is_valid():
            try:
                device = services.verify_sign_in_code(
                    user=request.user, token=form.cleaned_data["token"]
                )
            except services.SignInCodeRefused as exc:
                form.add_error("token", exc.message)
            else:
                otp_login(request, device)
                request.session.cycle_key()
                return HttpResponseRedirect(self._next(request))
        return self._page(
            request, "admin/signin/verify.html", {"form": form, "title": "Enter your code"}
        )

    @method_decorator(sensitive_post_parameters("token"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def enrol_view(self, request):
        if not _signed_in_without_code(request):
            return HttpResponseRedirect(self._next(request))
        if services.has_second_factor(request.user):
            return HttpResponseRedirect(self._step_url(request, "verify"))
        device = services.begin_enrolment(user=request.user)
        form = CodeForm(request.POST or None)
        if form.is_valid():
            try:
                device, codes = services.confirm_enrolment(
                    user=request.user, token=form.cleaned_data["token"]
                )
            except services.SignInCodeRefused as exc:
                form.add_error("token", exc.message)
            else:
                otp_login(request, device)
                request.session.cycle_key()
                return self._page(
                    request,
                    "admin/signin/backup_codes.html",
                    {"codes": codes, "title": "Your backup codes"},
                )
        return self._page(
            request,
            "admin/signin/enrol.html",
            {
                "form": form,
                "title": "Set up your authenticator app",
                "qr_svg": mark_safe(_qr_svg(device.config_url)),
                "secret": services.base32_secret(device),
            },
        )
