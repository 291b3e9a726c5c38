"""The household Excel export of a county officer: as many rows as one file may hold.

The page's filters are chosen so that the export has MAX_EXPORT_ROWS rows or just under: the
region (the county, a township or a group of villages, by code prefix) and, if it takes one, the
poverty status. The bench county's households are spread evenly over its villages and every fourth
is lifted out of poverty, so at 200,000 households the whole county's lifted-out households are
exactly 50,000 (no township holds that many); at 1,000,000 a group of villages is chosen.

A list that long is an export job (spreadsheets/export_jobs.py): the officer's POST answers with
the job's page, the worker writes the file, the officer downloads it. The step times the three
in this process, the worker's part called as the worker calls it: the polls between them, and
the wait for a free worker, are not the export's cost.
"""

import resource
import statistics
import time
from urllib.parse import urlencode

from django.db import connection

from bench.common import COUNTY, QueryLog, client_for, sized, user

EXPORT_RUNS = sized(3, 1)
# Region prefixes tried: the county, its townships, groups of ten villages (a code's 11th digit).
PREFIX_LENGTHS = (6, 9, 11)


def measure_export() -> dict:
    from accounts.models import Role
    from spreadsheets.export_jobs import export_job_write
    from spreadsheets.exports import MAX_EXPORT_ROWS
    from spreadsheets.models import ExportJob
    from spreadsheets.uploads import EXPORT_FILES

    filters, rows = _largest_export(MAX_EXPORT_ROWS)
    client = client_for(user("bench_county", Role.COUNTY_OFFICER, COUNTY))
    path = f"/export/households.xlsx?{urlencode(filters)}"
    seconds, statements = [], []
    for _ in range(EXPORT_RUNS):
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            response = client.post(path)  # an export is a POST: it writes an audit record
            job = None
            if response.status_code == 302:  # longer than a request writes (not in a smoke run)
                job = ExportJob.objects.get(pk=int(response["Location"].split("/")[-2]))
                assert export_job_write(job.pk) == "ready", job.pk
                response = client.post(f"{response['Location']}download/")
            assert response.status_code == 200, (path, response.status_code)
            size = _read_body(response)
            seconds.append(time.perf_counter() - started)
            if job is not None:
                EXPORT_FILES.delete(job.file_key)
        statements.append(len(log.ms))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response[
            "Content-Type"
        ]
    return {
        # The step's process holds nothing else of size: its high-water mark is the export's.
        "export_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "path": path,
        "region": filters["region"],
        "rows": rows,
        "max_export_rows": MAX_EXPORT_ROWS,
        "file_bytes": size,
        "runs_seconds": [round(s, 2) for s in seconds],
        "export_seconds": statistics.median(seconds),
        "queries": max(statements),
    }


def _read_body(response) -> int:
    """The body's size, read as a browser would: chunk by chunk when it streams, never whole."""
    try:
        if not response.streaming:
            return len(response.content)
        return sum(len(chunk) for chunk in response.streaming_content)
    finally:
        response.close()


def _largest_export(limit: int) -> tuple[dict, int]:
    """The page filters whose export is the largest that one file may hold, and its rows."""
    from django.db.models import Count, Q
    from django.db.models.functions import Left

    from households.models import Household, PovertyStatus

    candidates = []
    for length in PREFIX_LENGTHS:
        counts = (
            Household.objects.filter(village__code__startswith=COUNTY[:6])
            .annotate(prefix=Left("village_id", length))
            .values("prefix")
            .annotate(
                every=Count("id"),
                lifted=Count("id", filter=Q(poverty_status=PovertyStatus.LIFTED_OUT)),
            )
        )
        for row in counts:
            region = {"region": row["prefix"]}
            candidates.append((row["every"], -length, region))
            lifted = {**region, "poverty_status": PovertyStatus.LIFTED_OUT}
            candidates.append((row["lifted"], -length - 0.5, lifted))
    fitting = [candidate for candidate in candidates if candidate[0] <= limit]
    rows, _, filters = max(fitting, key=lambda candidate: candidate[:2])
    return filters, rows
