from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext

from accounts.two_factor import has_two_factor, role_requires_two_factor

# What a user who still owes a code may open: the code step, enrolment, logging out, the language.
OPEN_BEFORE_SECOND_FACTOR = {"login-code", "two-factor", "logout", "set_language"}


class TwoFactorRequiredMiddleware:
    """A signed-in user whose role the county requires two-factor login for, and whose session has
    not given a code, reaches nothing but enrolment (no device yet) or the code step. Placed after
    django-otp's OTPMiddleware, which tells whether the session was verified.

    API requests that carry a token are not seen here (the token is read by the API view); such a
    token is only issued after a code (accounts/api.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and role_requires_two_factor(user)
            and not user.is_verified()
            and not _open_before_second_factor(request)
        ):
            return _send_to_second_factor(request, user)
        return self.get_response(request)


def _open_before_second_factor(request: HttpRequest) -> bool:
    try:
        return resolve(request.path_info).url_name in OPEN_BEFORE_SECOND_FACTOR
    except Resolver404:
        return False


def _send_to_second_factor(request: HttpRequest, user) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        # The API's error format (drf-standardized-errors), for a script using a session cookie.
        detail = gettext("Two-factor login is required: give your code on the site first.")
        return JsonResponse(
            {
                "type": "client_error",
                "errors": [{"code": "permission_denied", "detail": detail, "attr": None}],
            },
            status=403,
        )
    step = "login-code" if has_two_factor(user) else "two-factor"
    return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
