"""History rows name their context through our `_pgh_attach_context()` (audit/triggers.py): the
library's, without a subtransaction a row when no context is set."""

import json

import pghistory
import pghistory.models
import psycopg
import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import triggers
from households.models import Household, HouseholdEvent

pytestmark = pytest.mark.django_db


def _source() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = '_pgh_attach_context'")
        (source,) = cursor.fetchone()
    return source


def _readdress(household: Household, suffix: str) -> HouseholdEvent:
    Household.objects.filter(pk=household.pk).update(address=f"address {suffix}")
    return HouseholdEvent.objects.filter(pgh_obj_id=household.pk).order_by("pgh_id").last()


def _set_context(context_id: str, metadata: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pghistory.context_id', %s, true),"
            " set_config('pghistory.context_metadata', %s, true)",
            [context_id, metadata],
        )


def test_the_migrated_function_returns_before_any_subtransaction_when_no_context_is_set():
    source = _source()
    assert source == triggers.ATTACH_CONTEXT_BODY
    # The library's reads its settings inside the EXCEPTION block; ours returns first.
    assert source.index("RETURN NULL") < source.upper().index("EXCEPTION")


def test_a_write_inside_a_context_carries_it(household):
    with transaction.atomic(), pghistory.context(user=42, url="/households/"):
        event = _readdress(household, "in a context")
    assert event.pgh_context is not None
    assert event.pgh_context.metadata == {"user": 42, "url": "/households/"}


def test_a_session_that_never_set_a_context_attaches_none():
    # A connection of its own: the test's transaction has had contexts set in it by fixtures.
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        assert other.execute("SELECT _pgh_attach_context()").fetchone() == (None,)


def test_a_write_after_a_context_ended_carries_none(household):
    with transaction.atomic(), pghistory.context(user=42):
        inside = _readdress(household, "inside")
    # What a session holds once the transaction that set its context has ended: both empty.
    _set_context("", "")
    after = _readdress(household, "after the context")
    assert inside.pgh_context_id is not None
    assert after.pgh_context_id is None


@pytest.mark.parametrize(
    "context_id, metadata",
    [
        # json.dumps writes both; PostgreSQL's jsonb refuses them (a NUL in a request's path).
        ("0d4d2b6a-4b54-4ceb-8993-157185c31dcf", json.dumps({"url": "/a\x00b"})),
        ("0d4d2b6a-4b54-4ceb-8993-157185c31dcf", json.dumps({"amount": float("nan")})),
        ("not a uuid", json.dumps({"user": 1})),
    ],
)
def test_a_context_postgresql_refuses_attaches_none_and_the_write_goes_through(
    household, context_id, metadata
):
    _set_context(context_id, metadata)
    event = _readdress(household, "with a refused context")
    assert event.address == "address with a refused context"
    assert event.pgh_context_id is None


def test_one_context_is_one_row_whatever_the_statements_written(household):
    with transaction.atomic(), pghistory.context(user=7):
        first = _readdress(household, "one")
        second = _readdress(household, "two")
    assert first.pgh_id != second.pgh_id
    assert first.pgh_context_id == second.pgh_context_id
    assert pghistory.models.Context.objects.filter(pk=first.pgh_context_id).count() == 1


def test_a_later_migrate_puts_ours_back_after_the_library_reinstalled_its_own():
    pghistory.models.Context.install_pgh_attach_context_func()
    assert _source() != triggers.ATTACH_CONTEXT_BODY
    emit_post_migrate_signal(0, False, "default")
    assert _source() == triggers.ATTACH_CONTEXT_BODY


def test_a_migrate_with_ours_in_place_writes_nothing():
    with CaptureQueriesContext(connection) as queries:
        triggers.install_attach_context()
    assert not [q for q in queries.captured_queries if "CREATE" in q["sql"]]


def test_a_database_the_audit_app_does_not_migrate_is_left_alone(monkeypatch):
    monkeypatch.setattr(triggers.router, "allow_migrate", lambda using, app_label: False)
    pghistory.models.Context.install_pgh_attach_context_func()
    with CaptureQueriesContext(connection) as queries:
        triggers.install_attach_context()
    assert queries.captured_queries == []
    assert _source() != triggers.ATTACH_CONTEXT_BODY
