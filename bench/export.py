"""The household Excel export of a county officer: about 46,000 rows."""

import resource
import statistics
import time

from django.db import connection

from bench.common import COUNTY, QueryLog, client_for, get, user

# Villages 620423103210…219: about 46,000 households, under the export's 50,000-row limit.
EXPORT_REGION, EXPORT_RUNS = "62042310321", 2


def measure_export() -> dict:
    from accounts.models import Role
    from spreadsheets.exports import MAX_EXPORT_ROWS

    client = client_for(user("bench_county", Role.COUNTY_OFFICER, COUNTY))
    path = f"/export/households.xlsx?region={EXPORT_REGION}"
    seconds, statements = [], []
    for _ in range(EXPORT_RUNS):
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            response = get(client, path)
            content = response.content
            seconds.append(time.perf_counter() - started)
        statements.append(len(log.ms))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response[
            "Content-Type"
        ]
    return {
        # The step's process holds nothing else of size: its high-water mark is the export's.
        "export_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "region": EXPORT_REGION,
        "rows": _export_rows(),
        "max_export_rows": MAX_EXPORT_ROWS,
        "file_bytes": len(content),
        "runs_seconds": [round(s, 2) for s in seconds],
        "export_seconds": statistics.median(seconds),
        "queries": max(statements),
    }


def _export_rows() -> int:
    from households.models import Household

    return Household.objects.filter(village__code__startswith=EXPORT_REGION).count()
