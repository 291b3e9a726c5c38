"""The household list of a township cadre: the first page (API and page) beside what a team would
write by hand for the same rows, and the page 2,000 rows down reached by its `next` links.

Two comparators, both kept so the ratio is never read against the wrong one:
- `values_view_ms`: a bare Django view (bench/urls.py) returning JsonResponse of `values()` of the
  same 50 households and their members, masked the same way, served through the same middleware,
  session and login by the same test client. `list_vs_values` is the API against this.
- `raw_values_ms`: `values()` of the households alone rendered with json.dumps, no request at
  all: the floor. `list_vs_raw_values` is the API against this.

The risk level is the township's most common one other than "none" when there is one (after the
full bench's scan, a level a cadre works through), else "none".
"""

import json
import re
import time
from collections import Counter
from html import unescape

from django.test import override_settings

from bench.common import (
    REPEATS,
    TOWNSHIP,
    TOWNSHIP_PREFIX,
    cadre_client,
    get,
    median_ms,
    read,
    read_in_turn,
    sized,
)
from bench.urls import HOUSEHOLD_FIELDS

ORDERING = "-risk_score"
DEEP_PAGES = sized(40, 2)
# Rounds of the three reads (API, page, bare view), read in turn: 21 of each is under 3 s.
LIST_READS = sized(21, 2)  # `next` links followed: the 41st page starts at row 2,001
VALUES_VIEW = "/bench/households-values/"
# The bare view's household fields, without the village name it joins for.
VALUE_FIELDS = [field for field in HOUSEHOLD_FIELDS if field != "village__name"]


def risk_level() -> str:
    from django.db.models import Count

    from households.models import Household

    levels = (
        Household.objects.filter(village__code__startswith=TOWNSHIP_PREFIX)
        .exclude(risk_level="none")
        .values("risk_level")
        .annotate(n=Count("id"))
        .order_by("-n", "risk_level")
    )
    first = levels.first()
    return first["risk_level"] if first else "none"


def list_query(level: str) -> str:
    return f"region={TOWNSHIP}&risk_level={level}&ordering={ORDERING}"


def _values_json(level: str) -> str:
    from households.models import Household

    rows = list(
        Household.objects.filter(village__code__startswith=TOWNSHIP_PREFIX, risk_level=level)
        .order_by(ORDERING, "id")
        .values(*VALUE_FIELDS)[:50]
    )
    return json.dumps(rows, default=str, ensure_ascii=False)


def measure_list() -> dict:
    level = risk_level()
    query = list_query(level)
    client = cadre_client()
    with override_settings(ROOT_URLCONF="bench.urls"):
        api, page, view = read_in_turn(
            client,
            [f"/api/v1/households/?{query}", f"/households/?{query}", f"{VALUES_VIEW}?{query}"],
            LIST_READS,
        )
        # The same rows in both, or the comparison means nothing.
        api_ids = [
            row["id"] for row in get(client, f"/api/v1/households/?{query}").json()["results"]
        ]
        view_ids = [row["id"] for row in get(client, f"{VALUES_VIEW}?{query}").json()["results"]]
        assert api_ids == view_ids, "the bare view reads other rows than the API"
    raw_values_ms = median_ms(lambda: _values_json(level), REPEATS)
    return {
        "query": query,
        "risk_level": level,
        "rows_matching": _township_rows(level),
        "api_ms": api["ms"],
        "api_db_ms": api["db_ms"],
        "api_queries": api["queries"],
        "page_ms": page["ms"],
        "page_db_ms": page["db_ms"],
        "page_queries": page["queries"],
        "values_view_ms": view["ms"],
        "values_view_db_ms": view["db_ms"],
        "values_view_queries": view["queries"],
        "values_ms": view["ms"],  # what list_vs_values divides by (the bare view)
        "raw_values_ms": raw_values_ms,
        "list_vs_values": api["ms"] / view["ms"],
        "list_vs_raw_values": api["ms"] / raw_values_ms,
        "page_vs_values": page["ms"] / view["ms"],
        "list_db_ms": api["db_ms"],
        "repeats": LIST_READS,
    }


def _township_rows(level: str) -> int:
    from households.models import Household

    return Household.objects.filter(
        village__code__startswith=TOWNSHIP_PREFIX, risk_level=level
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


NEXT_LINK = re.compile(r'rel="next" href="\?([^"]*)"')
ROW_LINK = re.compile(r'href="/households/(\d+)/"')


def _walk_page(client, path: str) -> tuple[str, Counter]:
    """The household page's own `next` links, DEEP_PAGES times."""
    seen: Counter = Counter()
    content = get(client, path).content.decode()
    seen.update(ROW_LINK.findall(content))
    for _ in range(DEEP_PAGES):
        link = NEXT_LINK.search(content)
        if not link:
            break
        path = f"/households/?{unescape(link.group(1))}"
        content = get(client, path).content.decode()
        seen.update(ROW_LINK.findall(content))
    return path, seen


def measure_deep() -> dict:
    """The page 2,000 rows down, reached as a client reaches it: by its `next` links. The same
    walk ordered by household number (a unique key) is kept beside it for comparison."""
    level = risk_level()
    query = list_query(level)
    client = cadre_client()
    path = f"/api/v1/households/?{query}"
    deep_path, seen, walk_seconds = _walk(client, path)
    by_number = path.replace(f"ordering={ORDERING}", "ordering=number")
    number_deep_path, number_seen, number_walk_seconds = _walk(client, by_number)
    page_path = f"/households/?{query}"
    page_deep_path, page_seen = _walk_page(client, page_path)
    first = read(client, path, REPEATS)
    deep = read(client, deep_path, REPEATS)
    number_first = read(client, by_number, REPEATS)
    number_deep = read(client, number_deep_path, REPEATS)
    page_first = read(client, page_path, REPEATS)
    page_deep = read(client, page_deep_path, REPEATS)
    return {
        "query": query,
        "risk_level": level,
        "pages_followed": DEEP_PAGES,
        "walk_seconds": walk_seconds,
        "rows_read": sum(seen.values()),
        "distinct_rows_read": len(seen),
        "api_first_ms": first["ms"],
        "api_deep_ms": deep["ms"],
        "api_first_db_ms": first["db_ms"],
        "api_deep_db_ms": deep["db_ms"],
        "api_first_queries": first["queries"],
        "api_deep_queries": deep["queries"],
        "by_number_walk_seconds": number_walk_seconds,
        "by_number_distinct_rows_read": len(number_seen),
        "by_number_first_ms": number_first["ms"],
        "by_number_deep_ms": number_deep["ms"],
        "by_number_deep_vs_first": number_deep["ms"] / number_first["ms"],
        "page_rows_read": sum(page_seen.values()),
        "page_distinct_rows_read": len(page_seen),
        "page_first_ms": page_first["ms"],
        "page_deep_ms": page_deep["ms"],
        "page_first_db_ms": page_first["db_ms"],
        "page_deep_db_ms": page_deep["db_ms"],
        "page_first_queries": page_first["queries"],
        "page_deep_queries": page_deep["queries"],
        "deep_vs_first": deep["ms"] / first["ms"],
        "deep_vs_first_db": deep["db_ms"] / first["db_ms"],
        "page_deep_vs_first": page_deep["ms"] / page_first["ms"],
        "repeats": LIST_READS,
    }
