"""Who may read the details of the operations endpoints (/healthz's checks, /metrics): the
operator's scraper with its bearer token, or a signed-in county officer (verified by a second
factor where the role needs one)."""

import hmac
from importlib import import_module

from django.conf import settings
from django.http import HttpRequest


def bearer_token_matches(request: HttpRequest) -> bool:
    """The operator's token (DIXIAN_METRICS_TOKEN) in `Authorization: Bearer …`."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _signed_in_user(request: HttpRequest):
    # This middleware runs ahead of sessions and authentication, so it reads the session itself,
    # the way SessionMiddleware, AuthenticationMiddleware and django-otp's OTPMiddleware do, and
    # never saves it: no Set-Cookie, no session row written.
    from django.contrib.auth import get_user
    from django.utils.functional import SimpleLazyObject
    from django_otp.middleware import OTPMiddleware

    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(request.COOKIES[settings.SESSION_COOKIE_NAME])
    # As AuthenticationMiddleware does; the stubs do not let a lazy object stand for the user.
    request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]
    # OTPMiddleware wraps request.user with the session's verified device (user.is_verified()).
    return OTPMiddleware(lambda request: request.user)(request)


def may_read_details(request: HttpRequest) -> bool:
    if bearer_token_matches(request):
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # a probe: no session to read, no query
    from accounts.models import Role
    from accounts.two_factor import role_requires_two_factor

    user = _signed_in_user(request)
    if not user.is_authenticated or not (user.is_superuser or user.role == Role.COUNTY_OFFICER):
        return False
    return not role_requires_two_factor(user) or user.is_verified()
