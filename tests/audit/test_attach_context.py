"""History rows name their context through our `_pgh_attach_context()` (audit/triggers.py): the
library's, without the EXCEPTION block that cost a subtransaction a row."""

import pghistory
import pghistory.models
import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit.triggers import install_attach_context
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


def test_the_migrated_function_is_ours_and_opens_no_subtransaction():
    assert "current_setting('pghistory.context_id', true)" in _source()
    assert "EXCEPTION" not in _source().upper()


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
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pghistory.context_id', '', true),"
            " set_config('pghistory.context_metadata', '', true)"
        )
    after = _readdress(household, "after the context")
    assert inside.pgh_context_id is not None
    assert after.pgh_context_id is None


def test_one_context_is_one_row_whatever_the_statements_written(household):
    with transaction.atomic(), pghistory.context(user=7):
        first = _readdress(household, "one")
        second = _readdress(household, "two")
    assert first.pgh_id != second.pgh_id
    assert first.pgh_context_id == second.pgh_context_id
    assert pghistory.models.Context.objects.filter(pk=first.pgh_context_id).count() == 1


def test_a_later_migrate_puts_ours_back_after_the_library_reinstalled_its_own():
    from pghistory.models import Context

    Context.install_pgh_attach_context_func()
    assert "EXCEPTION" in _source().upper()
    call_command("migrate", "audit", verbosity=0)
    assert "EXCEPTION" not in _source().upper()
    before = _source()
    install_attach_context()  # once more: the receiver may run any number of times
    assert _source() == before
