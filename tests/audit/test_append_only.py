"""The audit tables refuse rewrites from the application's own connection (audit/triggers.py),
under the deployment's role (tests/audit/conftest.py)."""

import datetime

import pghistory.models
import pgtrigger
import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import ExportEvent, ExportKind
from audit.triggers import LEGAL_FLOOR_DAYS, REFUSE_FUNCTION, REFUSE_FUNCTION_SQL, audit_tables
from households.models import Household, HouseholdEvent, SensitiveAccess
from tests.audit.conftest import as_role, insert_household_event

pytestmark = pytest.mark.django_db


def _refused(role: str, sql: str, params=()) -> None:
    with pytest.raises(DatabaseError, match="append-only"), as_role(role) as cursor:
        cursor.execute(sql, params)


def _events(household) -> list[tuple]:
    return list(
        HouseholdEvent.objects.filter(pgh_obj_id=household.pk)
        .order_by("pgh_id")
        .values_list("pgh_id", "pgh_label", "address", "pgh_created_at")
    )


@pytest.fixture
def access(household, county_officer):
    return SensitiveAccess.objects.create(
        user=county_officer,
        member=household.members.first(),
        household=household,
        fields="id_number",
        reason="核对身份",
        channel="page",
    )


@pytest.fixture
def export(county_officer):
    return ExportEvent.objects.create(
        user=county_officer,
        kind=ExportKind.SPREADSHEET,
        name="households",
        row_count=3,
        region_code="620423",
    )


def test_every_audit_table_has_the_three_triggers_installed():
    tables = {model._meta.db_table for model in audit_tables()}
    assert {"households_householdevent", "audit_exportevent", "accounts_userhistory"} <= tables
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, array_agg(t.tgname::text) FROM pg_trigger t
               JOIN pg_class c ON c.oid = t.tgrelid
               JOIN pg_proc p ON p.oid = t.tgfoid
               WHERE p.proname = 'audit_refuse_rewrite' GROUP BY c.relname"""
        )
        installed = dict(cursor.fetchall())
    for table in tables | {"pghistory_context"}:
        assert len(installed.get(table, [])) == 3, f"{table}: {installed.get(table)}"


def test_raw_and_orm_rewrites_of_history_are_refused(app_role, household):
    before = _events(household)
    assert before
    _refused(
        app_role,
        "UPDATE households_householdevent SET address = 'forged' WHERE pgh_obj_id = %s",
        [household.pk],
    )
    _refused(
        app_role, "DELETE FROM households_householdevent WHERE pgh_obj_id = %s", [household.pk]
    )
    rows = HouseholdEvent.objects.filter(pgh_obj_id=household.pk)
    with pytest.raises(DatabaseError), as_role(app_role):
        rows.update(address="forged")
    with pytest.raises(DatabaseError), as_role(app_role):
        rows.delete()
    assert _events(household) == before


def test_the_installed_function_lets_no_superuser_through(household):
    """The function the migrations install has no branch for test databases: put back in place
    of the test suite's own (tests/conftest.py) inside this test's transaction, which rolls it
    back, it refuses this superuser connection too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0]
        cursor.execute(REFUSE_FUNCTION_SQL)
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [REFUSE_FUNCTION])
        assert "rolsuper" not in cursor.fetchone()[0]
    before = _events(household)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE households_householdevent SET address = 'forged' WHERE pgh_obj_id = %s",
                [household.pk],
            )
    assert _events(household) == before


def test_unmasking_and_export_records_cannot_be_rewritten(app_role, access, export):
    _refused(
        app_role,
        "UPDATE households_sensitiveaccess SET reason = 'forged' WHERE id = %s",
        [access.pk],
    )
    _refused(app_role, "DELETE FROM households_sensitiveaccess WHERE id = %s", [access.pk])
    _refused(app_role, "UPDATE audit_exportevent SET row_count = 0 WHERE id = %s", [export.pk])
    _refused(app_role, "DELETE FROM audit_exportevent WHERE id = %s", [export.pk])
    with pytest.raises(DatabaseError), as_role(app_role):
        ExportEvent.objects.filter(pk=export.pk).delete()
    with pytest.raises(DatabaseError), as_role(app_role):
        SensitiveAccess.objects.filter(pk=access.pk).update(reason="forged")
    access.refresh_from_db()
    export.refresh_from_db()
    assert (access.reason, export.row_count) == ("核对身份", 3)


def test_pgtrigger_ignore_does_not_switch_the_protection_off(app_role, household):
    before = _events(household)
    uris = [f"households.HouseholdEvent:{name}" for name in ("audit_no_update", "audit_keep_young")]
    with pytest.raises(DatabaseError), pgtrigger.ignore(*uris), as_role(app_role):
        HouseholdEvent.objects.filter(pgh_obj_id=household.pk).update(address="forged")
    assert _events(household) == before


def test_who_acted_cannot_be_deleted_or_redated(app_role, household):
    context_id = HouseholdEvent.objects.filter(pgh_obj_id=household.pk).first().pgh_context_id
    _refused(app_role, "DELETE FROM pghistory_context WHERE id = %s", [context_id])
    _refused(
        app_role,
        "UPDATE pghistory_context SET created_at = created_at - interval '1 year' WHERE id = %s",
        [context_id],
    )
    assert pghistory.models.Context.objects.filter(pk=context_id).exists()


@pytest.mark.parametrize(
    "table",
    [
        "households_householdevent",
        "households_sensitiveaccess",
        "audit_exportevent",
        "pghistory_context",
    ],
)
def test_truncate_is_refused(app_role, household, access, export, table):
    count = f"SELECT count(*) FROM {table}"
    with connection.cursor() as cursor:
        cursor.execute(count)
        before = cursor.fetchone()[0]
    assert before
    _refused(app_role, f"TRUNCATE {table} CASCADE")
    with connection.cursor() as cursor:
        cursor.execute(count)
        assert cursor.fetchone()[0] == before


def test_deleting_a_household_cannot_take_its_history_with_it(app_role, household):
    before = _events(household)
    # No history table has a database constraint to the household: there is no cascade to
    # follow; the unmasking record's key protects (PROTECT, and the database refuses too).
    for model in audit_tables():
        for field in model._meta.fields:
            if field.is_relation and field.related_model is Household and field.db_constraint:
                assert field.remote_field.on_delete.__name__ == "PROTECT", (model, field.name)
    with pytest.raises(DatabaseError), as_role(app_role) as cursor:
        cursor.execute("DELETE FROM households_member WHERE household_id = %s", [household.pk])
        cursor.execute("DELETE FROM households_household WHERE id = %s", [household.pk])
        cursor.execute(
            "DELETE FROM households_householdevent WHERE pgh_obj_id = %s", [household.pk]
        )
    assert _events(household) == before


def test_rows_past_the_floor_may_be_deleted_younger_ones_not(app_role, household):
    old = timezone.now() - datetime.timedelta(days=LEGAL_FLOOR_DAYS + 1)
    young = timezone.now() - datetime.timedelta(days=LEGAL_FLOOR_DAYS - 1)
    for moment in (old, young):
        insert_household_event(household, at=moment, address="dated")
    dated = HouseholdEvent.objects.filter(pgh_obj_id=household.pk, address="dated")
    floor = timezone.now() - datetime.timedelta(days=LEGAL_FLOOR_DAYS)
    with as_role(app_role):
        assert dated.filter(pgh_created_at__lt=floor).delete()[0] == 1
    with pytest.raises(DatabaseError), as_role(app_role):
        dated.delete()
    assert list(dated.values_list("pgh_created_at", flat=True)) == [young]


def test_the_users_history_is_an_audit_table():
    labels = {model._meta.label for model in audit_tables()}
    assert {"audit.ExportEvent", "households.SensitiveAccess"} <= labels
    assert apps.get_model("accounts", "UserGroupHistory") in audit_tables()
