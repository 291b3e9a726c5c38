"""An address that only takes a form's POST, opened as a page, leads to the page the form is on.

A phone reopens the last address after the browser was closed, a person reloads after an edit
conflict ("refresh the page"), a login after the session expired goes on to the address the form
was posted to: each is a GET of an action (`/alerts/5/assign/`, `/cases/3/elimination/`), which
its view answers 405, and the browser shows its own blank error page, in English. The nearest
address above it that is a page of the site is where the form is, or its list: the person is
sent there, told that nothing was done. The page itself checks who may see what.
"""

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.messages.storage.base import BaseStorage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy

READING = frozenset({"GET", "HEAD"})
NOTHING_DONE = gettext_lazy("That address only takes a form sent from a page: nothing was done.")
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
            # A page that takes no HEAD (a GET-only view) is not a form's address.
            or "GET" in response.get("Allow", "")
            or request.path_info.startswith(NOT_FOR_PEOPLE)
            or request.headers.get("HX-Request") == "true"
        ):
            return response
        tell_nothing_was_done(request)
        return redirect(page_above(request.path_info))


def tell_nothing_was_done(request: HttpRequest) -> None:
    """The message, once: an address above that is a form's address too sends the person on
    again, with the first message still waiting to be shown."""
    # The message middleware's storage (it is outside this one), not the list of a request
    # without it.
    waiting = cast(BaseStorage, messages.get_messages(request))
    said = any(str(message) == str(NOTHING_DONE) for message in waiting)
    waiting.used = False  # looked at, not shown: kept for the page
    if not said:
        messages.info(request, NOTHING_DONE)
