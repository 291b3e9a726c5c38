"""One household's page (/households/<id>/) as the township's cadre opens it: HOUSEHOLD_READS
households of 一条山镇 drawn at random (the same ones every run), each read once after a first
read of the first of them, timed whole (middleware, permission checks, every block of the hub,
the template) with the statements under it.

Issue 21's target: p95 < 150 ms at 1,000,000 households, in the same number of statements
whatever the household (`queries_min` equal to `queries_max`: no block reads per row).
"""

import random
import statistics
import time

from django.db import connection

from bench.common import TOWNSHIP_PREFIX, QueryLog, cadre_client, get, sized

HOUSEHOLD_READS = sized(50, 3)


def measure_household() -> dict:
    from households.models import Household

    ids = list(
        Household.objects.filter(village__code__startswith=TOWNSHIP_PREFIX)
        .order_by("id")
        .values_list("id", flat=True)
    )
    chosen = random.Random(7).sample(ids, min(HOUSEHOLD_READS, len(ids)))
    client = cadre_client()
    get(client, f"/households/{chosen[0]}/")  # the first read of a session warms its caches
    total, database, statements = [], [], []
    for household_id in chosen:
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            get(client, f"/households/{household_id}/")
            total.append((time.perf_counter() - started) * 1000)
        database.append(sum(log.ms))
        statements.append(len(log.ms))
    total.sort()
    return {
        "reads": len(chosen),
        "household_page_p50_ms": statistics.median(total),
        "household_page_p95_ms": total[max(int(len(total) * 0.95) - 1, 0)],
        "db_ms": statistics.median(database),
        "queries_min": min(statements),
        "queries_max": max(statements),
    }
