"""Connection handling under gunicorn: a new connection per request, one persistent connection per
process (Dixian's default, CONN_MAX_AGE=60), one per thread of a threaded server, and Django's
psycopg pool shared by a threaded server's threads (DIXIAN_DB_POOL_SIZE), and PgBouncer in
transaction mode in front of PostgreSQL (ops/pgbouncer.py, DIXIAN_DB_PGBOUNCER) with the same
threads.

Eight client threads each read a small API page REQUESTS times; the figures are the request
times, the throughput and the most server connections the bench database saw at once.
"""

import statistics
import threading
import time
import urllib.request

from bench.common import COUNTY, client_for, sized, user
from bench.load_test import _free_port, _server_env, _wait_for

CLIENTS, REQUESTS = sized(8, 2), sized(50, 3)
# Two gunicorn workers a server; one in a smoke run, whose four servers' start-ups are its cost.
SERVER_WORKERS = sized(2, 1)
PGBOUNCER_MODE = "PgBouncer, transaction mode, 4 server connections; 2 workers × 4 threads"
PATH = "/api/v1/regions/?page_size=5"
MODES = {
    "new connection per request (CONN_MAX_AGE=0), 2 sync workers": (
        {"DIXIAN_CONN_MAX_AGE": "0"},
        [],
    ),
    "persistent connection per process (CONN_MAX_AGE=60), 2 sync workers": ({}, []),
    "persistent connection per thread, 2 workers × 4 threads": ({}, ["--threads", "4"]),
    "psycopg pool of 4 per process, 2 workers × 4 threads": (
        {"DIXIAN_DB_POOL_SIZE": "4"},
        ["--threads", "4"],
    ),
    # The same load through PgBouncer holding 4 server connections for both processes.
    PGBOUNCER_MODE: ({"DIXIAN_DB_PGBOUNCER": "true"}, ["--threads", "4"]),
}
PGBOUNCER_SERVER_CONNECTIONS = 4


def _connections(database: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return cursor.fetchone()[0]


def _watch(database: str, peak: list[int], done: threading.Event) -> None:
    """The most connections seen at once, until `done`."""
    while not done.is_set():
        peak[0] = max(peak[0], _connections(database))
        time.sleep(0.05)


def _hammer(url: str, cookie: str) -> tuple[list[float], int]:
    timings, failures, lock = [], [0], threading.Lock()

    def client() -> None:
        for _ in range(REQUESTS):
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                failures[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, failures[0]


def _bouncer(settings_dict: dict, database: str):
    import tempfile
    from pathlib import Path

    from ops import pgbouncer

    return pgbouncer.start(
        Path(tempfile.mkdtemp(prefix="dixian-pgbouncer-")),
        port=_free_port(),
        server_host=settings_dict["HOST"] or "127.0.0.1",
        server_port=int(settings_dict["PORT"] or 5432),
        databases=[database],
        pool_size=PGBOUNCER_SERVER_CONNECTIONS,
        user=settings_dict["USER"] or "postgres",
        password=settings_dict["PASSWORD"] or "",
    )


def measure_pooling() -> dict:
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    from accounts.models import Role

    officer = client_for(user("bench_pool_officer", Role.COUNTY_OFFICER, COUNTY))
    cookie = f"sessionid={officer.cookies['sessionid'].value}"
    database = connection.settings_dict["NAME"]
    results = {}
    for label, (settings_env, gunicorn_options) in MODES.items():
        port = _free_port()
        bouncer = None
        if label == PGBOUNCER_MODE:
            bouncer = _bouncer(connection.settings_dict, database)
            settings_env = dict(
                settings_env, DATABASE_URL=bouncer.url(database, connection.settings_dict["USER"])
            )
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
            + ["-b", f"127.0.0.1:{port}", "-w", str(SERVER_WORKERS)]
            + gunicorn_options
            + ["--log-level", "warning"],
            cwd=settings.BASE_DIR,
            env=dict(_server_env(), **settings_env),
            stdout=sys.stderr,
        )
        peak, done = [0], threading.Event()
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for(f"{url}/login/")
            _hammer(f"{url}{PATH}", cookie)  # warm every worker and thread
            watcher = threading.Thread(target=_watch, args=(database, peak, done))
            watcher.start()
            started = time.perf_counter()
            timings, failures = _hammer(f"{url}{PATH}", cookie)
            elapsed = time.perf_counter() - started
            done.set()
            watcher.join()
        finally:
            done.set()
            server.terminate()
            server.wait(timeout=30)
            if bouncer:
                bouncer.stop()
        timings.sort()
        results[label] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "requests_per_second": round(len(timings) / elapsed, 1),
            "failures": failures,
            "peak_connections": peak[0],
        }
    return {"path": PATH, "clients": CLIENTS, "requests_each": REQUESTS, "modes": results}
