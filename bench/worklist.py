"""The task list (worklist) of a township cadre and of a county officer: the API and the page."""

import os
import sys

from bench.common import COUNTY, TOWNSHIP, client_for, read, sized, user

TASK_READS = sized(30, 3)


def measure_tasks() -> dict:
    from accounts.models import Role
    from bench.load import load_tasks, task_rows_loaded
    from worklist.selectors import task_counts

    # The task list's records (cases, steps, measures, pairings, notes…), once per database.
    build = (
        None if task_rows_loaded() else load_tasks(log=lambda line: print(line, file=sys.stderr))
    )

    cadre = user("bench_township_cadre", Role.TOWNSHIP_CADRE, TOWNSHIP)
    officer = user("bench_county_officer", Role.COUNTY_OFFICER, COUNTY)
    # Other work on the server moves these figures most: its load is recorded with them.
    results: dict = {"reads": TASK_READS, "load_before": round(os.getloadavg()[0], 2)}
    if build:
        results["build_seconds"] = {step: round(seconds, 1) for step, seconds in build.items()}
    for name, person in (("township", cadre), ("county", officer)):
        client = client_for(person)
        api = read(client, "/api/v1/tasks/", TASK_READS)
        page = read(client, "/tasks/", TASK_READS)
        counts = task_counts(person)
        results[name] = {
            # Each kind counted up to worklist.selectors.COUNT_CAP: the sums are floors.
            "kinds": counts,
            "tasks": sum(counted["total"] for counted in counts.values()),
            "overdue": sum(counted["overdue"] for counted in counts.values()),
            "api_p50_ms": api["ms"],
            "api_p95_ms": api["p95_ms"],
            "api_db_ms": api["db_ms"],
            "api_queries": api["queries"],
            "page_p50_ms": page["ms"],
            "page_p95_ms": page["p95_ms"],
            "page_db_ms": page["db_ms"],
            "page_queries": page["queries"],
        }
    results["load_after"] = round(os.getloadavg()[0], 2)
    results["tasks_p95_ms"] = max(
        results[name][key]
        for name in ("township", "county")
        for key in ("api_p95_ms", "page_p95_ms")
    )
    return results
