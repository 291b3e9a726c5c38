"""The read replica's routing without a replica server (core/replica.py): nothing changes unless
DATABASE_REPLICA_URL is set; with one, a browser's write pins its next reads to the primary.
The pair that really streams is tested in tests/ops/test_replica.py."""

import time

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.test import RequestFactory

from core import replica


@pytest.fixture
def replica_alias():
    """A `replica` alias, never connected to: what configured() looks for."""
    connections.settings[replica.REPLICA] = dict(connections.settings[DEFAULT_DB_ALIAS])
    try:
        yield
    finally:
        del connections.settings[replica.REPLICA]


def _through_middleware(request):
    seen = {}

    def view(request):
        seen["pinned"] = replica._pinned.get()
        return HttpResponse("ok")

    response = replica.PrimaryAfterWriteMiddleware(view)(request)
    return response, seen["pinned"]


def test_without_a_replica_nothing_changes():
    assert settings.DATABASE_ROUTERS == []
    assert not replica.configured()
    with replica.reads_from_replica():
        assert replica.read_alias() == DEFAULT_DB_ALIAS
    response, pinned = _through_middleware(RequestFactory().post("/x/"))
    assert replica.PIN_COOKIE not in response.cookies
    assert not pinned


def test_a_write_pins_the_browser_to_the_primary(replica_alias):
    response, pinned = _through_middleware(RequestFactory().post("/x/"))
    cookie = response.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == settings.DIXIAN_REPLICA_PIN_SECONDS
    assert cookie["httponly"]
    assert float(cookie.value) > time.time() + settings.DIXIAN_REPLICA_MAX_LAG_SECONDS
    # The next GET carries it: every read of that request stays on the primary.
    later = RequestFactory().get("/y/")
    later.COOKIES[replica.PIN_COOKIE] = cookie.value
    response, pinned = _through_middleware(later)
    assert pinned and replica.PIN_COOKIE not in response.cookies
    with replica.pinned_to_primary(), replica.reads_from_replica():
        assert replica.read_alias() == DEFAULT_DB_ALIAS
    # An expired or forged value pins nothing.
    for value in (f"{time.time() - 1:.0f}", "soon"):
        stale = RequestFactory().get("/y/")
        stale.COOKIES[replica.PIN_COOKIE] = value
        assert _through_middleware(stale)[1] is False


def test_unmarked_reads_never_ask_the_replica(replica_alias):
    # No guard question, no connection to the (unreachable) replica alias.
    assert replica.read_alias() == DEFAULT_DB_ALIAS


@pytest.mark.django_db
def test_a_department_systems_household_page_reads_its_members_where_its_households(
    household, api_client_user, replica_alias
):
    """The API's household list reads its page's members after the page (households/api.py):
    in the same place, so that a department system's page is of one moment and all of it
    leaves the primary."""
    from django.db import connection
    from rest_framework.test import APIClient

    marked_reads: dict[str, list[bool]] = {"households_household": [], "households_member": []}

    def record(execute, sql, params, many, context):
        table = sql.split(" FROM ", 1)[1].split()[0].strip('"') if " FROM " in sql else ""
        if table in marked_reads:
            marked_reads[table].append(replica._marked.get())
        return execute(sql, params, many, context)

    client = APIClient()
    client.force_authenticate(api_client_user)
    with connection.execute_wrapper(record):
        response = client.get("/api/v1/households/")
    assert response.status_code == 200 and response.json()["results"][0]["members"]
    assert marked_reads["households_household"] == [True]
    assert marked_reads["households_member"] == [True]
