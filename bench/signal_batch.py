"""A department's batch of 1,000 signals posted to the API by the county's API client."""

import datetime
import statistics
import time
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from bench.common import COUNTY, TOWNSHIP_PREFIX, QueryLog, sized, user

SIGNAL_BATCHES, SIGNAL_ITEMS, SIGNAL_AREAS, SIGNAL_MATCHED = sized(
    (3, 1000, 10, 100), (1, 50, 5, 10)
)


def _id_numbers(count: int, seed: int) -> list[str]:
    """Valid 18-character ID numbers of Jingtai, never issued to a bench member."""
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
    from core import id_numbers
    from households.models import Member, Region

    api_user = user("bench_api_client", Role.API_CLIENT, COUNTY)
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
    token_row, token = AuthToken.objects.create(api_user)
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
        **_area_listing(api_user, villages[0]),
    }


def _area_listing(api_user, village: str) -> dict:
    """What the batch leaves to the worker: the screening list of one village's event, ranked
    and written (monitoring.services.area_events.area_event_list), rolled back."""
    from households.models import Household, Region
    from monitoring.models import AreaEvent
    from monitoring.services.area_events import area_event_list

    households = Household.objects.filter(village_id=village).count()
    with transaction.atomic():
        event = AreaEvent.objects.create(
            region=Region.objects.get(pk=village),
            kind="disaster_area",
            occurred_on=datetime.date(2026, 11, 1),
            opened_by=api_user,
            listing_requested_at=timezone.now(),
        )
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            added = area_event_list(event.pk)
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    assert added == households, (added, households)
    return {
        "area_list_households": households,
        "area_list_seconds": round(elapsed, 2),
        "area_list_queries": len(log.ms),
    }
