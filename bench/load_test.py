"""The capacity of one machine: locust (bench/locustfile.py) as an open model, the arrival rate
stepped up until a step's p95 reaches 300 ms or a request fails, against gunicorn as production
runs it (Dockerfile: DEBUG off, collected static files, 4 workers × 4 threads, a psycopg pool of 4
a process) and a Celery worker on the interactive and default queues, of two processes as
production's is on two cores, that evaluates each household after its visit and writes the
exports longer than a request writes, all on this machine beside the database and locust itself.
An export the worker writes is followed by the officer's page every 2 s and then downloaded;
its wait from the ask to the file is reported apart (`exports`), not as a request.

The mix is a county's working day (PERSONAS): village workers on their phones entering visits and
opening households, township cadres working queues, cases and task lists, a county officer on the
dashboard and exports, the department systems on the API. `capacity_rps` is the highest arrival
rate whose step had p95 < 300 ms and no error; every step's offered and achieved rate, p95 and
errors are reported, and each path's figures at the capacity step and at the first step that
missed (what gives way first).
"""

import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.crypto import get_random_string

from bench.common import COUNTY, SMOKE, client_for, peak_rss_mb, sized, user

P95_LIMIT_MS = 300.0


def _env_list(name: str, default: list) -> list:
    """A comma-separated override of the environment (profiling runs), else `default`."""
    value = os.environ.get(name)
    return [float(item) for item in value.split(",")] if value else default


# Arrival rates (requests a second) stepped up until one misses. A smoke run does two short
# steps, both whatever the first measured, so that the code of a second step runs too: three
# seconds each, a few requests of every persona at the smoke run's quick thinking (the suite's
# worker waits out each second of them).
RATES = _env_list(
    "BENCH_LOAD_RATES", sized([2, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 80, 100], [3, 6])
)
STEP_SECONDS = float(os.environ.get("BENCH_LOAD_STEP_SECONDS", sized(45, 3)))
# The first seconds of a step are left out of its figures: its new users are still spawning and
# the requests of the step before are still being answered.
SETTLE_SECONDS = sized(5.0, 0.0)
SPAWN_RATE = 100
# The working day's requests by persona, and each persona's mean seconds between two of its
# requests: a village worker reads a household and fills a visit form on a phone (half a
# minute a request), a cadre works down a queue faster, a county officer reads dashboards, a
# department system polls. A smoke run's people think ten times faster, so that a few of them
# send a request of every kind in seconds.
SHARE = {"village_worker": 0.55, "township_cadre": 0.30, "county_officer": 0.05, "api_client": 0.10}
THINK_SECONDS = {"village_worker": 30.0, "township_cadre": 15.0, "county_officer": 30.0}
THINK_SECONDS["api_client"] = 5.0
if SMOKE:
    THINK_SECONDS = {name: seconds / 10 for name, seconds in THINK_SECONDS.items()}
# Distinct people (sessions or tokens); the simulated users share them round the persona.
VILLAGE_WORKERS, TOWNSHIP_CADRES, COUNTY_OFFICERS, API_CLIENTS = sized((60, 30, 2, 2), (2, 2, 1, 1))
# As production runs it (Dockerfile, docker-compose.yml): 4 workers × 4 threads sharing a psycopg
# pool of 4 a process. Overridable, to find what caps the capacity (BENCH_LOAD_WORKERS, …).
GUNICORN_WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", sized(4, 1)))
GUNICORN_THREADS = int(os.environ.get("BENCH_LOAD_THREADS", sized(4, 2)))
DB_POOL_SIZE = os.environ.get("BENCH_LOAD_POOL", str(GUNICORN_THREADS))
OUT_DIR = Path(settings.BASE_DIR) / "var" / "bench"


def _session(person) -> dict:
    client = client_for(person)
    return {"session": client.cookies["sessionid"].value, "csrf": get_random_string(32)}


def _spread(items: list, count: int) -> list:
    """`count` items evenly spread over `items` (villages of every township, not the first)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(index * step)] for index in range(count)]


def _people() -> tuple[dict, list]:
    """The people file's persons, and the API tokens' rows (deleted after the run)."""
    from knox.models import AuthToken

    from accounts.models import Role
    from assistance.models import Case
    from households.models import Household, Region
    from monitoring.models import ACTIVE_STATUSES, Alert

    county = COUNTY[:6]
    villages = [
        code
        for code in Region.objects.filter(code__startswith=county, level="village")
        .order_by("code")
        .values_list("code", flat=True)
        if Household.objects.filter(village_id=code).exists()
    ]
    townships = sorted({village[:9] + "000" for village in villages})
    workers = []
    for village in _spread(villages, VILLAGE_WORKERS):
        # Named by village: a user of an earlier run keeps its region (get_or_create), and a
        # worker of another village would be refused these households (404).
        person = user(f"bench_load_worker_{village}", Role.VILLAGE_WORKER, village)
        households = Household.objects.filter(village_id=village).order_by("id")
        workers.append(
            {**_session(person), "households": list(households.values_list("id", flat=True)[:100])}
        )
    cadres = []
    for index in range(TOWNSHIP_CADRES):
        township = townships[index % len(townships)]
        prefix = township[:9]
        person = user(f"bench_load_cadre_{index}_{township}", Role.TOWNSHIP_CADRE, township)
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
    officers = [
        {
            **_session(user(f"bench_load_officer_{index}", Role.COUNTY_OFFICER, COUNTY)),
            "townships": townships,
            "villages": villages,
        }
        for index in range(COUNTY_OFFICERS)
    ]
    systems, tokens = [], []
    for index in range(API_CLIENTS):
        row, token = AuthToken.objects.create(
            user(f"bench_load_system_{index}", Role.API_CLIENT, COUNTY)
        )
        tokens.append(row)
        systems.append({"token": token, "townships": townships})
    people = {
        "village_workers": workers,
        "township_cadres": cadres,
        "county_officers": officers,
        "api_clients": systems,
    }
    return people, tokens


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env() -> dict:
    """Production settings with the bench's keys (bench/run.py; the registry was built with them)."""
    # A smoke run's servers read the static files where they lie: collecting them (a minute of
    # compression) would be most of its load step. Its villages' exports, of a few hundred
    # households, go through the worker as the full run's villages of 6,600 do.
    smoke = (
        {"DIXIAN_STATIC_FROM_SOURCES": "true", "DIXIAN_EXPORT_IN_REQUEST_ROWS": "10"}
        if SMOKE
        else {}
    )
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


def _wait_for(url: str, seconds: float = 180) -> None:
    # Minutes, not seconds: on a shared machine at a load of 15 a server's first answer (its
    # imports, its first connections) took more than one.
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


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[max(int(len(times) * 0.95) - 1, 0)] if times else 0.0


def _paths(samples: list) -> dict:
    by_name: dict[str, list] = {}
    for sample in samples:
        by_name.setdefault(sample[2], []).append(sample)
    return {
        name: {
            "requests": len(rows),
            "failures": sum(1 for row in rows if row[3]),
            "p50_ms": round(statistics.median(row[1] for row in rows), 1),
            "p95_ms": round(_p95([row[1] for row in rows]), 1),
            "max_ms": round(max(row[1] for row in rows), 1),
        }
        for name, rows in sorted(by_name.items())
    }


def _exports(rows: list) -> dict:
    """The exports the worker wrote (a list longer than a request writes): how long each took
    from the ask to its file ready, as the officer waited for it."""
    ready = [row[1] for row in rows if row[2] == "ready"]
    return {
        "asked": len(rows),
        "refused": sum(1 for row in rows if row[2] == "refused"),
        "not_ready": sum(1 for row in rows if row[2] not in ("ready", "refused")),
        "p50_s": round(statistics.median(ready), 1) if ready else None,
        "p95_s": round(_p95(ready), 1) if ready else None,
    }


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of these processes so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _family(pid: int) -> list[int]:
    """A process and its children (gunicorn's workers, Celery's pool)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                pids.append(int(entry.name))
    return pids


def _database_backends() -> tuple[list[int], int]:
    """The bench database's server processes but this one, and how many run a statement now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        rows = cursor.fetchall()
    return [row[0] for row in rows], sum(1 for row in rows if row[1] == "active")


class Watch:
    """CPU seconds of each part (gunicorn, Celery, locust, PostgreSQL's backends of the bench
    database) and the backends at work, sampled every half second: where a step's time goes."""

    def __init__(self, processes: dict) -> None:
        self.processes = processes
        self.rows: list[dict] = []
        self.backend_cpu: dict[int, float] = {}
        self.peaks = dict.fromkeys(processes, 0.0)

    def sample(self) -> None:
        backends, active = _database_backends()
        for pid in backends:
            self.backend_cpu[pid] = _cpu_seconds([pid])  # a closed backend keeps its last figure
        row = {"at": time.time(), "active_backends": active, "backends": len(backends)}
        row["postgres"] = sum(self.backend_cpu.values())
        for name, process in self.processes.items():
            row[name] = _cpu_seconds(_family(process.pid))
            self.peaks[name] = max(self.peaks[name], peak_rss_mb(process.pid))
        row["load1"] = os.getloadavg()[0]
        self.rows.append(row)

    def between(self, begin: float, end: float) -> dict:
        rows = [row for row in self.rows if begin <= row["at"] <= end]
        if len(rows) < 2:
            return {}
        first, last = rows[0], rows[-1]
        seconds = last["at"] - first["at"]
        shares = {
            f"{name}_cores": round((last[name] - first[name]) / seconds, 2)
            for name in (*self.processes, "postgres")
        }
        return {
            **shares,
            "active_backends_mean": round(statistics.mean(r["active_backends"] for r in rows), 1),
            "backends_max": max(r["backends"] for r in rows),
            "load1": round(statistics.mean(r["load1"] for r in rows), 1),
        }


def _steps(run: dict, watch: Watch) -> list[dict]:
    samples, began = run["samples"], run["started_at"]
    steps = []
    last_sample = max((sample[0] for sample in samples), default=0.0)
    for step in run["steps"]:
        begin = step["started"] + SETTLE_SECONDS
        end = step.get("ended", last_sample)
        window = [sample for sample in samples if begin <= sample[0] < end]
        times = [sample[1] for sample in window]
        paths = _paths(window)
        seconds = max(end - begin, 1e-9)
        steps.append(
            {
                "rate": step["rate"],
                "users": step["users"],
                "seconds": round(seconds, 1),
                "requests": len(window),
                # Below the offered rate when the server falls behind (users' arrivals wait).
                "achieved_rps": round(len(window) / seconds, 1),
                "p50_ms": round(statistics.median(times), 1) if times else 0.0,
                "p95_ms": round(_p95(times), 1),
                "errors": sum(1 for sample in window if sample[3]),
                "worst_path": max(paths, key=lambda name: paths[name]["p95_ms"], default=""),
                "paths": paths,
                "exports": _exports(
                    [row for row in run.get("exports", []) if begin <= row[0] < end]
                ),
                **watch.between(began + begin, began + end),
            }
        )
    return steps


def _capacity(steps: list[dict]) -> dict:
    """The highest rate whose step met the limit, every step below it having met it too."""
    capacity, missed = None, None
    for step in steps:
        if step["requests"] and step["p95_ms"] < P95_LIMIT_MS and not step["errors"]:
            capacity = step
        else:
            missed = step
            break
    return {
        "capacity_rps": capacity["rate"] if capacity else 0,
        "capacity_p95_ms": capacity["p95_ms"] if capacity else None,
        "capacity_achieved_rps": capacity["achieved_rps"] if capacity else None,
        "first_missed_rps": missed["rate"] if missed else None,
        "first_missed_p95_ms": missed["p95_ms"] if missed else None,
        "first_missed_errors": missed["errors"] if missed else None,
        "first_missed_worst_path": missed["worst_path"] if missed else None,
    }


def _failures(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as rows:
        return {
            f"{row['Method']} {row['Name']}: {row['Error'][:160]}": int(row["Occurrences"])
            for row in csv.DictReader(rows)
        }


def measure_load() -> dict:
    from monitoring.models import Visit

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    people, tokens = _people()
    # Named by database: two benches of one checkout (a smoke run beside a measurement) apart.
    files = f"load-{settings.DATABASES['default']['NAME']}"
    samples_file = OUT_DIR / f"{files}-samples.json"
    people["plan"] = {
        "rates": RATES,
        "step_seconds": STEP_SECONDS,
        "settle_seconds": SETTLE_SECONDS,
        "spawn_rate": SPAWN_RATE,
        "p95_limit_ms": P95_LIMIT_MS,
        "run_every_step": SMOKE,
        "share": SHARE,
        "think_seconds": THINK_SECONDS,
        "samples_file": str(samples_file),
    }
    people_file = OUT_DIR / f"{files}-people.json"
    people_file.write_text(json.dumps(people))
    samples_file.unlink(missing_ok=True)
    env = _server_env()
    base = Path(settings.BASE_DIR)
    # A profiling run may serve the files an earlier run collected (locust reads no static file).
    if not SMOKE and not os.environ.get("BENCH_LOAD_COLLECTED"):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=base,
            env=env,
            check=True,
        )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
        + ["-b", f"127.0.0.1:{port}", "-w", str(GUNICORN_WORKERS)]
        + ["--threads", str(GUNICORN_THREADS), "--log-level", "warning"],
        cwd=base,
        env=dict(env, DIXIAN_DB_POOL_SIZE=DB_POOL_SIZE),
        stdout=sys.stderr,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "interactive,celery"]
        + ["-c", "2", "-l", "warning", "--without-gossip", "--without-mingle"]
        + ["-n", f"bench-load-{time.monotonic_ns()}@%h"],
        cwd=base,
        env=env,
        stdout=sys.stderr,
    )
    visits_before = Visit.objects.count()
    processes = {"server": server, "worker": worker}
    watch = Watch(processes)
    try:
        _wait_for(f"http://127.0.0.1:{port}/login/")
        locust = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(base / "bench" / "locustfile.py")]
            + ["--headless", "--host", f"http://127.0.0.1:{port}"]
            + ["--csv", str(OUT_DIR / files), "--only-summary", "--loglevel", "WARNING"]
            + ["--stop-timeout", "10"],
            cwd=base,
            env=dict(env, LOAD_PEOPLE=str(people_file)),
            stdout=sys.stderr,
        )
        processes["locust"] = locust
        watch.processes = processes
        watch.peaks["locust"] = 0.0
        deadline = time.monotonic() + len(RATES) * (STEP_SECONDS + 5) + 120
        while locust.poll() is None:
            watch.sample()
            if time.monotonic() > deadline:
                locust.terminate()
            time.sleep(0.5)
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=60)
        for token in tokens:
            token.delete()
    run = json.loads(samples_file.read_text())
    steps = _steps(run, watch)
    capacity = _capacity(steps)
    samples = run["samples"]
    paths = _paths(samples)
    first = steps[0]["paths"] if steps else {}
    return {
        **capacity,
        "steps": [{k: v for k, v in step.items() if k != "paths"} for step in steps],
        # Each path at the capacity step and at the first step that missed: what gives way.
        "capacity_paths": next(
            (s["paths"] for s in steps if s["rate"] == capacity["capacity_rps"]), {}
        ),
        "first_missed_paths": next(
            (s["paths"] for s in steps if s["rate"] == capacity["first_missed_rps"]), {}
        ),
        "paths": paths,
        "exports": _exports(run.get("exports", [])),
        "requests": len(samples),
        "load_errors": sum(1 for sample in samples if sample[3]),
        "failure_kinds": _failures(OUT_DIR / f"{files}_failures.csv"),
        # The worst path's p95 at the first (lowest) step: the same rate at every scale, so
        # that the growth run compares like with like (bench/growth.py).
        "load_p95_ms": max((row["p95_ms"] for row in first.values()), default=0.0),
        "share": SHARE,
        "think_seconds": THINK_SECONDS,
        "step_seconds": STEP_SECONDS,
        "p95_limit_ms": P95_LIMIT_MS,
        "gunicorn_workers": GUNICORN_WORKERS,
        "gunicorn_threads": GUNICORN_THREADS,
        "db_pool_size": int(DB_POOL_SIZE),
        "visits_stored": Visit.objects.count() - visits_before,
        "server_peak_rss_mb": watch.peaks["server"],
        "worker_peak_rss_mb": watch.peaks["worker"],
        "locust_peak_rss_mb": watch.peaks["locust"],
    }
