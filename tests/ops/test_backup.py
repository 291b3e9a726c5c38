"""`make backup` and `make restore`: a restored database is the same, row for row, and serves."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

from ops.embedded_postgres import EMBEDDED_URL
from tests.xdist_isolation import worker_suffix

BASE_DIR = Path(__file__).resolve().parents[2]

SERVE_A_PAGE = """
import json
from django.test import Client
from accounts.models import User
from households.models import Household
client = Client()
client.force_login(User.objects.get(username="county"))
response = client.get("/households/")
body = response.content.decode()
numbers = Household.objects.values_list("number", flat=True)
print(json.dumps({"status": response.status_code, "shows": sum(n in body for n in numbers)}))
"""


def _database_url(name: str) -> str:
    return urlparse(os.environ.get("DATABASE_URL", EMBEDDED_URL))._replace(path=f"/{name}").geturl()


def _admin_connection() -> psycopg.Connection:
    return psycopg.connect(
        _database_url("postgres").replace("postgres://", "postgresql://"), autocommit=True
    )


def _fingerprint(url: str) -> dict[str, tuple]:
    """Every table's row count and a checksum of its rows; every sequence's position."""
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        fingerprint = {}
        for (table,) in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            fingerprint[table] = tuple(connection.execute(query).fetchone())
        for name, last_value in connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ):
            fingerprint[f"sequence {name}"] = (last_value,)
    return fingerprint


def _make(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=BASE_DIR,
        env=dict(os.environ, **environment),
        capture_output=True,
        text=True,
    )


def _drop(name: str) -> None:
    with _admin_connection() as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _manage(*arguments: str, database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=dict(os.environ, DATABASE_URL=database_url),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def database_prefix() -> str:
    # Databases belong to the whole server: one name per xdist worker.
    return urlparse(os.environ.get("DATABASE_URL", EMBEDDED_URL)).path.lstrip("/") + worker_suffix()


@pytest.fixture
def databases(pilot_county, db):
    """The pilot county (tests/ops/conftest.py) and a name to restore into, dropped before and
    after. `db` only so that the suite's session set-up has a test database when this file runs
    alone (tests/conftest.py loads the regions into it)."""
    target = f"{database_prefix()}_backup_restored"
    _drop(target)
    yield pilot_county[0], _database_url(target)
    _drop(target)


def test_backup_restores_into_a_fresh_database_identical_and_serving(tmp_path, databases):
    source, target = databases

    backed_up = _make("backup", f"BACKUP_DIR={tmp_path}", DATABASE_URL=source)
    assert backed_up.returncode == 0, backed_up.stderr
    (archive,) = tmp_path.glob("dixian-*.dump")
    assert archive.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    restored = _make("restore", f"BACKUP={archive}", RESTORE_DATABASE_URL=target)
    assert restored.returncode == 0, restored.stderr

    original, copy = _fingerprint(source), _fingerprint(target)
    # The seed's 40 households and the one recorded through the services.
    assert original["households_household"][0] == 41
    assert original["monitoring_scanrun"][0] >= 1
    assert copy == original

    served = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SERVE_A_PAGE],
        cwd=BASE_DIR,
        env=dict(os.environ, DATABASE_URL=target),
        capture_output=True,
        text=True,
    )
    assert served.returncode == 0, served.stderr[-2000:]
    page = json.loads(served.stdout.strip().splitlines()[-1])
    assert page["status"] == 200
    assert page["shows"] > 0

    # A second restore would overwrite what is there now: refused, and nothing is touched.
    again = _make("restore", f"BACKUP={archive}", RESTORE_DATABASE_URL=target)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert _fingerprint(target)["households_household"] == original["households_household"]

    forced = _make("restore", f"BACKUP={archive}", "FORCE=1", RESTORE_DATABASE_URL=target)
    assert forced.returncode == 0, forced.stderr
    assert _fingerprint(target) == original


def test_restore_without_a_file_or_a_target_explains_itself(tmp_path):
    no_file = _make("restore")
    no_target = subprocess.run(
        [sys.executable, "ops/backup.py", "restore", str(tmp_path / "missing.dump")],
        cwd=BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "RESTORE_DATABASE_URL"},
        capture_output=True,
        text=True,
    )

    assert no_file.returncode != 0 and "usage: make restore" in no_file.stderr
    assert no_target.returncode == 2 and "RESTORE_DATABASE_URL" in no_target.stderr
