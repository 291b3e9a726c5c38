"""Should visits be partitioned by year? The same visits in a copy of the table partitioned by
`visited_on` (PostgreSQL declarative partitioning, one partition a year), the reads Dixian makes
of visits timed on both, and what partitions are really for — letting an old year go — timed
both ways.

The copy has the same columns and the same `visit_latest` index; it is dropped at the end. Each
read is the median of REPEATS after a first run; the year's removal runs in a transaction that is
rolled back, so the bench registry is unchanged.
"""

import statistics
import time

from django.db import connection, transaction

from bench.common import sized

REPEATS = sized(5, 1)
COPY = "bench_visit_by_year"
YEARS = range(2023, 2028)

# name -> statement over {visits}; %(…)s parameters are filled from _parameters().
READS = {
    # The scan's loader: the latest two visits of each household of a chunk (monitoring/engine/facts.py).
    "scan chunk: latest two visits of 5,000 households": """
        SELECT h.id, v.visited_on, v.per_capita_income
        FROM households_household h CROSS JOIN LATERAL (
            SELECT visited_on, id, per_capita_income FROM {visits} v WHERE v.household_id = h.id
            ORDER BY visited_on DESC, id DESC LIMIT 2) v
        WHERE h.id BETWEEN %(first)s AND %(first)s + 4999
    """,
    "one household's visits, newest first": """
        SELECT id, visited_on FROM {visits} WHERE household_id = %(household)s
        ORDER BY visited_on DESC, id DESC LIMIT 50
    """,
    "a village's visits of the last 90 days": """
        SELECT v.id, v.visited_on FROM {visits} v JOIN households_household h ON h.id = v.household_id
        WHERE h.village_id = %(village)s AND v.visited_on >= DATE %(as_of)s - 90
        ORDER BY v.visited_on DESC, v.id DESC LIMIT 50
    """,
    "visits a month over the county's last year (dashboard trend)": """
        SELECT date_trunc('month', visited_on), count(*) FROM {visits}
        WHERE visited_on >= DATE %(as_of)s - 365 GROUP BY 1
    """,
}


def _create_copy(cursor) -> float:
    started = time.perf_counter()
    cursor.execute(f"DROP TABLE IF EXISTS {COPY}")
    cursor.execute(
        f"CREATE TABLE {COPY} (LIKE monitoring_visit INCLUDING DEFAULTS) "
        "PARTITION BY RANGE (visited_on)"
    )
    for year in YEARS:
        cursor.execute(
            f"CREATE TABLE {COPY}_{year} PARTITION OF {COPY} "
            f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
        )
    cursor.execute(f"CREATE TABLE {COPY}_other PARTITION OF {COPY} DEFAULT")
    cursor.execute(f"INSERT INTO {COPY} SELECT * FROM monitoring_visit")
    cursor.execute(f"CREATE INDEX {COPY}_latest ON {COPY} (household_id, visited_on DESC, id DESC)")
    cursor.execute(f"ANALYZE {COPY}")
    return time.perf_counter() - started


def _parameters(cursor) -> dict:
    cursor.execute(
        "SELECT min(id), (SELECT household_id FROM monitoring_visit ORDER BY id DESC LIMIT 1),"
        " (SELECT village_id FROM households_household ORDER BY id LIMIT 1),"
        " (SELECT max(visited_on) FROM monitoring_visit) FROM households_household"
    )
    first, household, village, as_of = cursor.fetchone()
    return {"first": first, "household": household, "village": village, "as_of": as_of}


def _median_ms(cursor, sql: str, parameters: dict) -> float:
    cursor.execute(sql, parameters)
    cursor.fetchall()
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        cursor.execute(sql, parameters)
        cursor.fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _dependents(cursor) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to a visit: a visit goes only after its dependents."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f' AND c.confrelid = 'monitoring_visit'::regclass ORDER BY 1"
    )
    return cursor.fetchall()


def _oldest_year_removed(cursor, year: int) -> dict:
    """The oldest year let go, as a retention purge would commit it: the rows that refer to its
    visits first, then the visits by DELETE from the plain table, or by DETACH and DROP of the
    partition. The foreign keys are checked at each statement, as the commit would, and the
    purge names itself to the history (pghistory.context), as every writer does: a statement
    that touches many tracked rows outside a context pays a rolled-back subtransaction a row
    (config/settings.py, pgtrigger.ignore)."""
    import pghistory

    cutoff = f"'{year + 1}-01-01'"
    dependents = [
        f"DELETE FROM {table} WHERE {column} IN"  # noqa: S608 - names from the catalog
        f" (SELECT id FROM monitoring_visit WHERE visited_on < {cutoff})"
        for table, column in _dependents(cursor)
    ]
    timings = {}
    for label, statements in (
        ("dependents_delete_seconds", dependents),
        (
            "delete_seconds",
            [*dependents, f"DELETE FROM monitoring_visit WHERE visited_on < {cutoff}"],
        ),
        (
            "detach_drop_seconds",
            [
                *dependents,
                f"ALTER TABLE {COPY} DETACH PARTITION {COPY}_{year}",
                f"DROP TABLE {COPY}_{year}",
            ],
        ),
    ):
        with transaction.atomic(), pghistory.context(purpose="bench: the oldest year let go"):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            for statement in statements:
                cursor.execute(statement)
            timings[label] = time.perf_counter() - started
            transaction.set_rollback(True)
    return timings


def measure_partition() -> dict:
    with connection.cursor() as cursor:
        # The copy bypasses the triggers and constraints of the real table; it is a read test.
        build_seconds = _create_copy(cursor)
        cursor.execute(
            "SELECT pg_total_relation_size('monitoring_visit'), "
            "(SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            f"WHERE inhparent = '{COPY}'::regclass), (SELECT count(*) FROM monitoring_visit)"
        )
        plain_bytes, partitioned_bytes, visits = cursor.fetchone()
        parameters = _parameters(cursor)
        reads = {}
        for name, sql in READS.items():
            plain = _median_ms(cursor, sql.format(visits="monitoring_visit"), parameters)
            partitioned = _median_ms(cursor, sql.format(visits=COPY), parameters)
            reads[name] = {
                "plain_ms": round(plain, 2),
                "partitioned_ms": round(partitioned, 2),
                "ratio": round(partitioned / plain, 2),
            }
        cursor.execute(f"SELECT min(visited_on) FROM {COPY}")
        oldest = cursor.fetchone()[0].year
        removal = _oldest_year_removed(cursor, oldest)
        cursor.execute(f"DROP TABLE {COPY}")
    return {
        "visits": visits,
        "copy_build_seconds": round(build_seconds, 1),
        "plain_mb": round(plain_bytes / 2**20),
        "partitioned_mb": round(partitioned_bytes / 2**20),
        "reads": reads,
        "oldest_year": oldest,
        **{key: round(value, 3) for key, value in removal.items()},
        "repeats": REPEATS,
    }
