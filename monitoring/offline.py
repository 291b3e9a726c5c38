"""The visit page without a network (docs/offline.md): the service worker, the web app manifest,
and the short household list a village worker's phone keeps for its offline picker."""

import hashlib
import json

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from households import selectors as household_selectors

# What the visit page needs to open with no network. Pages are not here: they need a session
# and are cached as they are visited (network first), see templates/monitoring/sw.js.
PRECACHE = (
    "css/dixian.css",
    "vendor/htmx/htmx.min.js",
    "vendor/idb-keyval/umd.js",
    "js/visit-queue.js",
    "js/offline.js",
    "js/visit-form.js",
    "icons/icon-192.png",
)
# The offline picker needs a name and a number, nothing more; a worker covers a few villages.
PICKLIST_LIMIT = 3000


def _revision(path: str) -> str | None:
    """A content hash, so that the worker fetches a file again exactly when it changed. With
    hashed file names (production) the URL already says it, and None would do as well."""
    found = finders.find(path)
    if not found:
        return None
    with open(found, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:16]


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the root so that its scope covers /visits/; its text changes with any asset,
    which is how the browser learns there is a new version."""
    precache = [{"url": static(path), "revision": _revision(path)} for path in PRECACHE]
    return render(
        request,
        "monitoring/sw.js",
        {
            "config_json": json.dumps(
                {
                    "visitPage": reverse("visit-create"),
                    "workboxSw": static("vendor/workbox/workbox-sw.js"),
                    "workboxPrefix": static("vendor/workbox/"),
                    "queueScripts": [
                        static("vendor/idb-keyval/umd.js"),
                        static("js/visit-queue.js"),
                    ],
                    "precache": precache,
                },
                indent=2,
            )
        },
        content_type="application/javascript; charset=utf-8",
    )


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    body = {
        "name": _("Dixian · Record a visit"),
        "short_name": _("Dixian"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("visit-create"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#b3261e",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@login_required
@permission_required("monitoring.add_visit", raise_exception=True)
@require_GET
@cache_control(private=True, no_store=True)
def visit_household_picklist(request):
    """The worker's own households, as little as the offline picker needs: no ID numbers, no
    members, no figures."""
    households = (
        household_selectors.households_visible_to(request.user)
        .select_related("village")
        .only("pk", "number", "head_name", "village__name", "village__level")
        .order_by("number")[:PICKLIST_LIMIT]
    )
    return JsonResponse(
        {
            "households": [
                {
                    "id": household.pk,
                    "number": household.number,
                    "head_name": household.head_name,
                    "village": household.village.short_name,
                }
                for household in households
            ]
        }
    )
