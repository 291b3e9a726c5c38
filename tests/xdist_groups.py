"""Which tests pytest-xdist keeps on one worker (`make test`: -n auto --dist loadgroup).

Loaded with `-p tests.xdist_groups` (pyproject.toml), so that the controller, which hands out the
tests, has it whatever paths pytest is given.

Tests of no group are handed out one by one. A module whose module-scoped fixture starts
something costly (a Celery worker, gunicorn, a PostgreSQL server, a big world of data) stays on
one worker, so the fixture starts once; the modules that start Celery workers and Redis servers
form one group and the browser modules two (a worker each), so that the Celery workers never fight
the browsers for the CPU (their timeouts are real time) while the quick tests fill the gaps.

xdist's own loadgroup reads a test's group from a suffix its workers add to the test's node id
(`item._nodeid`); pytest 9 keeps the node id elsewhere (`Node._id`), so that suffix never arrives
and every test was handed out alone: both backup modules built a pilot county, each on its own
worker, and every module-scoped fixture above started on both workers. The scheduler below reads
the groups from the paths themselves, on the controller.
"""

import pytest
from xdist.scheduler import LoadGroupScheduling

XDIST_GROUPS = {
    "celery-workers": (
        "tests/assistance/test_deadline_worker.py",
        "tests/livelihoods/test_credit_worker.py",
        "tests/audit/test_outside_requests.py",
        "tests/audit/test_retention.py",
        "tests/backtests/test_worker.py",
        "tests/monitoring/test_faults.py",
        "tests/monitoring/test_embedded_burst.py",
        "tests/monitoring/test_celery_queues.py",
        "tests/monitoring/test_scan_faults.py",
        "tests/monitoring/test_worker.py",
        "tests/monitoring/test_webhook_worker.py",
        "tests/monitoring/test_email_worker.py",
        "tests/ops/test_metrics.py",
        "tests/spreadsheets/test_import_jobs.py",
    ),
    # The browser modules in two halves, one a worker: issue 18's persona days and pages alone
    # took longer than the rest of the suite on one worker.
    "browser-days": (
        "tests/browser/test_persona_days.py",
        "tests/browser/test_shell_on_a_phone.py",
        "tests/browser/test_dashboard_drill.py",
        "tests/browser/test_working_lists.py",
        "tests/browser/test_household_hub_on_a_phone.py",
    ),
    "browser": ("tests/browser/",),
    # `make bench` whole at a few hundred households (issue 21): Celery workers, gunicorn and
    # locust of its own, a minute of both cores; never beside the Celery workers' modules.
    "bench-smoke": ("tests/bench/test_bench_runs.py",),
    # One pilot county per worker (tests/ops/conftest.py), shared by both backup modules.
    "ops-backup": ("tests/ops/test_backup.py", "tests/ops/test_backup_across_versions.py"),
}
# Module-scoped fixtures worth building once (the authorization matrix's world is not in here: its
# 2,730 tests are better spread over every worker, each building the world once).
XDIST_MODULE_GROUPS = (
    "tests/api/test_schema.py",
    "tests/ops/test_gunicorn_log.py",
    "tests/ops/test_postgres_log.py",
    "tests/ops/test_replica.py",
    "tests/structure/test_plans.py",
    "tests/structure/test_query_counts.py",
)


def xdist_group(path: str) -> str | None:
    """The group of a test file (a path relative to the repository), or None."""
    for group, prefixes in XDIST_GROUPS.items():
        if path.startswith(prefixes):
            return group
    return path if path in XDIST_MODULE_GROUPS else None


def work_unit(nodeid: str) -> str:
    """What the controller hands out whole: the test's group, or the test alone."""
    if nodeid.rfind("@") > nodeid.rfind("]"):  # xdist's own suffix, where pytest keeps it
        return nodeid.rsplit("@", 1)[1]
    return xdist_group(nodeid.split("::", 1)[0]) or nodeid


class GroupScheduling(LoadGroupScheduling):
    """xdist's loadgroup (the biggest unit first, then one unit at a time to whichever worker
    runs short), its units read by work_unit()."""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # before xdist's own LoadGroupScheduling
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadgroup":
        return GroupScheduling(config, log)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The groups as xdist_group marks too, for a pytest and xdist that read them."""
    for item in items:
        group = xdist_group(item.nodeid.split("::", 1)[0])
        if group and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group))
