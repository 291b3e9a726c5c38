from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django_htmx.http import HttpResponseClientRedirect

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


# Where a request goes to sign in again: the login page and the code steps.
SIGN_IN_PAGES = ("login", "login-code", "two-factor")


class FragmentSignInMiddleware:
    """A fragment asked for by htmx (a fold, a live filter, a polling import) after the session
    has ended is answered with a redirect of the whole page to the login page (htmx's
    HX-Redirect). Followed as it is, the 302 would put the login form inside the fold that asked,
    and after signing in the person would land on the bare fragment. `next` is the page the
    person was on (HX-Current-URL), not the fragment's address. Placed before the two-factor
    check, so that its redirect to the code step is answered the same way."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code not in (301, 302):
            return response
        target = urlsplit(response.get("Location", ""))
        if target.path not in {reverse(name) for name in SIGN_IN_PAGES}:
            return response
        query = parse_qs(target.query)
        query["next"] = [_current_page(request)]
        whole_page = HttpResponseClientRedirect(f"{target.path}?{urlencode(query, doseq=True)}")
        # What the inner middleware added (X-Frame-Options, the session's and messages' cookies).
        for header, value in response.items():
            if header.lower() not in ("location", "content-type", "content-length"):
                whole_page[header] = value
        whole_page.cookies = response.cookies
        return whole_page


def _current_page(request: HttpRequest) -> str:
    """The page the fragment was asked from, as a path of this site; the fragment's own path if
    htmx did not say or named another site."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        page = urlsplit(current)
        return page.path + (f"?{page.query}" if page.query else "")
    return request.get_full_path()
