"""One migrated database per source tree, copied for every test database that needs one.

`migrate` on an empty database costs two minutes of one core (about a thousand operations, each
re-rendering the models related to the one it changes), and every pytest-xdist worker used to
pay it for its own test database. Instead the first worker to need it migrates a database once,
under an advisory lock the others wait on, and publishes it as `dixian_migrated_<key>`; each test
database is then a copy of it (CREATE DATABASE … TEMPLATE, about a second), as are the backup
tests' pilot county and the bench's smoke run.

The key is a hash of every file the migrations could read: the project's source outside the
tests and the docs, and the lock file (the generated SQL of pghistory and pgtrigger depends on
their versions). Any change there is a new key and a new `migrate`; a run of the same tree on
the same server, a second worker or a rerun, copies the one already made.
"""

import functools
import hashlib
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections

BASE_DIR = Path(__file__).resolve().parent.parent
PREFIX = "dixian_migrated_"
# Folders whose files no migration reads.
IGNORED = {".git", ".venv", "node_modules", "var", "tests", "docs", "static", "locale", "bench"}
SOURCE_SUFFIXES = {".py", ".sql", ".json", ".csv", ".txt", ".yaml", ".lock", ".toml"}


@functools.cache
def source_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(_source_files()):
        digest.update(path.relative_to(BASE_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _source_files():
    for path in BASE_DIR.iterdir():
        if path.name in IGNORED or path.name.startswith("."):
            continue
        candidates = path.rglob("*") if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.suffix in SOURCE_SUFFIXES and candidate.is_file():
                yield candidate


def template_name() -> str:
    return PREFIX + source_key()


def _admin(settings_dict: dict) -> psycopg.Connection:
    """A connection to the server's maintenance database, outside any database it copies."""
    return psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _exists(admin: psycopg.Connection, name: str) -> bool:
    return bool(admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def _migrate_into(alias: str, name: str) -> None:
    """`migrate` as Django's create_test_db runs it, on the database `name`."""
    connection = connections[alias]
    connection.close()
    connection.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0, interactive=False, database=alias, run_syncdb=True)
    connection.close()


# Templates of earlier trees kept beside the newest: a run of another checkout (a branch in a
# worktree) on the same server may still be copying one.
KEPT = 3


def _drop_stale(admin: psycopg.Connection, newest: str) -> None:
    """Drop the templates of older source trees, the newest KEPT left, one in use left too."""
    stale = admin.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s)"
        " AND datname NOT LIKE '%%\\_building' AND datname <> %s ORDER BY oid DESC OFFSET %s",
        [PREFIX, newest, KEPT - 1],
    ).fetchall()
    for (name,) in stale:
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        except psycopg.errors.ObjectInUse:
            pass  # being copied by another run: the next new template drops it


def ensure_template(alias: str = "default") -> str:
    """The migrated database of this source tree, made if no run has made it yet."""
    connection = connections[alias]
    template = template_name()
    original_name = connection.settings_dict["NAME"]
    with _admin(connection.settings_dict) as admin:
        # The lock is the server's, so that every worker and every run of this tree waits for
        # the one that migrates; a run of another tree takes another lock.
        admin.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        try:
            if not _exists(admin, template):
                building = f"{template}_building"
                admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{building}"')
                try:
                    _migrate_into(alias, building)
                finally:
                    connection.settings_dict["NAME"] = original_name
                # Published whole: a run that finds the name finds it migrated.
                admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
                _drop_stale(admin, template)
        finally:
            admin.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
    return template


def copy_template(alias: str, name: str) -> None:
    """The database `name`, replaced by a copy of the migrated template."""
    connection = connections[alias]
    template = ensure_template(alias)
    connection.close()
    with _admin(connection.settings_dict) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


# The aliases whose test database this process made (or kept): the session's set-up that loads
# the regions has nothing to do when a run collected no test of the database.
made: set[str] = set()


def create_test_db(creation, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """Django's DatabaseCreation.create_test_db, the database copied instead of migrated."""
    connection = creation.connection
    alias = connection.alias
    made.add(alias)
    name = creation._get_test_db_name()
    with _admin(connection.settings_dict) as admin:
        kept = keepdb and _exists(admin, name)
    if not kept:
        copy_template(alias, name)
    settings.DATABASES[alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    if kept:  # --reuse-db: the kept database, brought up to the latest migrations
        call_command("migrate", verbosity=0, interactive=False, database=alias, run_syncdb=True)
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=alias)
    connection.ensure_connection()
    return name


def install() -> None:
    """Every PostgreSQL test database of this process made by create_test_db() above."""
    from django.db.backends.postgresql.creation import DatabaseCreation

    DatabaseCreation.create_test_db = create_test_db


if __name__ == "__main__":
    # `make test` makes the template in the background while the static checks run: a core's
    # two minutes of `migrate` no longer wait at the start of the suite, where one worker's
    # first test made it and the other's waited on the lock.
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(ensure_template())
