"""Logging in with a password and, for users who set it up, a second factor; changing the password;
setting up and turning off two-factor login."""

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.models import Device
from knox.models import AuthToken

from accounts.forms import CodeForm
from accounts.http import AuthenticatedHttpRequest
from accounts.lockout import is_locked_out, lockout_response, login_failure_record
from accounts.models import User
from accounts.two_factor import (
    WRONG_CODE,
    code_verify,
    enrolment_device,
    has_two_factor,
    login_code_check,
    pending_login_end,
    pending_login_start,
    pending_login_user,
    qr_code_data_uri,
    role_requires_two_factor,
    secret_base32,
    two_factor_confirm,
    two_factor_disable,
)


class LoginWithCode(auth_views.LoginView):
    """Django's login page; a user with two-factor login is not logged in by the password alone
    but sent on to the code step. The admin's login address is served by this view too
    (config/urls.py), so no door skips the code."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if not has_two_factor(user):
            return super().form_valid(form)
        pending_login_start(self.request, user)
        return redirect(f"{reverse('login-code')}?{urlencode({'next': self.get_success_url()})}")


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: after the password on the login page, or for a signed-in user whose role
    requires a code this session has not given yet (accounts/middleware.py)."""
    signed_in = request.user.is_authenticated
    user = request.user if request.user.is_authenticated else pending_login_user(request)
    next_url = _safe_next(request)
    if user is None:  # no password given, or given too long ago
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
    if signed_in and user.is_verified():
        return redirect(next_url)
    if not has_two_factor(user):
        return redirect("two-factor" if signed_in else "login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return lockout_response(request)
        device = login_code_check(request, user=user, token=form.cleaned_data["otp_token"])
        if device is not None:
            _complete_login(request, user, device)
            return redirect(next_url)
        # Counted as a failed login: axes' middleware answers with the lockout page at the limit.
        form.add_error("otp_token", WRONG_CODE)
    status = 400 if form.errors else 200
    return render(
        request, "accounts/login_code.html", {"form": form, "next": next_url}, status=status
    )


def _complete_login(request: HttpRequest, user: User, device: Device) -> None:
    if request.user.is_authenticated:
        otp_login(request, device)
        return
    pending_login_end(request)
    user.otp_device = device  # django-otp's user_logged_in receiver keeps it in the session
    auth_login(request, user, backend=user.backend)


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change: it keeps this session and ends the user's others. The user's API
    tokens end too: a password changed because it leaked must not leave a token made with it."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def post(self, request, *args, **kwargs) -> HttpResponse:
        # Locked out after wrong current passwords (here or at the login): not even the right
        # one is checked until the cool-off ends.
        if is_locked_out(request, request.user):
            return lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        if form.has_error("old_password", "password_incorrect"):
            login_failure_record(self.request, self.request.user)
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        AuthToken.objects.filter(user=self.request.user).delete()
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up two-factor login (scan, then confirm with a code; backup codes shown once), or turn
    it off with a code."""
    user = request.user
    enabled = has_two_factor(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["otp_token"]
        action = request.POST.get("action")
        if action == "confirm" and not enabled:
            confirmed = two_factor_confirm(user=user, token=token)
            if confirmed is not None:
                device, codes = confirmed
                otp_login(request, device)
                context: dict[str, object] = {"codes": codes, "next": _safe_next(request)}
                return render(request, "accounts/two_factor_backup_codes.html", context)
            form.add_error("otp_token", WRONG_CODE)
        elif action == "disable" and enabled:
            if role_requires_two_factor(user):
                form.add_error(None, _("Your role requires two-factor login: it stays on."))
            elif code_verify(user=user, token=token) is None:
                form.add_error("otp_token", WRONG_CODE)
            else:
                two_factor_disable(user=user)
                messages.success(request, _("Two-factor login is off."))
                return redirect("two-factor")
        else:  # a stale page: set up meanwhile in another tab, or turned off
            form.add_error(None, _("This page was out of date; it is shown again as it is now."))
    context = {"form": form, "enabled": enabled, "next": _safe_next(request)}
    if not enabled:
        device = enrolment_device(user)
        context.update(qr_code=qr_code_data_uri(device), secret=secret_base32(device))
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor.html", context, status=status)
