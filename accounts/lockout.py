"""Login lockout: what django-axes counts, whose address it is, and what a locked-out login sees.

The settings block "login protection" in config/settings.py says why the pair of username and
address is what locks, with a higher limit for an address alone.
"""

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext


class AddressAwareAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, with a second and higher limit for an address across usernames.

    Axes compares every lockout parameter against one limit; the pair (username, address) uses it
    as it is, and an address that failed LOGIN_ADDRESS_FAILURE_LIMIT times in the cool-off counts
    as having reached it for every username."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        pair_failures = super().get_failures(request, credentials)
        address_failures = (
            AccessAttempt.objects.filter(
                ip_address=request.axes_ip_address,
                attempt_time__gte=get_cool_off_threshold(request),
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )
        if address_failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair_failures, get_failure_limit(request, credentials))
        return pair_failures


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the address the nearest of
    them saw. Entries further left in X-Forwarded-For were written by the client and are not
    trusted: taking them would let anyone pick the address their failures are counted under."""
    proxies = settings.LOGIN_TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME / timedelta(minutes=1))


def lockout_message() -> str:
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed logins for this account from this address. "
        "Try again in %(minutes)d minute.",
        "Too many failed logins for this account from this address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """What axes' middleware answers a locked-out login with (AXES_LOCKOUT_CALLABLE).

    The API answers for itself, in its own error format (accounts/api.py raises Throttled), so
    its response is kept; a page gets a page."""
    if request.path.startswith("/api/") and original_response is not None:
        return original_response
    response = render(
        request,
        "accounts/login_locked_out.html",
        {"message": lockout_message(), "title": gettext("Login locked")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def login_failure_record(request: HttpRequest, user) -> None:
    """A wrong secret given for a known user counts as a failed login: a wrong second-factor code
    (the code step of the login page and the token login of the API, two_factor.login_code_check)
    and a wrong current password given while signed in (the password change page: whoever holds
    an open session may not try passwords without limit). Axes counts it for the pair of
    username and address, and its middleware answers the lockout page at the limit, as for a
    wrong password on the login page."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


def is_locked_out(request: HttpRequest, user) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


def login_logs_prune(*, older_than_days: int) -> int:
    """Delete the login and login-failure records older than the retention; returns how many."""
    limit = timezone.now() - timedelta(days=older_than_days)
    logs, _ = AccessLog.objects.filter(attempt_time__lt=limit).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=limit).delete()
    return logs + failures
