"""The household list of a township cadre: the first page (API and page) beside a plain `values()`
query, and the page 2,000 rows down reached by its `next` links."""

import json
import time
from collections import Counter

from bench.common import REPEATS, TOWNSHIP, TOWNSHIP_PREFIX, cadre_client, get, median_ms, read

RISK_LEVEL = "none"
ORDERING = "-risk_score"
LIST_QUERY = f"region={TOWNSHIP}&risk_level={RISK_LEVEL}&ordering={ORDERING}"
DEEP_PAGES = 40  # `next` links followed: the 41st page starts at row 2,001
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


def _values_json() -> str:
    from households.models import Household

    rows = list(
        Household.objects.filter(village__code__startswith=TOWNSHIP_PREFIX, risk_level=RISK_LEVEL)
        .order_by(ORDERING)
        .values(*VALUE_FIELDS)[:50]
    )
    return json.dumps(rows, default=str, ensure_ascii=False)


def measure_list() -> dict:
    client = cadre_client()
    api = read(client, f"/api/v1/households/?{LIST_QUERY}", REPEATS)
    page = read(client, f"/households/?{LIST_QUERY}", REPEATS)
    values_ms = median_ms(_values_json, REPEATS)
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
    body = get(client, path).json()
    seen.update(row["id"] for row in body["results"])
    for _ in range(DEEP_PAGES):
        if not body["next"]:
            break
        path = body["next"]
        body = get(client, path).json()
        seen.update(row["id"] for row in body["results"])
    return path, seen, time.perf_counter() - started


def measure_deep() -> dict:
    """The page 2,000 rows down, reached as a client reaches it: by its `next` links. The same
    walk ordered by household number (a unique key) shows what the keyset gives when it can."""
    client = cadre_client()
    path = f"/api/v1/households/?{LIST_QUERY}"
    deep_path, seen, walk_seconds = _walk(client, path)
    by_number = path.replace(f"ordering={ORDERING}", "ordering=number")
    number_deep_path, number_seen, number_walk_seconds = _walk(client, by_number)
    first = read(client, path, REPEATS)
    deep = read(client, deep_path, REPEATS)
    number_first = read(client, by_number, REPEATS)
    number_deep = read(client, number_deep_path, REPEATS)
    page_first = read(client, f"/households/?{LIST_QUERY}&page=1", REPEATS)
    page_deep = read(client, f"/households/?{LIST_QUERY}&page={DEEP_PAGES + 1}", REPEATS)
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
