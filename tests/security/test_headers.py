"""Every kind of response carries the security headers: pages, htmx partials, the API and its
errors, error pages, the admin, static files, the schema and its docs, downloads.

The responses are asked for over https with the production values of the HSTS settings (the
test settings are the development ones, which send no HSTS so as not to pin localhost)."""

import pytest
from django.test import Client, override_settings

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PRODUCTION_HSTS = {
    "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}
# Production serves collected files; tests have no collectstatic, so WhiteNoise reads them
# where they lie, as in development.
STATIC_FROM_SOURCES = {"WHITENOISE_USE_FINDERS": True, "WHITENOISE_AUTOREFRESH": True}

# (what, persona, path, extra request headers, expected status)
RESPONSES = [
    ("login page", None, "/login/", {}, 200),
    ("page", "township_cadre", "/households/", {}, 200),
    ("htmx partial", "township_cadre", "/households/?risk_level=high", {"HX-Request": "true"}, 200),
    ("API list", "api_client_user", "/api/v1/households/", {}, 200),
    ("API 401", None, "/api/v1/households/", {}, 401),
    ("API 404", "api_client_user", "/api/v1/households/999999999/", {}, 404),
    ("404 page", "township_cadre", "/no-such-page/", {}, 404),
    ("403 page", "partner", "/households/new/", {}, 403),
    ("admin login", None, "/admin/login/", {}, 200),
    ("static file", None, "/static/css/dixian.css", {}, 200),
    ("schema", "api_client_user", "/api/schema/", {}, 200),
    ("schema 401", None, "/api/schema/", {}, 401),
    ("API docs", "township_cadre", "/api/docs/", {}, 200),
    ("API docs script", "township_cadre", "/api/docs/?script=", {}, 200),
    # An export is a POST (it writes an audit record): a GET is sent to a page, with the headers.
    ("export by GET", "township_cadre", "/export/households.xlsx", {}, 302),
    ("service worker", None, "/sw.js", {}, 200),
    ("health probe", None, "/healthz/live", {}, 200),
    ("metrics (scraper)", None, "/metrics", {"Authorization": "Bearer headers-test-token"}, 200),
]


def _client(request, persona: str | None) -> Client:
    if persona == "api_client_user":
        from knox.models import AuthToken

        _, token = AuthToken.objects.create(request.getfixturevalue(persona))
        return Client(HTTP_AUTHORIZATION=f"Token {token}")
    return client_for(request.getfixturevalue(persona)) if persona else Client()


@pytest.mark.parametrize(
    ("persona", "path", "headers", "status"),
    [case[1:] for case in RESPONSES],
    ids=[case[0] for case in RESPONSES],
)
def test_every_kind_of_response_carries_the_security_headers(
    request, household, persona, path, headers, status
):
    with override_settings(
        **PRODUCTION_HSTS, **STATIC_FROM_SOURCES, METRICS_TOKEN="headers-test-token"
    ):
        # The client is made inside the override: middleware reads its settings when it loads.
        response = _client(request, persona).get(path, headers=headers, secure=True)
        assert response.status_code == status
        policy = response["Content-Security-Policy"]
        directives = dict(
            (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";"))
        )
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'self'"
        assert directives["form-action"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_only(household):
    with override_settings(**PRODUCTION_HSTS):
        client = Client()
        assert "Strict-Transport-Security" not in client.get("/login/")
        assert "Strict-Transport-Security" in client.get("/login/", secure=True)


def test_production_sends_plain_http_to_https_and_trusts_the_proxy_header():
    with override_settings(SECURE_SSL_REDIRECT=True, **PRODUCTION_HSTS):
        client = Client()
        response = client.get("/login/")
        assert response.status_code == 301
        assert response["Location"] == "https://testserver/login/"
    with override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        **PRODUCTION_HSTS,
    ):
        # The reverse proxy ended TLS and said so: the request is answered, with HSTS.
        response = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200
        assert "Strict-Transport-Security" in response


def test_pages_contain_no_inline_script_style_or_handler(township_cadre, household):
    """The policy would block them in the browser; here the HTML is read for them directly."""
    import re

    client = client_for(township_cadre)
    for path in ["/", "/households/", f"/households/{household.pk}/", "/login/", "/api/docs/"]:
        page = client.get(path).content.decode()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)
        assert scripts == [], (path, scripts)
        assert "<style" not in page, path
        assert not re.search(r"\sstyle=|\son[a-z]+=|\shx-on", page), path
