"""`make bench`: build a county of SCALE households and measure the early-warning paths, the
dashboards, the Excel import and the everyday paths (household list, warning queue, signal
batch, Excel export; bench/household_list.py and its neighbours).

    python bench/run.py [--scale N] [--sample 10000] [--only dashboard,import,list,deep]

`--only` measures the named later steps on the benchmark database as it stands (building it
first if it is empty) and merges their figures into the results.

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
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parent.parent
AS_OF = datetime.date(2026, 11, 23)
# Another name keeps a second benchmark database (a smaller SCALE, say) beside the main one.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "dixian_bench")
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


def step_scan(workers: int, *, only_due: bool = False) -> dict:
    """A full scan as production runs it: chunks queued on `scans`, taken by Celery processes."""
    from monitoring import scans

    return _scan_on_workers(
        workers,
        lambda: scans.scan_start(trigger="manual", scope="", as_of=AS_OF, only_due=only_due),
    )


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


def _scan_on_workers(workers: int, start) -> dict:
    """Start Celery processes on the `scans` queue, call `start` (which queues a scan and answers
    its run), wait for the run to finish; its figures and the workers' peak memory."""
    from bench.common import peak_rss_mb
    from monitoring.models import ScanRun

    broker = os.environ["CELERY_BROKER_URL"]
    worker = subprocess.Popen(
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
        env=dict(os.environ, CELERY_BROKER_URL=broker),
        stdout=sys.stderr,  # our stdout carries the step's JSON result
    )
    try:
        time.sleep(3)  # let the pool start, so that the time is the scan's
        started = time.monotonic()
        run = start()
        peak = 0.0
        while ScanRun.objects.filter(pk=run.pk, status="running").exists():
            peak = max(peak, peak_rss_mb(worker.pid))
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        peak = max(peak, peak_rss_mb(worker.pid))
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    run.refresh_from_db()
    return {
        "seconds": elapsed,
        "workers": workers,
        "judged": run.households_judged,
        "opened": run.alerts_opened,
        "updated": run.alerts_updated,
        "resolved": run.alerts_resolved,
        "chunks": run.chunks_total,
        "worker_peak_rss_mb": peak,
    }


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
    from django.core.management import call_command

    from bench.dashboard import measure

    call_command("migrate", verbosity=0)  # a benchmark database built before the dashboards
    return measure(as_of=AS_OF)


def step_import() -> dict:
    from django.core.management import call_command

    from bench.spreadsheet_import import measure_import

    call_command("migrate", verbosity=0)
    return measure_import(10_000)


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
    "embedded_burst": "embedded_burst",
}

# Steps measured in a database of their own beside the bench's (its name plus the suffix), with
# the environment they need: the burst commits its visits for a real worker to judge, on the
# embedded default's filesystem broker whatever broker the rest of the bench uses.
OWN_DATABASE = {"embedded_burst": "_burst"}


def step_path(name: str) -> dict:
    import importlib

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
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
    "embedded_burst": lambda args: step_path("embedded_burst"),
    "naive": lambda args: step_naive(args.sample),
    "sql_bound": lambda args: step_sql_bound(),
    "scan": lambda args: step_scan(2),
    "scan_one_worker": lambda args: step_scan(1),
    "scan_nightly": lambda args: step_scan(2, only_due=True),
    "scan_queries": lambda args: step_scan_queries(),
    "layers": lambda args: step_layers(2),
    "evaluate_one": lambda args: step_evaluate_one(200),
}


def _run_step(name: str, args, url: str) -> dict:
    """Run one step in a child process; return its result and its peak memory."""
    started = time.monotonic()
    environment = dict(os.environ, DATABASE_URL=url)
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
    print(
        f"{name}: {time.monotonic() - started:.1f} s, peak {result['peak_rss_mb']:.0f} MB",
        file=sys.stderr,
    )
    return result


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


def _recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


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
        "load (or any step of STEPS)",
    )
    parser.add_argument(
        "--growth-scale",
        type=int,
        help="the smaller registry of the growth comparison (default a tenth of --scale; 0: none)",
    )
    args = parser.parse_args()
    if args.growth_scale is None:
        args.growth_scale = args.scale // 10
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
    _recreate_database(url)
    print(f"Benchmark of {args.scale} households in {urlparse(url).path[1:]}", file=sys.stderr)
    build = _run_step("build", args, url)
    sample = min(args.sample, args.scale)
    naive = _run_step("naive", argparse.Namespace(scale=args.scale, sample=sample), url)
    bounds = [_run_step("sql_bound", args, url) for _ in range(3)]
    scan = _run_step("scan", args, url)
    rescans = [_run_step("scan", args, url)]
    rescan_one_worker = _run_step("scan_one_worker", args, url)
    nightly = [_run_step("scan_nightly", args, url) for _ in range(3)]
    queries = _run_step("scan_queries", args, url)
    one = _run_step("evaluate_one", args, url)
    names = ["dashboard", "import", "list", "deep", "queue", "tasks", "signals", "export", "load"]
    names += ["backtest"]
    if not os.environ.get("BENCH_GROWTH_CHILD"):  # evaluations, not paths: once is enough
        names += ["partition", "pooling"]
    later = _later_steps(names + ["sizes"], args, url)

    naive_seconds = naive["naive_sample_seconds"] * args.scale / naive["naive_sample"]
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
        "scan_chunks": scan["chunks"],
        "scan_workers": scan["workers"],
        "scan_peak_rss_mb": round(max(r["worker_peak_rss_mb"] for r in [scan, *rescans]), 1),
        "scan_queries_per_chunk": round(queries["queries"] / max(queries["chunks"], 1), 1),
        "rescan_one_worker_seconds": round(rescan_one_worker["seconds"], 2),
        "scan_speedup_two_workers": round(rescan_one_worker["seconds"] / full_rescan_seconds, 2),
        "naive_sample": naive["naive_sample"],
        "naive_sample_seconds": round(naive["naive_sample_seconds"], 2),
        "naive_extrapolated_seconds": round(naive_seconds, 1),
        "scan_vs_naive": round(naive_seconds / scan["seconds"], 1),
        "sql_bound_seconds": round(bound_seconds, 2),
        "scan_vs_sql_bound": round(scan["seconds"] / bound_seconds, 2),
        "rescan_unchanged_seconds": round(rescan_seconds, 2),
        "rescan_unchanged_judged": [r["judged"] for r in nightly],
        "full_rescan_unchanged_seconds": round(full_rescan_seconds, 2),
        "rescan_changes": [r["opened"] + r["updated"] + r["resolved"] for r in rescans + nightly],
        "evaluate_one_p50_ms": round(one["p50_ms"], 2),
        "evaluate_one_p95_ms": round(one["p95_ms"], 2),
        "machine": _machine(url),
        "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": f"make bench SCALE={args.scale}",
        **later,
    }
    if args.growth_scale:
        results["growth"] = _growth(args, results)
    _write(results)


def _growth(args, results: dict) -> dict:
    """The whole bench again at the growth scale, in a database of its own; the ratios."""
    from bench import growth

    name = f"{BENCH_DATABASE}_growth"
    print(f"Growth: the bench at {args.growth_scale} households in {name}", file=sys.stderr)
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"}
    subprocess.run(
        [sys.executable, __file__, "--scale", str(args.growth_scale)]
        + ["--sample", str(min(args.sample, 1000)), "--growth-scale", "0"],
        env=dict(env, BENCH_DATABASE=name, BENCH_GROWTH_CHILD="1"),
        check=True,
        cwd=BASE_DIR,
    )
    small = json.loads((BASE_DIR / "var" / "bench" / f"{name}.json").read_text())
    return growth.ratios(results, small)


def _later_steps(names: list[str], args, url: str) -> dict:
    """The dashboard, import and path steps, each result stamped with when and how it was measured."""
    results = {}
    for name in names:
        result = _run_step(name, args, url)
        result["measured_at"] = datetime.datetime.now().isoformat(timespec="seconds")
        results[name] = result
    return results


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
    if not _run_step("households", args, url)["households_in_database"]:
        _run_step("build", args, url)
    _run_step("migrate", args, url)  # a database built before the latest migrations
    path = _results_path()
    results = json.loads(path.read_text()) if path.exists() else {}
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    results.update(_later_steps([name for name in names if name != "growth"], args, url))
    if "growth" in names:
        results["growth"] = _growth(args, results)
    results["machine"] = _machine(url)
    _write(results)


def _results_path() -> Path:
    """bench/results.json for the main database; a side database's figures stay under var/."""
    if BENCH_DATABASE == "dixian_bench":
        return BASE_DIR / "bench" / "results.json"
    return BASE_DIR / "var" / "bench" / f"{BENCH_DATABASE}.json"


def _write(results: dict) -> None:
    from bench.report import headline

    results.update(headline(results))
    path = _results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if BENCH_DATABASE == "dixian_bench":
        from bench.report import write_markdown

        write_markdown(results, BASE_DIR / "docs" / "benchmarks.md")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
