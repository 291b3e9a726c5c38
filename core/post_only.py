"""An address that only takes a form's POST, opened as a page, leads to the page the form is on.

A phone reopens the last address after the browser was closed, a person reloads after an edit
conflict ("refresh the page"), a login after the session expired goes on to the address the form
was posted to: each is a GET of an action (`/alerts/5/assign/`, `/cases/3/elimination/`), which
its view answers 405, and the browser shows its own blank error page, in English. The nearest
address above it that is a page of the site is where the form is, or its list: the person is
sent there, told that nothing was done. The page itself checks who may see what.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

READING = frozenset({"GET", "HEAD"})
# Machines get the status itself: the API's callers, htmx's fragments, the admin.
NOT_FOR_PEOPLE = ("/api/", "/admin/")


def page_above(path: str) -> str:
    """The nearest address above `path` that the site serves: `/cases/3/` for
    `/cases/3/steps/home_verification/`, `/` at the top."""
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) + "/"
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


class PostOnlyToPageMiddleware:
    """Placed after the message middleware: the page says why the person is there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.method not in READING
            or request.path_info.startswith(NOT_FOR_PEOPLE)
            or request.headers.get("HX-Request") == "true"
        ):
            return response
        messages.info(
            request,
            _("That address only takes a form sent from a page: nothing was done."),
        )
        return redirect(page_above(request.path_info))
