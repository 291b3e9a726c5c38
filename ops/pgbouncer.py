"""PgBouncer (Debian's package, installed by `make system-packages`) in transaction mode in front
of a PostgreSQL server, started here: tests/ops/test_replica.py runs Django through it and
bench/pooling.py measures it beside the psycopg pool. Production's is docker-compose.yml's
`pgbouncer` profile (docs/scaling.md § PgBouncer)."""

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


@dataclass
class Bouncer:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/pgbouncer"

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def stats(self, database: str) -> dict:
        """PgBouncer's own counters of a database (SHOW STATS): statements, transactions."""
        with psycopg.connect(self.admin_url, autocommit=True) as c:
            cursor = c.execute("SHOW STATS")
            names = [column.name for column in cursor.description or ()]
            for row in cursor.fetchall():
                if row[names.index("database")] == database:
                    return dict(zip(names, row, strict=True))
        return {}

    def stop(self) -> None:
        self.process.terminate()  # an immediate shutdown
        self.process.wait(10)


def binary() -> str:
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.access(found, os.X_OK):
        raise RuntimeError("pgbouncer is missing: `make system-packages` installs it")
    return found


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=1) as c:
            c.execute("SHOW VERSION")
        return True
    except psycopg.Error:
        return False


def start(
    folder: Path,
    *,
    port: int,
    server_host: str,
    server_port: int,
    databases: list[str],
    pool_size: int,
    user: str = "postgres",
    password: str = "",
) -> Bouncer:
    """PgBouncer on 127.0.0.1:`port`, pooling each of `databases` on the server in `pool_size`
    server connections handed out per transaction. Trusts its local clients (tests, bench)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.txt").write_text(f'"{user}" "{password}"\n')
    # PgBouncer refuses the startup option Django's connections set pgtrigger.ignore with
    # (config/settings.py): each server connection sets it once instead.
    connect_query = "connect_query='SET pgtrigger.ignore = ''{}'''"
    lines = [
        f"{name} = host={server_host} port={server_port} dbname={name} {connect_query}"
        for name in databases
    ]
    config = folder / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        + "\n".join(lines)
        + "\n[pgbouncer]\n"
        + f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        + f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        + f"admin_users = {user}\npool_mode = transaction\n"
        + f"default_pool_size = {pool_size}\nmax_client_conn = 1000\n"
        # psycopg sends it at connection; PgBouncer would refuse an unknown startup parameter.
        + "ignore_startup_parameters = extra_float_digits\n"
    )
    # PgBouncer refuses to run as root: it reads its files first, then becomes `nobody`.
    as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
    log = folder / "pgbouncer.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [binary(), *as_user, str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    bouncer = Bouncer(process, port, log)
    deadline = time.monotonic() + 15
    while not _answers(bouncer.admin_url):
        if process.poll() is not None or time.monotonic() > deadline:
            bouncer.stop() if process.poll() is None else None
            raise RuntimeError("pgbouncer did not start: " + log.read_text()[-1500:])
        time.sleep(0.05)
    return bouncer
