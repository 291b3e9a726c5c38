"""What else the machine is doing, printed when a run has gone on far longer than it should.

The suite takes 12 to 20 minutes on the 2-core machine; CI ends a run at 90. Two runs at a stop
were ended at 99% with nothing to say why: no failure, only slowness. A run still going after
REPORT_AFTER seconds prints, every REPORT_EVERY seconds after that, the load average, the
processes using the most CPU and the PostgreSQL statements still running (another session's
bench left running, a runaway query), so that the next such run names its cause.

Loaded in the controlling process only (`-p tests.slow_run_report`, pyproject.toml); the xdist
workers' own hangs are faulthandler's (faulthandler_timeout).
"""

import os
import subprocess
import sys
import threading

import psycopg

REPORT_AFTER = int(os.environ.get("DIXIAN_SLOW_RUN_REPORT_AFTER", 40 * 60))
REPORT_EVERY = 15 * 60
RUNNING_STATEMENTS = """
    SELECT pid, datname, now() - query_start AS running_for, left(query, 160)
    FROM pg_stat_activity
    WHERE state = 'active' AND pid <> pg_backend_pid() AND query_start < now() - %s::interval
    ORDER BY query_start
"""


def machine_report(running_longer_than: str = "1 min") -> str:
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [f"== slow run: load average {load} on {os.cpu_count()} cores"]
    processes = subprocess.run(
        ["ps", "-eo", "pid,etimes,pcpu,rss,args", "--sort=-pcpu", "--cols", "200"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines += processes.stdout.splitlines()[:12]
    lines.append(f"== PostgreSQL statements running for over {running_longer_than}")
    try:
        with psycopg.connect(_server_url(), autocommit=True, connect_timeout=5) as connection:
            rows = connection.execute(RUNNING_STATEMENTS, [running_longer_than]).fetchall()
    except psycopg.Error as error:
        rows = [("-", "-", "-", f"server not asked: {error}")]
    lines += [" | ".join(str(value) for value in row) for row in rows] or ["none"]
    return "\n".join(lines) + "\n"


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] + "/postgres" if url.startswith("postgres") else ""


def _report_now_and_later() -> None:
    sys.stderr.write(machine_report())
    sys.stderr.flush()
    _start_timer(REPORT_EVERY)


def _start_timer(delay: float) -> None:
    timer = threading.Timer(delay, _report_now_and_later)
    timer.daemon = True
    timer.start()


def pytest_sessionstart(session) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _start_timer(REPORT_AFTER)
