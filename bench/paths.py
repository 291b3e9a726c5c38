"""The everyday paths at the bench scale: the household list (first page and 2,000 rows deep),
the warning queue, a department's signal batch and the household Excel export.

Every path is read through Django's test client as its user reads it (a township cadre of
一条山镇, an API client of the county, a county officer), so the figures include the
middleware, the permission checks, the serializers and the templates. Each function is one
`--only` step of bench/run.py and returns a dict of figures; times are in milliseconds unless
the key says seconds.

The bench registry has never been scanned into `risk_level`: every household is at level
"none" with score 0. The list is therefore filtered by that level, which keeps the whole
township (about 99,000 households) and gives a score ordering made only of ties.
"""

import json
import resource
import statistics
import time
from collections import Counter

from django.db import connection, transaction

COUNTY = "620423000000"
TOWNSHIP = "620423100000"  # 一条山镇
TOWNSHIP_PREFIX = "620423100"
RISK_LEVEL = "none"
ORDERING = "-risk_score"
LIST_QUERY = f"region={TOWNSHIP}&risk_level={RISK_LEVEL}&ordering={ORDERING}"
REPEATS = 9
DEEP_PAGES = 40  # `next` links followed: the 41st page starts at row 2,001
QUEUE_READS = 30
SIGNAL_BATCHES, SIGNAL_ITEMS, SIGNAL_AREAS, SIGNAL_MATCHED = 3, 1000, 10, 100
# Villages 620423103210…219: about 46,000 households, under the export's 50,000-row limit.
EXPORT_REGION, EXPORT_RUNS = "62042310321", 2
VALUE_FIELDS = [
    "id",
    "number",
    "village_id",
    "address",
    "phone",
    "bank_account",
    "poverty_status",
    "poverty_exit_year",
    "head_name",
    "member_count",
    "risk_level",
    "risk_score",
    "per_capita_income",
    "last_visit_on",
    "next_visit_due",
    "version",
]


class QueryLog:
    """Every statement of a block with its time, through `connection.execute_wrapper`."""

    def __init__(self) -> None:
        self.ms: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)


def _user(username: str, role: str, region: str):
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "region_id": region}
    )
    return user


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _cadre_client():
    from accounts.models import Role

    return _client(_user("bench_township_cadre", Role.TOWNSHIP_CADRE, TOWNSHIP))


def _get(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def _read(client, path: str, repeats: int) -> dict:
    """Median time, database time and statements of `repeats` reads after a first one."""
    _get(client, path)
    total, database, statements = [], [], []
    for _ in range(repeats):
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            _get(client, path)
            total.append((time.perf_counter() - started) * 1000)
        database.append(sum(log.ms))
        statements.append(len(log.ms))
    total.sort()
    return {
        "ms": statistics.median(total),
        "p95_ms": total[max(int(len(total) * 0.95) - 1, 0)],
        "db_ms": statistics.median(database),
        "queries": max(statements),
    }


def _values_json() -> str:
    from households.models import Household

    rows = list(
        Household.objects.filter(village__code__startswith=TOWNSHIP_PREFIX, risk_level=RISK_LEVEL)
        .order_by(ORDERING)
        .values(*VALUE_FIELDS)[:50]
    )
    return json.dumps(rows, default=str, ensure_ascii=False)


def _median_ms(call, repeats: int) -> float:
    call()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure_list() -> dict:
    client = _cadre_client()
    api = _read(client, f"/api/v1/households/?{LIST_QUERY}", REPEATS)
    page = _read(client, f"/households/?{LIST_QUERY}", REPEATS)
    values_ms = _median_ms(_values_json, REPEATS)
    return {
        "query": LIST_QUERY,
        "rows_matching": _township_rows(),
        "api_ms": api["ms"],
        "api_db_ms": api["db_ms"],
        "api_queries": api["queries"],
        "page_ms": page["ms"],
        "page_db_ms": page["db_ms"],
        "page_queries": page["queries"],
        "values_ms": values_ms,
        "list_vs_values": api["ms"] / values_ms,
        "list_db_ms": api["db_ms"],
        "repeats": REPEATS,
    }


def _township_rows() -> int:
    from households.models import Household

    return Household.objects.filter(
        village__code__startswith=TOWNSHIP_PREFIX, risk_level=RISK_LEVEL
    ).count()


def _walk(client, path: str) -> tuple[str, Counter, float]:
    """Follow `next` DEEP_PAGES times; the last page's address, the ids read and the seconds."""
    seen: Counter = Counter()
    started = time.perf_counter()
    body = _get(client, path).json()
    seen.update(row["id"] for row in body["results"])
    for _ in range(DEEP_PAGES):
        if not body["next"]:
            break
        path = body["next"]
        body = _get(client, path).json()
        seen.update(row["id"] for row in body["results"])
    return path, seen, time.perf_counter() - started


def measure_deep() -> dict:
    """The page 2,000 rows down, reached as a client reaches it: by its `next` links. The same
    walk ordered by household number (a unique key) shows what the keyset gives when it can."""
    client = _cadre_client()
    path = f"/api/v1/households/?{LIST_QUERY}"
    deep_path, seen, walk_seconds = _walk(client, path)
    by_number = path.replace(f"ordering={ORDERING}", "ordering=number")
    number_deep_path, number_seen, number_walk_seconds = _walk(client, by_number)
    first = _read(client, path, REPEATS)
    deep = _read(client, deep_path, REPEATS)
    number_first = _read(client, by_number, REPEATS)
    number_deep = _read(client, number_deep_path, REPEATS)
    page_first = _read(client, f"/households/?{LIST_QUERY}&page=1", REPEATS)
    page_deep = _read(client, f"/households/?{LIST_QUERY}&page={DEEP_PAGES + 1}", REPEATS)
    return {
        "pages_followed": DEEP_PAGES,
        "walk_seconds": walk_seconds,
        "rows_read": sum(seen.values()),
        "distinct_rows_read": len(seen),
        "api_first_ms": first["ms"],
        "api_deep_ms": deep["ms"],
        "api_first_db_ms": first["db_ms"],
        "api_deep_db_ms": deep["db_ms"],
        "by_number_walk_seconds": number_walk_seconds,
        "by_number_distinct_rows_read": len(number_seen),
        "by_number_first_ms": number_first["ms"],
        "by_number_deep_ms": number_deep["ms"],
        "by_number_deep_vs_first": number_deep["ms"] / number_first["ms"],
        "page_first_ms": page_first["ms"],
        "page_deep_ms": page_deep["ms"],
        "page_first_db_ms": page_first["db_ms"],
        "page_deep_db_ms": page_deep["db_ms"],
        "deep_vs_first": deep["ms"] / first["ms"],
        "page_deep_vs_first": page_deep["ms"] / page_first["ms"],
        "repeats": REPEATS,
    }


def measure_queue() -> dict:
    from monitoring.models import ACTIVE_STATUSES, Alert

    client = _cadre_client()
    api = _read(client, f"/api/v1/alerts/?region={TOWNSHIP_PREFIX}&active=1", QUEUE_READS)
    page = _read(client, "/alerts/", QUEUE_READS)
    active = Alert.objects.filter(
        status__in=ACTIVE_STATUSES, household__village__code__startswith=TOWNSHIP_PREFIX
    ).count()
    return {
        "active_alerts": active,
        "api_p50_ms": api["ms"],
        "api_p95_ms": api["p95_ms"],
        "api_db_ms": api["db_ms"],
        "api_queries": api["queries"],
        "page_p50_ms": page["ms"],
        "page_p95_ms": page["p95_ms"],
        "page_db_ms": page["db_ms"],
        "page_queries": page["queries"],
        "queue_p95_ms": max(api["p95_ms"], page["p95_ms"]),
        "reads": QUEUE_READS,
    }


def _id_numbers(count: int, seed: int) -> list[str]:
    """Valid 18-character ID numbers of Jingtai, never issued to a bench member."""
    import datetime

    from stdnum.cn import ric

    born = datetime.date(1950, 1, 1)
    numbers = []
    for index in range(count):
        birth = born + datetime.timedelta(days=(seed * count + index) // 900)
        body = f"620423{birth:%Y%m%d}{index % 900 + 100:03d}"
        numbers.append(body + ric.calc_check_digit(body + "0"))
    return numbers


def _signal_batch(batch: int, tag: str, villages: list[str]) -> tuple[list[dict], list[str]]:
    """1,000 items: area signals on villages of the township, the rest about people; the first
    SIGNAL_MATCHED people are given to members (in the rolled-back transaction) so they match."""
    numbers = _id_numbers(SIGNAL_ITEMS - SIGNAL_AREAS, batch)
    items = [
        {
            "source": "emergency",
            "external_id": f"{tag}-{batch}-area-{index}",
            "kind": "disaster_area",
            "region_code": village,
            "occurred_on": "2026-11-01",
            "detail": "冰雹",
        }
        for index, village in enumerate(villages[:SIGNAL_AREAS])
    ]
    items += [
        {
            "source": "medical_insurance",
            "external_id": f"{tag}-{batch}-{index}",
            "kind": "large_medical_expense",
            "id_number": number,
            "occurred_on": "2026-11-01",
            "amount": "23000.00",
        }
        for index, number in enumerate(numbers)
    ]
    return items, numbers[:SIGNAL_MATCHED]


def measure_signals() -> dict:
    from django.test import Client
    from knox.models import AuthToken

    from accounts.models import Role
    from households import id_numbers
    from households.models import Member, Region

    user = _user("bench_api_client", Role.API_CLIENT, COUNTY)
    villages = list(
        Region.objects.filter(code__startswith=TOWNSHIP_PREFIX, level="village")
        .order_by("code")
        .values_list("code", flat=True)
    )
    members = list(
        Member.objects.filter(household__village__code__startswith=TOWNSHIP_PREFIX)
        .order_by("id")
        .values_list("id", flat=True)[: SIGNAL_MATCHED * SIGNAL_BATCHES]
    )
    tag = f"bench-{time.time_ns()}"
    seconds, outcomes, statements = [], Counter(), []
    token_row, token = AuthToken.objects.create(user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    try:
        for batch in range(SIGNAL_BATCHES):
            items, matched = _signal_batch(batch, tag, villages)
            # Everything the batch writes (signals, pending evaluations, scan runs,
            # notifications, the member numbers below) is rolled back; tasks queued on commit
            # are never sent.
            with transaction.atomic():
                for member_id, number in zip(
                    members[batch * SIGNAL_MATCHED :], matched, strict=False
                ):
                    Member.objects.filter(pk=member_id).update(
                        id_number_hash=id_numbers.lookup_hash(number)
                    )
                log = QueryLog()
                with connection.execute_wrapper(log):
                    started = time.perf_counter()
                    response = client.post(
                        "/api/v1/signals/", {"items": items}, content_type="application/json"
                    )
                    seconds.append(time.perf_counter() - started)
                assert response.status_code == 200, (response.status_code, response.content[:500])
                outcomes.update(row["result"] for row in response.json())
                statements.append(len(log.ms))
                transaction.set_rollback(True)
    finally:
        token_row.delete()
    return {
        "batches": SIGNAL_BATCHES,
        "items": SIGNAL_ITEMS,
        "area_items": SIGNAL_AREAS,
        "batch_seconds": [round(s, 2) for s in seconds],
        "signal_batch_seconds": statistics.median(seconds),
        "results": {key: value // SIGNAL_BATCHES for key, value in outcomes.items()},
        "queries": max(statements),
    }


def measure_export() -> dict:
    from accounts.models import Role
    from spreadsheets.exports import MAX_EXPORT_ROWS

    client = _client(_user("bench_county", Role.COUNTY_OFFICER, COUNTY))
    path = f"/export/households.xlsx?region={EXPORT_REGION}"
    seconds, statements = [], []
    for _ in range(EXPORT_RUNS):
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            response = _get(client, path)
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
