"""The report a run far slower than it should be prints (tests/slow_run_report.py)."""

import threading
import time

import psycopg
import pytest

from tests import slow_run_report


@pytest.mark.django_db
def test_the_report_names_the_load_the_busiest_processes_and_a_long_running_statement():
    sleeping = threading.Thread(target=_sleep_in_postgres, args=(3,))
    sleeping.start()
    time.sleep(1)
    try:
        report = slow_run_report.machine_report(running_longer_than="0.5 s")
    finally:
        sleeping.join()

    assert report.startswith("== slow run: load average ")
    assert "PID" in report and "%CPU" in report
    assert "pg_sleep(3)" in report


def _sleep_in_postgres(seconds: int) -> None:
    with psycopg.connect(slow_run_report._server_url(), autocommit=True) as connection:
        connection.execute(f"SELECT pg_sleep({seconds})")
