"""Every URL in the URLconf × every persona × every method it accepts: who gets in, who does not.

ENTRIES holds one Entry per URL name (the unnamed admin redirects by their route). A URL with no
entry fails test_every_url_has_an_entry, so a new page cannot go unreviewed; an entry whose URL
is gone fails too. To add a URL, add an Entry: how to build its arguments for an object of the
home scope or of the outside one (another county, tests/security/conftest.py), which methods to
try, and which personas may read (GET) and write (the other methods) the home object.

Refused means: anonymous is sent to a login page (a page) or gets 401 (the API); a signed-in
persona gets 403 or 404 (the admin's "no such object" redirect to its index counts too). Never a
500, and never the name or number of a household outside the persona's scope in the body, for
any persona and any response, allowed or not. A refused write changes no row.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import PERSONAS, SCOPE_VIEWERS, World

Args = Callable[[World, str], dict]
Query = Callable[[World, str], str]
Target = Callable[[World, str], QuerySet]


def no_args(world: World, scope: str) -> dict:
    return {}


def pk_of(attribute: str, key: str = "pk") -> Args:
    """Arguments {key: the pk of the scope's <attribute>}."""

    def build(world: World, scope: str) -> dict:
        return {key: getattr(world.scope(scope), attribute).pk}

    build.takes_object = True  # type: ignore[attr-defined]
    return build


def rows_of(attribute: str) -> Target:
    """The one row a refused write must leave as it was."""

    def rows(world: World, scope: str) -> QuerySet:
        obj = getattr(world.scope(scope), attribute)
        return type(obj).objects.filter(pk=obj.pk)

    return rows


def all_rows(model_path: str) -> Target:
    """Every row of a model: a refused create must add none."""

    def rows(world: World, scope: str) -> QuerySet:
        from django.apps import apps

        return apps.get_model(model_path).objects.all()

    return rows


@dataclass(frozen=True)
class Entry:
    readers: frozenset[str]  # personas whose GET of the home object gets through
    writers: frozenset[str] = frozenset()  # personas whose other methods get through
    args: Args = no_args
    methods: tuple[str, ...] = ("GET",)
    kind: str = "page"  # "page", "api" or "admin": how an anonymous refusal looks
    target: Target | None = None  # rows a refused write must not change
    queries: tuple[Query, ...] = ()  # GETs aimed at the outside scope through a list's filters
    body: dict = field(default_factory=dict)
    url: Callable[[World, str], str] | None = None  # for an unnamed route: its path, built

    @property
    def takes_object(self) -> bool:
        return getattr(self.args, "takes_object", False)


# Who is who, in sets the entries below combine.
ANYONE = frozenset(PERSONAS)
SIGNED_IN = ANYONE - {"anonymous", "api_client"}
FIELD = frozenset({"village_worker", "township_cadre", "county_officer"})
CADRES = frozenset({"township_cadre", "county_officer"})
COUNTY = frozenset({"county_officer"})
NOBODY: frozenset[str] = frozenset()

ENTRIES: dict[str, Entry] = {
    # accounts
    "login": Entry(readers=ANYONE),
    "logout": Entry(readers=NOBODY, writers=SIGNED_IN, methods=("POST",)),
    "home": Entry(readers=SIGNED_IN),
    # households
    "household-list": Entry(
        readers=FIELD | {"auditor"},
        queries=(lambda w, s: f"?village={w.scope(s).village.code}",),
    ),
    "household-detail": Entry(
        readers=FIELD | {"auditor"},
        writers=NOBODY,
        args=pk_of("household"),
        target=rows_of("household"),
    ),
}


# --- the URLconf, walked -----------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def urlconf_keys() -> set[str]:
    """One key per URL name (format-suffix twins share their name), or the route if unnamed."""
    return {key for key, _ in _walk(get_resolver())}


def test_every_url_has_an_entry():
    missing = sorted(urlconf_keys() - set(ENTRIES))
    assert not missing, f"URLs without an authorization matrix entry: {missing}"


def test_every_entry_names_a_url():
    stale = sorted(set(ENTRIES) - urlconf_keys())
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


# --- one request, judged -----------------------------------------------------------------------


def body_text(response) -> str:
    """The whole body as text: an .xlsx is unzipped, since its cells are where names would be."""
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    text = raw.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON may escape non-ASCII names as \\uXXXX.
        try:
            text += json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


LOGIN_PATHS = (resolve_url(settings.LOGIN_URL), "/admin/login/")


def outcome(response) -> str:
    """'error', 'refused' or 'through' (authorization passed; the input may still be refused)."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "refused"
    if status in (301, 302):
        location = response.get("Location", "")
        if location.startswith(LOGIN_PATHS) or location in ("/admin/", reverse("admin:index")):
            return "refused"
    return "through"


def url_for(key: str, entry: Entry, world: World, scope: str) -> str:
    if entry.url is not None:
        return entry.url(world, scope)
    return reverse(key, kwargs=entry.args(world, scope))


def send(client, method: str, url: str, entry: Entry):
    if method == "GET":
        return client.get(url)
    if entry.kind == "api":
        return client.generic(method, url, json.dumps(entry.body), content_type="application/json")
    return client.generic(
        method,
        url,
        "&".join(f"{k}={v}" for k, v in entry.body.items()),
        content_type="application/x-www-form-urlencoded",
    )


def assert_nothing_of_other_scopes(world: World, persona: str, text: str, where: str) -> None:
    for scope_name, viewers in SCOPE_VIEWERS.items():
        if persona in viewers:
            continue
        for marker in world.scope(scope_name).markers:
            assert marker not in text, f"{where}: {persona} sees {marker!r} of the {scope_name}"


def assert_refused_properly(response, persona: str, entry: Entry, where: str) -> None:
    status = response.status_code
    if persona == "anonymous" and entry.kind == "api":
        assert status == 401, f"{where}: anonymous got {status}, not 401"
    elif persona == "anonymous" or (persona == "api_client" and entry.kind != "api"):
        assert status in (302, 401, 403, 404), f"{where}: {status} for {persona}"
    assert outcome(response) == "refused", f"{where}: {persona} got {status}"


def snapshot(entry: Entry, world: World, scope: str):
    if entry.target is None:
        return None
    return [sorted(row.items()) for row in entry.target(world, scope).order_by("pk").values()]


def _cases():
    for key in sorted(ENTRIES):
        entry = ENTRIES[key]
        for method in entry.methods:
            for persona in PERSONAS:
                yield pytest.param(key, persona, method, id=f"{key}-{persona}-{method}")


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "persona", "method"), list(_cases()))
def test_persona_on_the_home_object(world: World, key: str, persona: str, method: str):
    entry = ENTRIES[key]
    url = url_for(key, entry, world, "home")
    where = f"{method} {url}"
    before = snapshot(entry, world, "home")
    response = send(world.client(persona), method, url, entry)
    assert outcome(response) != "error", f"{where}: {response.status_code} for {persona}"
    assert_nothing_of_other_scopes(world, persona, body_text(response), where)
    allowed = entry.readers if method == "GET" else entry.writers
    if persona in allowed:
        assert outcome(response) == "through", (
            f"{where}: {persona} refused ({response.status_code})"
        )
    else:
        assert_refused_properly(response, persona, entry, where)
        if method != "GET":
            assert snapshot(entry, world, "home") == before, f"{where}: {persona} changed rows"


OUTSIDERS_OF_OUTSIDE = tuple(p for p in PERSONAS if p not in SCOPE_VIEWERS["outside"])


def _outside_cases():
    for key in sorted(ENTRIES):
        entry = ENTRIES[key]
        if entry.takes_object:
            for method in entry.methods:
                for persona in OUTSIDERS_OF_OUTSIDE:
                    yield pytest.param(key, persona, method, 0, id=f"{key}-{persona}-{method}")
        for index, _query in enumerate(entry.queries):
            for persona in OUTSIDERS_OF_OUTSIDE:
                yield pytest.param(key, persona, "GET", index, id=f"{key}-{persona}-query{index}")


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "persona", "method", "query"), list(_outside_cases()))
def test_persona_on_the_outside_object(
    world: World, key: str, persona: str, method: str, query: int
):
    """Another county's object, reached by its id or by a list's filter: refused or absent."""
    entry = ENTRIES[key]
    url = url_for(key, entry, world, "outside")
    if not entry.takes_object:
        url += entry.queries[query](world, "outside")
    where = f"{method} {url}"
    before = snapshot(entry, world, "outside")
    response = send(world.client(persona), method, url, entry)
    assert outcome(response) != "error", f"{where}: {response.status_code} for {persona}"
    assert_nothing_of_other_scopes(world, persona, body_text(response), where)
    if entry.takes_object:
        assert_refused_properly(response, persona, entry, where)
    if method != "GET":
        assert snapshot(entry, world, "outside") == before, f"{where}: {persona} changed rows"
