"""Fifty people at once on loopback: locust (bench/locustfile.py), headless, for a bounded time,
against gunicorn as production runs it (DEBUG off, collected static files, four workers) and a
Celery worker on the interactive queue that evaluates each household after its visit.

35 village workers of 一条山镇's villages enter visits and open their households; 15 township
cadres of the county's townships work their warning queues, cases and dashboards. Every
request's p95 and every failure are reported; `load_p95_ms` is the worst path's p95.
"""

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.crypto import get_random_string

from bench.common import SMOKE, TOWNSHIP_PREFIX, client_for, peak_rss_mb, sized, user

# A smoke run: four people for eight seconds on one gunicorn worker, enough for a request of
# each kind to pass through the server and the Celery worker.
USERS, SPAWN_RATE, SECONDS = sized((50, 10, 60), (4, 4, 8))
VILLAGE_WORKERS, TOWNSHIP_CADRES = sized((35, 15), (2, 2))
GUNICORN_WORKERS = sized(4, 1)
OUT_DIR = Path(settings.BASE_DIR) / "var" / "bench"


def _session(person) -> dict:
    client = client_for(person)
    return {"session": client.cookies["sessionid"].value, "csrf": get_random_string(32)}


def _people() -> dict:
    from accounts.models import Role
    from assistance.models import Case
    from households.models import Household, Region
    from monitoring.models import ACTIVE_STATUSES, Alert

    villages = list(
        Region.objects.filter(code__startswith=TOWNSHIP_PREFIX, level="village")
        .order_by("code")
        .values_list("code", flat=True)[:VILLAGE_WORKERS]
    )
    workers = []
    for index, village in enumerate(villages):
        person = user(f"bench_load_worker_{index}", Role.VILLAGE_WORKER, village)
        households = Household.objects.filter(village_id=village).order_by("id")
        workers.append(
            {**_session(person), "households": list(households.values_list("id", flat=True)[:100])}
        )
    townships = list(
        Region.objects.filter(code__startswith=TOWNSHIP_PREFIX[:6], level="township")
        .order_by("code")
        .values_list("code", flat=True)
    )
    cadres = []
    for index in range(TOWNSHIP_CADRES):
        township = townships[index % len(townships)]
        prefix = township[:9]
        person = user(f"bench_load_cadre_{index}", Role.TOWNSHIP_CADRE, township)
        in_township = {"household__village__code__startswith": prefix}
        cadres.append(
            {
                **_session(person),
                "region": township,
                "households": list(
                    Household.objects.filter(village__code__startswith=prefix)
                    .order_by("id")
                    .values_list("id", flat=True)[:100]
                ),
                "alerts": list(
                    Alert.objects.filter(status__in=ACTIVE_STATUSES, **in_township)
                    .order_by("id")
                    .values_list("id", flat=True)[:100]
                ),
                "cases": list(
                    Case.objects.filter(**in_township)
                    .order_by("id")
                    .values_list("id", flat=True)[:100]
                ),
            }
        )
    return {"village_workers": workers, "township_cadres": cadres}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env() -> dict:
    """Production settings with the bench's keys (bench/run.py; the registry was built with them)."""
    # A smoke run's servers read the static files where they lie: collecting them (a minute of
    # compression) would be most of its load step.
    smoke = {"DIXIAN_STATIC_FROM_SOURCES": "true"} if SMOKE else {}
    return dict(
        os.environ,
        **smoke,
        DIXIAN_DEBUG="false",
        # Production's settings, served as the bench serves them: plain HTTP on loopback, with
        # no TLS proxy in front. Their redirect to https would send every request (and
        # _wait_for's probe) to a port that speaks no TLS (issue 21: WRONG_VERSION_NUMBER).
        DIXIAN_SSL_REDIRECT="false",
        # The sessions were signed in this process: the server must share its key.
        DIXIAN_SECRET_KEY=settings.SECRET_KEY,
        DIXIAN_ID_ENCRYPTION_KEYS=",".join(settings.ID_ENCRYPTION_KEYS),
        DIXIAN_ID_HASH_KEY=settings.ID_HASH_KEY,
        DIXIAN_LOG_LEVEL="WARNING",
    )


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def _stats(path: Path) -> dict:
    with path.open(encoding="utf-8") as rows:
        table = list(csv.DictReader(rows))

    def figure(row: dict, key: str) -> float:
        value = row[key]
        return float(value) if value not in ("", "N/A") else 0.0

    paths = {
        f"{row['Type']} {row['Name']}": {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": figure(row, "50%"),
            "p95_ms": figure(row, "95%"),
            "max_ms": figure(row, "Max Response Time"),
        }
        for row in table
        if row["Name"] != "Aggregated"
    }
    total = next(row for row in table if row["Name"] == "Aggregated")
    return {
        "paths": paths,
        "requests": int(total["Request Count"]),
        "requests_per_second": figure(total, "Requests/s"),
        "load_errors": int(total["Failure Count"]),
        "load_p95_ms": max(path["p95_ms"] for path in paths.values()),
        "aggregate_p95_ms": figure(total, "95%"),
    }


def measure_load() -> dict:
    from monitoring.models import Visit

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    people_file = OUT_DIR / "load-people.json"
    people_file.write_text(json.dumps(_people()))
    env = _server_env()
    base = Path(settings.BASE_DIR)
    if not SMOKE:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=base,
            env=env,
            check=True,
        )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
        + ["-b", f"127.0.0.1:{port}"]
        + ["-w", str(GUNICORN_WORKERS), "--log-level", "warning"],
        cwd=base,
        env=env,
        stdout=sys.stderr,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "interactive,celery"]
        + ["-c", "1", "-l", "warning", "--without-gossip", "--without-mingle"]
        + ["-n", f"bench-load-{time.monotonic_ns()}@%h"],
        cwd=base,
        env=env,
        stdout=sys.stderr,
    )
    visits_before = Visit.objects.count()
    peaks = {"server": 0.0, "worker": 0.0, "locust": 0.0}
    try:
        _wait_for(f"http://127.0.0.1:{port}/login/")
        locust = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(base / "bench" / "locustfile.py")]
            + ["--headless", "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{SECONDS}s"]
            + ["--host", f"http://127.0.0.1:{port}", "--csv", str(OUT_DIR / "load")]
            + ["--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
            cwd=base,
            env=dict(env, LOAD_PEOPLE=str(people_file)),
            stdout=sys.stderr,
        )
        while locust.poll() is None:
            for name, process in (("server", server), ("worker", worker), ("locust", locust)):
                peaks[name] = max(peaks[name], peak_rss_mb(process.pid))
            time.sleep(0.5)
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=60)
    result = _stats(OUT_DIR / "load_stats.csv")
    return {
        **result,
        "users": USERS,
        "seconds": SECONDS,
        "gunicorn_workers": GUNICORN_WORKERS,
        "visits_stored": Visit.objects.count() - visits_before,
        "server_peak_rss_mb": peaks["server"],
        "worker_peak_rss_mb": peaks["worker"],
        "locust_peak_rss_mb": peaks["locust"],
    }
