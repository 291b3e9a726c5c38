"""`make bench` runs whole (issue 21: a bench that cannot run measures nothing). bench/run.py
--smoke runs every step at a few hundred households, in a database of its own copied from the
migrated test database, in a subprocess as `make bench` starts it; every step must finish and
write its figures, and issue 21's keys must be at the top of the results. Their values are not
looked at: a smoke run measures nothing.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.conftest import migrated_copy_name
from tests.xdist_isolation import worker_suffix

# The mark makes pytest-django create the test database, whose migrated copy the run starts from;
# the tests themselves read only the run's results.
pytestmark = pytest.mark.django_db

SCALE, GROWTH_SCALE, SAMPLE = 300, 100, 20
# What a whole run writes: the early-warning figures at the top, a block per later step.
STEP_BLOCKS = (
    "dashboard",
    "import",
    "list",
    "deep",
    "queue",
    "household",
    "tasks",
    "signals",
    "export",
    "load",
    "backtest",
    "partition",
    "pooling",
    "sizes",
    "growth",
)
EARLY_WARNING = (
    "build_seconds",
    "naive_sample_seconds",
    "sql_bound_seconds",
    "scan_seconds",
    "rescan_one_worker_seconds",
    "rescan_two_celery_workers_seconds",
    "rescan_unchanged_seconds",
    "scan_queries_per_chunk",
    "evaluate_one_p95_ms",
)
# Issue 21's "Done when" keys a smoke run writes. Not here: embedded_burst_seconds (a full run's
# step: its own database and worker, and its own test, tests/monitoring/test_embedded_burst.py).
ISSUE_21_KEYS = (
    "scan_vs_sql_bound",
    "scan_vs_naive",
    "evaluate_one_p95_ms",
    "list_vs_values",
    "list_db_ms",
    "queue_p95_ms",
    "household_page_p95_ms",
    "tasks_p95_ms",
    "capacity_rps",
    "growth_ratio_max",
    "export_seconds",
    "import_vs_copy",
    "warnings_opened_explained",
)


def _server_url(database: str) -> str:
    """DATABASE_URL of the test database's server, naming `database`."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{database}"


def _exists(name: str) -> bool:
    with psycopg.connect(_server_url("postgres"), autocommit=True) as server:
        return bool(
            server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


def _drop(name: str) -> None:
    with psycopg.connect(_server_url("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def smoke(django_db_setup, tmp_path_factory):
    """(results, seconds, paths written) of one smoke run."""
    name = f"dixian_bench_smoke{worker_suffix()}"
    base = Path(settings.BASE_DIR)
    guarded = [base / "bench" / "results.json", base / "docs" / "benchmarks.md"]
    before = {path: path.stat().st_mtime_ns for path in guarded if path.exists()}
    environment = dict(
        os.environ,
        DATABASE_URL=_server_url("postgres"),
        BENCH_DATABASE=name,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
    )
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        # A broker folder of its own: no task another test left queued reaches its workers.
        environment["DIXIAN_BROKER_DIR"] = str(tmp_path_factory.mktemp("bench-broker"))
    template = migrated_copy_name()  # tests/conftest.py; absent with --reuse-db: it migrates
    command = [sys.executable, "bench/run.py", "--smoke", "--scale", str(SCALE)]
    command += ["--sample", str(SAMPLE), "--growth-scale", str(GROWTH_SCALE)]
    if _exists(template):
        command += ["--template", template]
    started = time.monotonic()
    try:
        run = subprocess.Popen(
            command, cwd=base, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            _out, errors = run.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            run.terminate()  # it stops the workers it started before it ends
            _out, errors = run.communicate(timeout=120)
        seconds = time.monotonic() - started
        assert run.returncode == 0, errors.decode(errors="replace")[-4000:]
        results = json.loads((base / "var" / "bench" / f"{name}.json").read_text())
    finally:
        _drop(name)
        _drop(f"{name}_growth")
    after = {path: path.stat().st_mtime_ns for path in guarded if path.exists()}
    return results, seconds, before == after


def test_every_step_finishes_and_writes_its_figures(smoke):
    results, seconds, _ = smoke
    assert results["smoke"] is True and results["households"] == SCALE
    for key in EARLY_WARNING:
        assert isinstance(results[key], int | float), key
    for step in STEP_BLOCKS:
        assert isinstance(results.get(step), dict) and results[step], step
    assert results["scan_households_judged"] == SCALE
    assert results["growth"]["small_households"] == GROWTH_SCALE
    assert results["growth"]["paths"], "the growth run compared no path"
    print(f"smoke run: {seconds:.1f} s")


def test_servers_it_starts_answer_every_request(smoke):
    """The load and pooling steps count a failed request, not fail: a server that redirects
    every request (issue 21: production's SSL redirect on a plain-HTTP bench) is a failure."""
    results, _, _ = smoke
    load = results["load"]
    assert load["requests"] > 0 and load["load_errors"] == 0, load["paths"]
    # The open model's steps (bench/load_test.py): two short ones, each with its figures.
    assert [step["rate"] for step in load["steps"]] == [3, 6], load["steps"]
    assert all(step["requests"] > 0 for step in load["steps"]), load["steps"]
    for mode, figures in results["pooling"]["modes"].items():
        assert figures["failures"] == 0, mode


def test_issue_21_keys_are_at_the_top(smoke):
    results, _, _ = smoke
    missing = [key for key in ISSUE_21_KEYS if key not in results]
    assert not missing


def test_a_smoke_run_never_writes_the_benchmarks_figures(smoke):
    _, _, untouched = smoke
    assert untouched, "a smoke run wrote bench/results.json or docs/benchmarks.md"
