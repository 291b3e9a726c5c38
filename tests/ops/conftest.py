"""One pilot county per test worker for the backup tests, migrated and seeded by the real
commands (the slowest set-up of the suite: made once, shared by both backup modules)."""

import os
import subprocess
import sys

import pytest
from psycopg import sql

from tests.conftest import migrated_copy_name
from tests.ops.test_backup import (
    BASE_DIR,
    _admin_connection,
    _database_url,
    _drop,
    _manage,
    database_prefix,
)

# A household and its head through the registry's services, as a cadre records them: the history
# triggers write the audit entries (the seed writes its rows without history).
RECORD_A_HOUSEHOLD = """
from accounts.models import User
from households import services
from households.models import Region
from tests.idgen import make_id_number
actor = User.objects.get(username="county")
village = Region.objects.filter(level="village").order_by("code").first()
household = services.household_create(
    actor=actor, village_code=village.code, poverty_status="ordinary", address="跨版本路 1 号"
)
services.member_create(
    actor=actor, household_id=household.pk, name="跨版本", relation="head",
    id_number=make_id_number("620423", "19700101", 917), labour="ordinary", education="junior",
)
print(household.number)
"""


def _exists(name: str) -> bool:
    with _admin_connection() as server:
        found = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


@pytest.fixture(scope="session")
def pilot_county(django_db_setup):
    """(database URL, number of the household recorded through the services) of a county of its
    own: not the test database, because a backup must see committed data, and a county migrated
    by `migrate` and seeded by `seed_demo` is what an operator backs up. Dropped at the end.

    It starts as a copy of the test database as `migrate` made it, before the suite's own changes
    (tests/conftest.py, migrated_copy_name): the same database a second `migrate` would build, in
    a second instead of the half minute of migrating again. `migrate` still runs on it, and finds
    nothing left to apply. Without the copy (--reuse-db) it migrates an empty database."""
    source = f"{database_prefix()}_backup_source"
    _drop(source)
    template = migrated_copy_name()
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(source))
    if _exists(template):
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _admin_connection() as server:
        server.execute(create)
    source_url = _database_url(source)
    try:
        _manage("migrate", "--no-input", "-v", "0", database_url=source_url)
        _manage("seed_demo", "--households", "40", "--seed", "3", database_url=source_url)
        recorded = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", RECORD_A_HOUSEHOLD],
            cwd=BASE_DIR,
            env=dict(os.environ, DATABASE_URL=source_url),
            capture_output=True,
            text=True,
        )
        assert recorded.returncode == 0, recorded.stderr[-2000:]
        yield source_url, recorded.stdout.strip().splitlines()[-1]
    finally:
        _drop(source)
