"""The audit tables refuse rewrites from the application's own connection (audit/triggers.py)."""

import datetime

import pghistory.models
import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import ExportEvent, ExportKind
from audit.triggers import LEGAL_FLOOR_DAYS, audit_tables
from households.models import Household, HouseholdEvent, SensitiveAccess

pytestmark = pytest.mark.django_db

APP_ROLE = "dixian_audit_test_app"


def _refused(sql: str, params=()) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


def _events(household) -> list[tuple]:
    return list(
        HouseholdEvent.objects.filter(pgh_obj_id=household.pk)
        .order_by("pgh_id")
        .values_list("pgh_id", "pgh_label", "address", "pgh_created_at")
    )


@pytest.fixture
def access(household, county_officer):
    member = household.members.first()
    return SensitiveAccess.objects.create(
        user=county_officer,
        member=member,
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
    assert "households_householdevent" in tables and "audit_exportevent" in tables
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, array_agg(t.tgname::text) FROM pg_trigger t
               JOIN pg_class c ON c.oid = t.tgrelid
               JOIN pg_proc p ON p.oid = t.tgfoid
               WHERE p.proname = 'audit_refuse_rewrite' GROUP BY c.relname"""
        )
        installed = {table: names for table, names in cursor.fetchall()}
    for table in tables:
        names = installed.get(table, [])
        assert len(names) == 3, f"{table} has {names}"
    assert len(installed["pghistory_context"]) == 3


def test_raw_update_delete_and_orm_writes_of_history_are_refused(household):
    before = _events(household)
    assert before
    _refused(
        "UPDATE households_householdevent SET address = 'forged' WHERE pgh_obj_id = %s",
        [household.pk],
    )
    _refused("DELETE FROM households_householdevent WHERE pgh_obj_id = %s", [household.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdEvent.objects.filter(pgh_obj_id=household.pk).update(address="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdEvent.objects.filter(pgh_obj_id=household.pk).delete()
    assert _events(household) == before


def test_unmasking_and_export_records_cannot_be_rewritten(access, export):
    _refused("UPDATE households_sensitiveaccess SET reason = 'forged' WHERE id = %s", [access.pk])
    _refused("DELETE FROM households_sensitiveaccess WHERE id = %s", [access.pk])
    _refused("UPDATE audit_exportevent SET row_count = 0 WHERE id = %s", [export.pk])
    _refused("DELETE FROM audit_exportevent WHERE id = %s", [export.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        ExportEvent.objects.filter(pk=export.pk).delete()
    access.refresh_from_db()
    export.refresh_from_db()
    assert (access.reason, export.row_count) == ("核对身份", 3)


def test_pgtrigger_ignore_does_not_switch_the_protection_off(household):
    import pgtrigger

    before = _events(household)
    with pytest.raises(DatabaseError), transaction.atomic():
        with pgtrigger.ignore(
            "households.HouseholdEvent:audit_no_update",
            "households.HouseholdEvent:audit_keep_young",
        ):
            HouseholdEvent.objects.filter(pgh_obj_id=household.pk).update(address="forged")
    assert _events(household) == before


def test_who_acted_cannot_be_rewritten_once_written(household, county_officer):
    context = pghistory.models.Context.objects.filter(
        pk=HouseholdEvent.objects.filter(pgh_obj_id=household.pk).values("pgh_context_id")[:1]
    ).get()
    _refused("DELETE FROM pghistory_context WHERE id = %s", [context.pk])
    _refused(
        "UPDATE pghistory_context SET created_at = created_at - interval '1 year' WHERE id = %s",
        [context.pk],
    )


@pytest.fixture
def app_role():
    """A role like the deployment's: owns nothing, may read and write the tables."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public "
            f"TO {APP_ROLE}"
        )
    yield APP_ROLE
    # The role goes with the test's transaction rollback.


@pytest.mark.parametrize(
    "table",
    [
        "households_householdevent",
        "households_sensitiveaccess",
        "audit_exportevent",
        "pghistory_context",
    ],
)
def test_truncate_is_refused_to_the_application_role(app_role, household, access, export, table):
    count = f"SELECT count(*) FROM {table}"
    with connection.cursor() as cursor:
        cursor.execute(count)
        before = cursor.fetchone()[0]
    assert before
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            # The test's own inserts leave deferred foreign-key checks, which block a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL ROLE {app_role}")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    with connection.cursor() as cursor:
        cursor.execute(count)
        assert cursor.fetchone()[0] == before


def test_deleting_a_household_cannot_take_its_history_with_it(household):
    before = _events(household)
    # The history's link to the household is not a database constraint: no cascade to follow.
    for model in audit_tables():
        for field in model._meta.fields:
            if field.is_relation and field.related_model is Household:
                assert (
                    not field.db_constraint or field.remote_field.on_delete.__name__ == "PROTECT"
                ), (
                    model,
                    field.name,
                )
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM households_member WHERE household_id = %s", [household.pk])
            cursor.execute("DELETE FROM households_household WHERE id = %s", [household.pk])
            cursor.execute(
                "DELETE FROM households_householdevent WHERE pgh_obj_id = %s", [household.pk]
            )
    assert _events(household) == before


def test_old_rows_past_the_floor_may_be_deleted_younger_ones_not(household):
    old = timezone.now() - datetime.timedelta(days=LEGAL_FLOOR_DAYS + 1)
    young = timezone.now() - datetime.timedelta(days=LEGAL_FLOOR_DAYS - 1)
    with connection.cursor() as cursor:
        for moment in (old, young):
            cursor.execute(
                """INSERT INTO households_householdevent
                   (pgh_created_at, pgh_label, pgh_obj_id, id, number, village_id, address, phone,
                    bank_account, poverty_status, version, created_at)
                   SELECT %s, 'update', id, id, number, village_id, 'dated', phone, bank_account,
                          poverty_status, version, created_at
                   FROM households_household WHERE id = %s""",
                [moment, household.pk],
            )
    dated = HouseholdEvent.objects.filter(pgh_obj_id=household.pk, address="dated")
    assert dated.count() == 2
    with transaction.atomic():
        dated.filter(
            pgh_created_at__lt=timezone.now() - datetime.timedelta(days=LEGAL_FLOOR_DAYS)
        ).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        dated.delete()
    assert list(dated.values_list("pgh_created_at", flat=True)) == [young]


def test_history_models_are_not_forgotten():
    labels = {model._meta.label for model in audit_tables()}
    assert {"audit.ExportEvent", "households.SensitiveAccess"} <= labels
    assert apps.get_model("accounts", "UserHistory") in audit_tables()
