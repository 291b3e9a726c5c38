"""`make bench`: build a county of SCALE households and measure the early-warning paths, the
dashboards, the Excel import and the everyday paths (household list, warning queue, signal
batch, Excel export; bench/household_list.py and its neighbours).

    python bench/run.py [--scale N] [--sample 10000] [--only dashboard,import,list,deep]
    python bench/run.py --smoke --scale 300 --sample 20 [--template DATABASE]

`--only` measures the named later steps on the benchmark database as it stands (building it
first if it is empty) and merges their figures into the results. On a database it had to build,
`--only naive,sql_bound,scan[,…]` runs the full run's first three steps in its order and writes
the scan's two ratios, `scan_vs_naive` and `scan_vs_sql_bound`, as the full run does.

`--smoke` runs every step at the smallest size that still runs all of its code (BENCH_SMOKE,
bench/common.py), in this one process rather than a process each, in a database of its own
(dixian_bench_smoke unless BENCH_DATABASE names another, never dixian_bench): a bench that no
longer runs fails CI (tests/bench/test_bench_runs.py). Its figures go to var/bench/<name>.json,
never to bench/results.json or docs/benchmarks.md. `--template` copies a migrated database
instead of migrating an empty one.

Each measured step runs in a process of its own, so that its peak memory is its own. Results go
to bench/results.json and docs/benchmarks.md. The database is DATABASE_URL's server (else the
embedded one), in a database named dixian_bench (or BENCH_DATABASE) that is dropped and
rebuilt; a database other than dixian_bench writes its figures to var/bench/<name>.json.
"""

import argparse
import datetime
import json
import os
import platform
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parent.parent
AS_OF = datetime.date(2026, 11, 23)
# The backtest is measured on a county of this size (issue 20: 100,000 households × 24
# month-ends); a bigger run takes it from its growth run, a tenth of a million. At a province's
# million it would take an hour and answer no question a county asks.
BACKTEST_SCALE = 100_000
# Another name keeps a second benchmark database (a smaller SCALE, say) beside the main one.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "dixian_bench")
SMOKE = os.environ.get("BENCH_SMOKE") == "1"  # set by --smoke, read by bench/common.py too
# The recorded steps a resumed run reads back instead of running them (--resume); a step whose
# line was removed from the progress file runs again.
_REPLAY: list[dict] = []
sys.path.insert(0, str(BASE_DIR))


def _bench_url() -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        from ops.embedded_postgres import db_start

        base = db_start()
    return urlunparse(urlparse(base)._replace(path=f"/{BENCH_DATABASE}"))


def _django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DIXIAN_LOG_LEVEL", "WARNING")
    # Keys of the bench's own, kept under var/ like `make run`'s: the server it starts runs with
    # DEBUG off, which refuses the development keys (a registry built before they existed has
    # its ID numbers under the development key: rebuild it).
    from ops.pilot_keys import pilot_secrets

    for name, value in pilot_secrets(BASE_DIR / "var" / "bench" / "secrets.env").items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


# Steps, each run in its own process -----------------------------------------------------------


def step_build(scale: int) -> dict:
    from django.core.management import call_command

    from accounts.models import Role, User
    from bench.load import load
    from demo.households import GANSU_DEMO_LINES
    from monitoring.models import IncomeLine

    call_command("migrate", verbosity=0)
    call_command("load_regions", "620423", verbosity=0)
    User.objects.create(
        username="bench-visitor", role=Role.VILLAGE_WORKER, region_id="620423100200"
    )
    for year, amount in GANSU_DEMO_LINES.items():
        IncomeLine.objects.create(region_id="620000000000", year=year, amount=amount, is_demo=True)
    started = time.monotonic()
    timings = load(scale, log=lambda line: print(line, file=sys.stderr))
    return {"build_seconds": time.monotonic() - started, "build_steps": timings}


def step_naive(sample: int) -> dict:
    from bench import naive
    from households.models import Household

    ids = list(Household.objects.order_by("id").values_list("id", flat=True)[:sample])
    return {"naive_sample": len(ids), "naive_sample_seconds": naive.run(ids, AS_OF)}


def step_sql_bound() -> dict:
    from django.db import connection

    sql = (BASE_DIR / "bench" / "sql_bound.sql").read_text()
    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(sql, {"as_of": AS_OF})
        row = cursor.fetchone()
        elapsed = time.monotonic() - started
    return {"sql_bound_seconds": elapsed, "sql_bound_counts": list(row)}


def step_scan(workers: int, *, only_due: bool = False, celery_workers: int = 1) -> dict:
    """A full scan as production runs it: chunks queued on `scans`, taken by Celery processes
    (`workers` in all, in `celery_workers` Celery workers, each with its own broker connection,
    as scan workers on machines of their own would be)."""
    from monitoring import scans

    result = _scan_on_workers(
        workers,
        lambda: scans.scan_start(trigger="manual", scope="", as_of=AS_OF, only_due=only_due),
        celery_workers=celery_workers,
    )
    return {**result, **_warnings_present()}


def _warnings_present() -> dict:
    """The active warnings in the database, how many carry each rule's reason, and the income
    line they were judged against: what the first scan's `opened` must add up to.

    After the first scan of a fresh registry every active warning is one that scan opened (the
    naive step rolls back); more warnings than `opened` means something outside the run opened
    them. The 1,000,000-household run of 26e28d8 counted 53,433 of 150,114 that way: tasks left
    in the shared broker by an interrupted run judged chunks 74-204 first (docs/benchmarks.md).
    """
    from django.db import connection

    from households.models import Household
    from monitoring.engine.policy import Policy
    from monitoring.models import ACTIVE_STATUSES, Alert

    active = Alert.objects.filter(status__in=ACTIVE_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.code, count(*) FROM monitoring_alert a,
                   jsonb_array_elements_text(a.reason_codes) AS r(code)
            WHERE a.status = ANY(%s) GROUP BY r.code ORDER BY count(*) DESC, r.code
            """,
            [list(ACTIVE_STATUSES)],
        )
        by_rule = dict(cursor.fetchall())
    village = Household.objects.order_by("id").values_list("village_id", flat=True).first()
    line = Policy().income_line(village, AS_OF) if village else None
    return {
        "warnings_in_database": active.count(),
        "warnings_by_rule": by_rule,
        "income_line": None if line is None else {"amount": str(line.amount), "year": line.year},
    }


def warnings_explained(scan: dict, households: int) -> str:
    """One sentence that says what the first scan's count of warnings is made of."""
    opened, present = scan["opened"], scan["warnings_in_database"]
    line = scan.get("income_line")
    against = (
        f"the {line['year']} income line of ¥{Decimal(line['amount']):,.0f} a person"
        if line
        else "no income line"
    )
    rules = ", ".join(f"{code} {n:,}" for code, n in scan["warnings_by_rule"].items())
    sentence = (
        f"The first scan judged {scan['judged']:,} of {households:,} generated households as of "
        f"{AS_OF.isoformat()} against {against} and opened {opened:,} warnings "
        f"({opened / max(households, 1):.1%}); the database's {present:,} active warnings by "
        f"rule (a warning may carry several): {rules}"
    )
    if present != opened:
        return (
            f"{sentence}; {present - opened:,} of them were opened outside this run (a task "
            "left in the broker by an interrupted run?), so its count is not the registry's."
        )
    return f"{sentence}; every active warning in the database is one it opened."


def step_layers(workers: int) -> dict:
    """The province's assistance standards change: every household's layer is judged again, by
    the scan the change starts (ScanRun.Trigger.STANDARD), on the same workers as a full scan."""
    from django.db.models import Count

    from accounts.models import Role
    from bench.common import user
    from households.models import Household
    from monitoring.models import AssistanceStandard, ScanRun
    from monitoring.services.policy import standard_save

    def layers() -> dict[str, int]:
        counts = Household.objects.values("layer").annotate(n=Count("pk")).order_by("layer")
        return {row["layer"]: row["n"] for row in counts}

    year, province = AS_OF.year, "620000000000"
    # The demo's Gansu values, then the change measured: a dibao standard 10% higher.
    standard, _created = AssistanceStandard.objects.get_or_create(
        region_id=province,
        year=year,
        defaults={"dibao": Decimal("5760"), "tekun": Decimal("7488"), "is_demo": True},
    )
    officer = user("bench-province", Role.COUNTY_OFFICER, province)
    before = layers()

    def change():
        standard_save(
            actor=officer,
            region_code=province,
            year=year,
            dibao=(standard.dibao * Decimal("1.1")).quantize(Decimal("1")),
            tekun=standard.tekun,
            edge_multiple=standard.edge_multiple,
            note="bench",
            version=standard.version,
        )
        return ScanRun.objects.order_by("-pk").first()  # the scan the change started

    result = _scan_on_workers(workers, change)
    return {**result, "layers_before": before, "layers_after": layers()}


# A smoke run's Celery workers, one a concurrency, kept from one scan step to the next: each start
# sets Django up again, the largest part of a smoke run's time.
_SMOKE_WORKERS: dict[int, subprocess.Popen] = {}


def _stop_smoke_workers() -> None:
    # All told to stop before any is waited for: each warm shutdown takes seconds.
    for worker in _SMOKE_WORKERS.values():
        worker.terminate()
    for worker in _SMOKE_WORKERS.values():
        worker.wait(timeout=60)
    _SMOKE_WORKERS.clear()


def _scan_on_workers(workers: int, start, *, celery_workers: int = 1) -> dict:
    """Start Celery processes on the `scans` queue, call `start` (which queues a scan and answers
    its run), wait for the run to finish; its figures and the workers' peak memory."""
    from bench.common import peak_rss_mb
    from monitoring.models import ScanRun

    broker = os.environ["CELERY_BROKER_URL"]
    # Tasks another run left in the queue (an interrupted bench) would be taken first and judge
    # households for a run this database does not know: 26e28d8's 1M run counted 53,433 warnings
    # of 150,114 that way (docs/benchmarks.md). The scan starts from an empty queue.
    from django.conf import settings
    from kombu import Connection

    with Connection(broker, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
        purged = conn.default_channel.queue_purge("scans") or 0
    if purged:
        print(f"  {purged} stale scan tasks purged from the queue", file=sys.stderr)
    if SMOKE and celery_workers == 1:
        if workers not in _SMOKE_WORKERS:
            _SMOKE_WORKERS[workers] = _scan_worker(workers)
        started_workers = [_SMOKE_WORKERS[workers]]
    else:
        started_workers = [_scan_worker(workers // celery_workers) for _ in range(celery_workers)]
    try:
        if not SMOKE:
            time.sleep(3)  # let the pools start, so that the time is the scan's
        started = time.monotonic()
        run = start()
        peak = 0.0
        while ScanRun.objects.filter(pk=run.pk, status="running").exists():
            peak = max(peak, *(peak_rss_mb(worker.pid) for worker in started_workers))
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        peak = max(peak, *(peak_rss_mb(worker.pid) for worker in started_workers))
    finally:
        if not SMOKE or celery_workers > 1:
            for worker in started_workers:
                worker.terminate()
            for worker in started_workers:
                worker.wait(timeout=60)
    run.refresh_from_db()
    return {
        "seconds": elapsed,
        "workers": workers,
        "celery_workers": celery_workers,
        "judged": run.households_judged,
        "opened": run.alerts_opened,
        "updated": run.alerts_updated,
        "resolved": run.alerts_resolved,
        "chunks": run.chunks_total,
        "worker_peak_rss_mb": peak,
    }


def _scan_worker(workers: int) -> subprocess.Popen:
    """A Celery worker of `workers` processes on the `scans` queue."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "scans",
            "-c",
            str(workers),
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-{time.monotonic_ns()}@%h",
        ],
        cwd=BASE_DIR,
        env=dict(os.environ),
        stdout=sys.stderr,  # our stdout carries the step's JSON result
    )


def step_scan_queries() -> dict:
    """How many statements one chunk costs, for the 'per chunk, never per household' check."""
    from django.db import connection

    from monitoring import scans

    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        run = scans.scan_run_inline(trigger="manual", scope="620423100", as_of=AS_OF)
    return {"queries": len(queries), "chunks": run.chunks_total, "judged": run.households_judged}


def step_evaluate_one(samples: int) -> dict:
    from households.models import Household
    from monitoring import scans

    last = Household.objects.order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(7)
    timings = []
    for _ in range(samples):
        household_id = rng.randint(1, last)
        started = time.perf_counter()
        scans.evaluate_one(household_id, as_of=AS_OF)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "samples": samples,
    }


def step_dashboard() -> dict:
    from bench.dashboard import measure

    return measure(as_of=AS_OF)


def step_import() -> dict:
    from bench.spreadsheet_import import measure_import

    # A smoke run: a file of 50 households, without the second file of fours.
    return measure_import(50, four=False) if SMOKE else measure_import(10_000)


PATH_MODULES = {
    "list": "household_list",
    "deep": "household_list",
    "queue": "alert_queue",
    "tasks": "worklist",
    "signals": "signal_batch",
    "export": "export",
    "load": "load_test",
    "partition": "partitioning",
    "pooling": "pooling",
    "backtest": "backtest",
    "household": "household_page",
    "embedded_burst": "embedded_burst",
    "replica": "replica",
}

# Steps measured in a database of their own beside the bench's (its name plus the suffix), with
# the environment they need: the burst commits its visits for a real worker to judge, on the
# embedded default's filesystem broker whatever broker the rest of the bench uses.
OWN_DATABASE = {"embedded_burst": "_burst"}


# A full run builds its database afresh, and `--only` runs the "migrate" step first: no step
# migrates again (each `migrate` reads every migration, seconds of CPU a step).
def step_path(name: str) -> dict:
    import importlib

    module = importlib.import_module(f"bench.{PATH_MODULES[name]}")
    return getattr(module, f"measure_{name}")()


def step_households() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('households_household') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return {"households": 0}
        cursor.execute("SELECT count(*) FROM households_household")
        return {"households": cursor.fetchone()[0]}


def step_migrate() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def step_analyze() -> dict:
    """What autovacuum does soon after a bulk write (the build's inserts, the scan's updates):
    statistics, and the visibility map that lets a count be read from an index alone. The
    nightly scan runs at 02:00; the cadres read the queue hours later."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {}


def step_sizes() -> dict:
    """On-disk size of the database and of its largest tables (with their indexes), in MB."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "ORDER BY 2 DESC LIMIT 8"
        )
        tables = {name: round(size / 2**20) for name, size in cursor.fetchall()}
    return {"database_mb": round(database / 2**20), "tables_mb": tables}


STEPS = {
    "build": lambda args: step_build(args.scale),
    "households": lambda args: step_households(),
    "sizes": lambda args: step_sizes(),
    "migrate": lambda args: step_migrate(),
    "analyze": lambda args: step_analyze(),
    "dashboard": lambda args: step_dashboard(),
    "import": lambda args: step_import(),
    "list": lambda args: step_path("list"),
    "deep": lambda args: step_path("deep"),
    "queue": lambda args: step_path("queue"),
    "tasks": lambda args: step_path("tasks"),
    "signals": lambda args: step_path("signals"),
    "export": lambda args: step_path("export"),
    "load": lambda args: step_path("load"),
    "partition": lambda args: step_path("partition"),
    "pooling": lambda args: step_path("pooling"),
    "backtest": lambda args: step_path("backtest"),
    "household": lambda args: step_path("household"),
    "embedded_burst": lambda args: step_path("embedded_burst"),
    "replica": lambda args: step_path("replica"),
    "naive": lambda args: step_naive(args.sample),
    "sql_bound": lambda args: step_sql_bound(),
    "scan": lambda args: step_scan(2),
    "scan_one_worker": lambda args: step_scan(1),
    "scan_two_celery_workers": lambda args: step_scan(2, celery_workers=2),
    "scan_nightly": lambda args: step_scan(2, only_due=True),
    "scan_queries": lambda args: step_scan_queries(),
    "layers": lambda args: step_layers(2),
    "evaluate_one": lambda args: step_evaluate_one(10 if SMOKE else 200),
}


def _replay_progress(parser) -> None:
    """The last full run's finished steps, in the order it ran them (--resume)."""
    path = _progress_path()
    if not path.exists():
        parser.error(f"nothing to resume: {path} does not exist")
    _REPLAY.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())


def _run_step(name: str, args, url: str) -> dict:
    """Run one step in a child process (a smoke run: in this one); return its result and its
    peak memory."""
    recorded = next((line for line in _REPLAY if line["step"] == name), None)
    if recorded is not None:  # its first recording not yet read back (sql_bound runs three times)
        _REPLAY.remove(recorded)
        print(f"{name}: as measured at {recorded['at']} (--resume)", file=sys.stderr)
        result = {key: value for key, value in recorded.items() if key not in ("step", "at")}
        return {**result, "measured_at": recorded["at"]}
    started = time.monotonic()
    if SMOKE and name not in OWN_DATABASE:
        from django.conf import settings
        from django.utils import translation

        # In the language a fresh process starts in: a request of an earlier step may have
        # activated another (the import reads the file's Chinese labels in the active language).
        with translation.override(settings.LANGUAGE_CODE):
            result = STEPS[name](args)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["households_in_database"] = step_households()["households"]
        result = json.loads(json.dumps(result, default=str))  # what a child would have printed
        print(f"{name}: {time.monotonic() - started:.1f} s (smoke)", file=sys.stderr)
        return result
    environment = dict(os.environ, DATABASE_URL=url)
    load_before = round(os.getloadavg()[0], 2)  # the last minute's, before the step's own work
    if name in OWN_DATABASE:
        database = BENCH_DATABASE + OWN_DATABASE[name]
        environment["DATABASE_URL"] = urlunparse(urlparse(url)._replace(path=f"/{database}"))
        environment["CELERY_BROKER_URL"] = "filesystem://"
        environment["DIXIAN_BROKER_DIR"] = str(BASE_DIR / "var" / "bench-broker" / database)
        _create_database(environment["DATABASE_URL"], database)
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--step",
            name,
            "--scale",
            str(args.scale),
            "--sample",
            str(args.sample),
        ],
        env=environment,
        stdout=subprocess.PIPE,
        check=True,
        cwd=BASE_DIR,
    )
    result = json.loads(child.stdout)
    # Other work on the machine moves the latencies most (a test run beside the bench made the
    # queue's p95 67 ms where a quiet machine gives 37): each step carries the load it ran in.
    result.setdefault("load_before", load_before)
    result.setdefault("load_after", round(os.getloadavg()[0], 2))
    print(
        f"{name}: {time.monotonic() - started:.1f} s, peak {result['peak_rss_mb']:.0f} MB",
        file=sys.stderr,
    )
    _keep_progress(name, result)
    return result


def _progress_path() -> Path:
    return BASE_DIR / "var" / "bench" / f"{BENCH_DATABASE}-progress.jsonl"


def _keep_progress(name: str, result: dict) -> None:
    """Each finished step's figures, a line each under var/bench/: a run at 1,000,000 is over an
    hour, and a later step that fails must not take the earlier figures with it (--resume)."""
    path = _progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {"step": name, "at": datetime.datetime.now().isoformat(timespec="seconds"), **result}
    with path.open("a") as progress:
        progress.write(json.dumps(line, default=str, ensure_ascii=False) + "\n")


def _bench_broker() -> str:
    """Redis on this machine if it answers, else kombu's filesystem transport under var/."""
    import socket
    import zlib

    # A database of its own per benchmark database: a worker started for one bench must never
    # take a task queued by another (it would run it against the wrong database).
    number = 14 if BENCH_DATABASE == "dixian_bench" else 5 + zlib.crc32(BENCH_DATABASE.encode()) % 8
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return f"redis://127.0.0.1:6379/{number}"
    except OSError:
        os.environ.setdefault("DIXIAN_BROKER_DIR", str(BASE_DIR / "var" / "bench-broker"))
        return "filesystem://"


def _create_database(url: str, name: str) -> None:
    """The database, if it does not exist yet (a step's own, kept between runs)."""
    import psycopg

    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _recreate_database(url: str, template: str | None = None) -> None:
    """Drop and create the benchmark database: empty, or a copy of `template` (a migrated
    database, so that the build's `migrate` has nothing left to apply)."""
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"{copy}')


def _machine(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as connection:
        settings = dict(
            connection.execute(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
                [
                    [
                        "shared_buffers",
                        "work_mem",
                        "max_parallel_workers_per_gather",
                        "effective_cache_size",
                        "server_version",
                    ]
                ],
            ).fetchall()
        )
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": settings,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", 1_000_000)))
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--step")
    parser.add_argument(
        "--only",
        help="comma-separated later steps: dashboard, import, list, deep, queue, signals, export, "
        "load (or any step of STEPS); a county is built first if the database has none, so "
        "`--only households` builds one and measures nothing",
    )
    parser.add_argument(
        "--growth-scale",
        type=int,
        help="the smaller registry of the growth comparison (default a tenth of --scale; 0: none)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="every step at its smallest, in one process, into a database of its own: does the "
        "bench still run? (never writes bench/results.json or docs/benchmarks.md)",
    )
    parser.add_argument("--template", help="a migrated database to copy rather than migrate")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="go on from the last full run's progress, on the database it left: the steps it "
        "finished are read back from var/bench/<database>-progress.jsonl, the rest run (remove "
        "a step's line to measure it again)",
    )
    args = parser.parse_args()
    if args.resume and (args.only or args.smoke or args.step):
        parser.error("--resume goes on with a full run: no --only, --smoke or --step")
    if args.growth_scale is None:
        args.growth_scale = args.scale // 10
    if args.smoke:
        _smoke_setup(parser, args)
    if args.step:
        _django(os.environ["DATABASE_URL"])
        result = STEPS[args.step](args)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["households_in_database"] = step_households()["households"]
        print(json.dumps(result, default=str))
        return

    url = _bench_url()
    os.environ.setdefault("CELERY_BROKER_URL", _bench_broker())
    if args.only:
        _run_only(args, url)
        return
    if args.resume:
        _replay_progress(parser)
    else:
        _recreate_database(url, args.template)
    if SMOKE:
        _django(url)  # the steps run in this process
    try:
        _run_all(args, url)
    finally:
        _stop_smoke_workers()


def _smoke_setup(parser, args) -> None:
    """A smoke run: its own database (never the benchmark's), BENCH_SMOKE for the steps."""
    global BENCH_DATABASE, SMOKE
    if os.environ.get("BENCH_DATABASE") == "dixian_bench":
        parser.error("a smoke run never touches dixian_bench: name another BENCH_DATABASE")
    if args.only:
        parser.error("a smoke run runs every step: no --only")
    BENCH_DATABASE = os.environ.setdefault("BENCH_DATABASE", "dixian_bench_smoke")
    os.environ["BENCH_SMOKE"] = "1"
    SMOKE = True
    # Stopped (a test's timeout), it still stops the Celery workers it keeps (main's finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))


def _run_all(args, url: str) -> None:
    """Every step on a database just made; the results written."""
    print(f"Benchmark of {args.scale} households in {urlparse(url).path[1:]}", file=sys.stderr)
    resumed = bool(_REPLAY)
    if not resumed:
        _progress_path().unlink(missing_ok=True)
    repeats = 1 if SMOKE else 3  # of the SQL bound and of the nightly re-scan
    if SMOKE:  # the workers start (seconds of Django set-up each) while the county is built
        for workers in (2, 1):
            _SMOKE_WORKERS[workers] = _scan_worker(workers)
    build = _run_step("build", args, url)
    sample = min(args.sample, args.scale)
    naive = _run_step("naive", argparse.Namespace(scale=args.scale, sample=sample), url)
    bounds = [_run_step("sql_bound", args, url) for _ in range(repeats)]
    scan = _run_step("scan", args, url)
    rescans = [_run_step("scan", args, url)]
    rescan_one_worker = _run_step("scan_one_worker", args, url)
    rescan_two_celery_workers = _run_step("scan_two_celery_workers", args, url)
    nightly = [_run_step("scan_nightly", args, url) for _ in range(repeats)]
    queries = _run_step("scan_queries", args, url)
    # The scans wrote most of the warnings and events: statistics and visibility as autovacuum
    # would soon leave them, so that the paths below are planned and read as in the day.
    _run_step("analyze", args, url)
    one = _run_step("evaluate_one", args, url)
    names = ["dashboard", "import", "list", "deep", "queue", "household", "tasks", "signals"]
    names += ["export"]
    growth_child = bool(os.environ.get("BENCH_GROWTH_CHILD"))
    if not (growth_child and SMOKE):  # a smoke run's load has no figure worth a ratio
        names += ["load"]
    if args.scale <= BACKTEST_SCALE:
        names += ["backtest"]
    if not growth_child:  # evaluations, not paths: once is enough
        names += ["partition", "pooling"]
        # Their own database and worker, their own pair of servers: tested by
        # tests/monitoring/test_embedded_burst.py and tests/ops/test_replica.py.
        if not SMOKE:
            names += ["embedded_burst", "replica"]
    later = _later_steps(names + ["sizes"], args, url)

    bound_seconds = statistics.median(b["sql_bound_seconds"] for b in bounds)
    rescan_seconds = statistics.median(r["seconds"] for r in nightly)
    full_rescan_seconds = statistics.median(r["seconds"] for r in rescans)
    results = {
        "households": args.scale,
        "members": args.scale * 4,
        "visits": args.scale * 12,
        "as_of": AS_OF.isoformat(),
        "build_seconds": round(build["build_seconds"], 1),
        "build_steps_seconds": {k: round(v, 1) for k, v in build["build_steps"].items()},
        "scan_seconds": round(scan["seconds"], 2),
        "scan_households_judged": scan["judged"],
        "scan_alerts_opened": scan["opened"],
        "scan_alerts_opened_by_rule": scan["warnings_by_rule"],
        "warnings_opened_explained": warnings_explained(scan, args.scale),
        "scan_chunks": scan["chunks"],
        "scan_workers": scan["workers"],
        "scan_peak_rss_mb": round(max(r["worker_peak_rss_mb"] for r in [scan, *rescans]), 1),
        "scan_queries_per_chunk": round(queries["queries"] / max(queries["chunks"], 1), 1),
        "rescan_one_worker_seconds": round(rescan_one_worker["seconds"], 2),
        "scan_speedup_two_workers": round(rescan_one_worker["seconds"] / full_rescan_seconds, 2),
        "rescan_two_celery_workers_seconds": round(rescan_two_celery_workers["seconds"], 2),
        "scan_speedup_two_celery_workers": round(
            rescan_one_worker["seconds"] / rescan_two_celery_workers["seconds"], 2
        ),
        **_first_scan_ratios(args.scale, naive, bound_seconds, scan),
        "sql_bound_runs": len(bounds),
        "rescan_unchanged_seconds": round(rescan_seconds, 2),
        "rescan_unchanged_judged": [r["judged"] for r in nightly],
        "full_rescan_unchanged_seconds": round(full_rescan_seconds, 2),
        "rescan_changes": [r["opened"] + r["updated"] + r["resolved"] for r in rescans + nightly],
        "evaluate_one_p50_ms": round(one["p50_ms"], 2),
        "evaluate_one_p95_ms": round(one["p95_ms"], 2),
        "machine": _machine(url),
        "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": (
            f"bench/run.py --smoke --scale {args.scale} --sample {args.sample}"
            if SMOKE
            else f"make bench SCALE={args.scale}{' BENCH_RESUME=1' if resumed else ''}"
        ),
        **later,
    }
    if SMOKE:
        results["smoke"] = True
    if args.growth_scale:
        _stop_smoke_workers()  # the growth run's workers must be the only ones on the broker
        results["growth"] = _growth(args, results)
    _write(results)


def _headline_figures(names: list[str], results: dict, *, built: bool, command: str) -> dict:
    """The top-level figures a full run writes that these steps measured again, so that the
    targets and the growth ratios read this run's figures rather than an older run's: the
    evaluation after one visit, and a scan of a county already judged that changed nothing (the
    full run's re-scan). A scan that changed something, or the first of a county just built,
    is not a re-scan that changed nothing, and leaves that figure alone."""
    figures: dict = {}
    if "evaluate_one" in names:
        figures["evaluate_one_p50_ms"] = round(results["evaluate_one"]["p50_ms"], 2)
        figures["evaluate_one_p95_ms"] = round(results["evaluate_one"]["p95_ms"], 2)
    scan = results.get("scan") if "scan" in names else None
    if scan and not built and scan["opened"] + scan["updated"] + scan["resolved"] == 0:
        figures["full_rescan_unchanged_seconds"] = round(scan["seconds"], 2)
    if figures:
        figures["headline_figures_command"] = f"bench/run.py --only {command}"
    return figures


def _first_scan_ratios(scale: int, naive: dict, bound_seconds: float, scan: dict) -> dict:
    """The first scan of a county just built against the naive loop and the SQL bound measured
    on the same database before it."""
    naive_seconds = naive["naive_sample_seconds"] * scale / naive["naive_sample"]
    return {
        "naive_sample": naive["naive_sample"],
        "naive_sample_seconds": round(naive["naive_sample_seconds"], 2),
        "naive_extrapolated_seconds": round(naive_seconds, 1),
        "scan_vs_naive": round(naive_seconds / scan["seconds"], 1),
        "sql_bound_seconds": round(bound_seconds, 2),
        "scan_vs_sql_bound": round(scan["seconds"] / bound_seconds, 2),
    }


def _growth(args, results: dict) -> dict:
    """The whole bench again at the growth scale, in a database of its own; the ratios."""
    from bench import growth

    name = f"{BENCH_DATABASE}_growth"
    print(f"Growth: the bench at {args.growth_scale} households in {name}", file=sys.stderr)
    # The growth run keeps this run's broker: it runs while this one waits, and every worker this
    # one started has stopped (another number would be another bench's, or another session's).
    small_path = BASE_DIR / "var" / "bench" / f"{name}.json"
    if os.environ.get("BENCH_GROWTH_REUSE") == "1" and small_path.exists():
        # The smaller registry's figures of an earlier run, this run's larger ones beside them:
        # for a large figure measured again (a re-scan, say) without the smaller bench's half
        # hour. Only as good as that run: the same machine and code, which the caller vouches for.
        print(f"Growth: reusing {small_path}", file=sys.stderr)
        return growth.ratios(results, json.loads(small_path.read_text()))
    subprocess.run(
        [sys.executable, __file__, "--scale", str(args.growth_scale)]
        + ["--sample", str(min(args.sample, 1000)), "--growth-scale", "0"]
        + (["--smoke"] if SMOKE else [])
        + (["--template", args.template] if args.template else []),
        env=dict(os.environ, BENCH_DATABASE=name, BENCH_GROWTH_CHILD="1"),
        check=True,
        cwd=BASE_DIR,
    )
    small = json.loads(small_path.read_text())
    if "backtest" in small and "backtest" not in results:
        results["backtest"] = small["backtest"]  # measured at the county's scale, not ours
    return growth.ratios(results, small)


def _later_steps(names: list[str], args, url: str) -> dict:
    """The dashboard, import and path steps, each result stamped with when and how it was measured."""
    results = {}
    for name in names:
        result = _run_step(name, args, url)
        result.setdefault("measured_at", datetime.datetime.now().isoformat(timespec="seconds"))
        results[name] = result
    return results


# The steps `--only` runs by itself (growth after the others, from its own runs); their results
# are not figures: "households" as a block of its own stood where the report reads the county's
# size, and the report failed.
ONLY_BOOKKEEPING = ("households", "build", "migrate", "growth")


def _measured(names: list[str]) -> list[str]:
    """The steps of `--only` whose results are figures, in the order given."""
    return [name for name in names if name not in ONLY_BOOKKEEPING]


def _run_only(args, url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
    if not exists:
        _recreate_database(url)
    built = not _run_step("households", args, url)["households_in_database"]
    if built:
        _run_step("build", args, url)
    _run_step("migrate", args, url)  # a database built before the latest migrations
    path = _results_path()
    results = json.loads(path.read_text()) if path.exists() else {}
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    measured = _measured(names)
    if not measured and "growth" not in names:
        return  # a county built (or found) and migrated: nothing measured, nothing to write
    results.update(_later_steps(measured, args, url))
    if built and measured[:3] == ["naive", "sql_bound", "scan"]:
        # The full run's order on a county just built (the scan its first): the two ratios of
        # the scan, measured in one run without the hour of the other steps.
        ratios = _first_scan_ratios(
            args.scale, results["naive"], results["sql_bound"]["sql_bound_seconds"], results["scan"]
        )
        results.update(ratios, scan_seconds=round(results["scan"]["seconds"], 2), sql_bound_runs=1)
        results["scan_ratios_command"] = f"bench/run.py --scale {args.scale} --only {args.only}"
    results.update(_headline_figures(names, results, built=built, command=args.only))
    if "growth" in names:
        results["growth"] = _growth(args, results)
    results["machine"] = _machine(url)
    _write(results)


def _results_path() -> Path:
    """bench/results.json for the main database; a side database's figures stay under var/."""
    if BENCH_DATABASE == "dixian_bench" and not SMOKE:
        return BASE_DIR / "bench" / "results.json"
    return BASE_DIR / "var" / "bench" / f"{BENCH_DATABASE}.json"


def _write(results: dict) -> None:
    from bench.report import headline

    results.update(headline(results))
    path = _results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if BENCH_DATABASE == "dixian_bench" and not SMOKE:
        from bench.report import write_markdown

        write_markdown(results, BASE_DIR / "docs" / "benchmarks.md")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
