"""The task list (worklist) of a township cadre and of a county officer: the API and the page."""

from bench.common import COUNTY, TOWNSHIP, client_for, read, user

TASK_READS = 30


def measure_tasks() -> dict:
    from accounts.models import Role
    from worklist.selectors import task_counts

    cadre = user("bench_township_cadre", Role.TOWNSHIP_CADRE, TOWNSHIP)
    officer = user("bench_county_officer", Role.COUNTY_OFFICER, COUNTY)
    results: dict = {"reads": TASK_READS}
    for name, person in (("township", cadre), ("county", officer)):
        client = client_for(person)
        api = read(client, "/api/v1/tasks/", TASK_READS)
        page = read(client, "/tasks/", TASK_READS)
        counts = task_counts(person)
        results[name] = {
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
    results["tasks_p95_ms"] = max(
        results[name][key]
        for name in ("township", "county")
        for key in ("api_p95_ms", "page_p95_ms")
    )
    return results
