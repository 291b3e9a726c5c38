"""The deployment's database role, for the tests that the audit tables refuse rewrites.

The application is meant to connect as a role that owns no table and is no superuser (the owner
could drop the triggers). The test databases let a superuser through, so that Django can empty
and reload them between transactional tests (audit/triggers.py); these tests therefore take such
a role for the statement under test, on the application's own connection.
"""

import contextlib

import pytest
from django.db import connection, transaction

from tests.xdist_isolation import worker_suffix

# Roles belong to the whole server, not to one test database: one name per xdist worker.
APP_ROLE = f"dixian_audit_test_app{worker_suffix()}"


@pytest.fixture
def app_role(db) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER")
        for grant in (
            "SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES",
            "USAGE, SELECT, UPDATE ON ALL SEQUENCES",
            "EXECUTE ON ALL FUNCTIONS",
        ):
            cursor.execute(f"GRANT {grant} IN SCHEMA public TO {APP_ROLE}")
    return APP_ROLE  # made inside the test's transaction: gone with its rollback


@contextlib.contextmanager
def as_role(role: str):
    """A savepoint under `role`; leaving it (by an error or not) gives the superuser back."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks, which block a TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL ROLE {role}")
        yield cursor
        # Reached only without an error; after one, the savepoint's rollback undoes the SET.
        cursor.execute("RESET ROLE")


def insert_household_event(household, *, at, address: str) -> None:
    """A history row of the household dated `at`: the only way to make one old is to insert it
    so (an UPDATE of pgh_created_at is refused), as a restore from a backup would."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO households_householdevent
               (pgh_created_at, pgh_label, pgh_obj_id, id, number, village_id, address, phone,
                bank_account, poverty_status, version, created_at)
               SELECT %s, 'update', id, id, number, village_id, %s, phone, bank_account,
                      poverty_status, version, created_at
               FROM households_household WHERE id = %s""",
            [at, address, household.pk],
        )
