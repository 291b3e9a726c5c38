"""What the everyday-path benchmarks share: the bench region, users and clients, and a read that
times a whole request and the statements under it.

Every path is read through Django's test client as its user reads it (a township cadre of
一条山镇, an API client of the county, a county officer), so the figures include the
middleware, the permission checks, the serializers and the templates. Times are in
milliseconds unless the key says seconds.
"""

import os
import statistics
import time
from pathlib import Path

from django.db import connection

COUNTY = "620423000000"
TOWNSHIP = "620423100000"  # 一条山镇
TOWNSHIP_PREFIX = "620423100"
# `bench/run.py --smoke` (tests/bench/test_bench_runs.py): every step at the smallest size that
# still runs all of its code, so that a step that no longer runs fails CI. Its figures measure
# nothing, and it never writes bench/results.json or docs/benchmarks.md.
SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def sized(full, smoke):
    """`full` in a benchmark, `smoke` in a smoke run."""
    return smoke if SMOKE else full


REPEATS = sized(9, 2)


class QueryLog:
    """Every statement of a block with its time, through `connection.execute_wrapper`."""

    def __init__(self) -> None:
        self.ms: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)


def user(username: str, role: str, region: str):
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "region_id": region}
    )
    return user


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def cadre_client():
    from accounts.models import Role

    return client_for(user("bench_township_cadre", Role.TOWNSHIP_CADRE, TOWNSHIP))


def get(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def read(client, path: str, repeats: int) -> dict:
    """Median time, database time and statements of `repeats` reads after a first one."""
    [figures] = read_in_turn(client, [path], repeats)
    return figures


def read_in_turn(client, paths: list[str], repeats: int) -> list[dict]:
    """`read` of each path, the paths read in turn (one read of each a round, `repeats` rounds):
    a ratio of two paths is then not moved by a slower minute of the machine falling on one of
    them (the household list against its bare view read one after the other: 1.18 to 1.98
    between runs of the same code)."""
    for path in paths:
        get(client, path)
    total: list[list[float]] = [[] for _ in paths]
    database: list[list[float]] = [[] for _ in paths]
    statements: list[list[int]] = [[] for _ in paths]
    for _ in range(repeats):
        for index, path in enumerate(paths):
            log = QueryLog()
            with connection.execute_wrapper(log):
                started = time.perf_counter()
                get(client, path)
                total[index].append((time.perf_counter() - started) * 1000)
            database[index].append(sum(log.ms))
            statements[index].append(len(log.ms))
    figures = []
    for index in range(len(paths)):
        times = sorted(total[index])
        figures.append(
            {
                "ms": statistics.median(times),
                "p95_ms": times[max(int(len(times) * 0.95) - 1, 0)],
                "db_ms": statistics.median(database[index]),
                "queries": max(statements[index]),
            }
        )
    return figures


def median_ms(call, repeats: int) -> float:
    call()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a process and its children (a prefork pool), in MB."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if entry.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            peaks.append(int(fields.get("VmHWM", "0 kB").split()[0]) / 1024)
    return max(peaks, default=0.0)
