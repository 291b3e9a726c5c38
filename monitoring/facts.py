"""Loading the rules' facts for many households at once.

One household after a visit and a chunk of a county scan go through the same loader, so the
rules see the same facts either way. The queries are per chunk, never per household: the
households (locked, so that a visit and a scan never judge the same household at once), their
latest and previous visits, member counts, events, signals.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, OuterRef, Q, Subquery

from households.models import Household, Member
from households.regions import prefix_of
from monitoring.models import AREA_KINDS, Signal, Visit, VisitEvent
from monitoring.policy import Policy, cadence_kind
from monitoring.rules import Event, Facts, SignalFact

WITH_LABOUR = ("skilled", "ordinary", "weak")
VISIT_FIELDS = (
    "id",
    "visited_on",
    "per_capita_income",
    "total_net_income",
    "rigid_spending",
    "household_size",
    "food_clothing_ok",
    "compulsory_education_ok",
    "basic_medical_ok",
    "safe_housing_ok",
    "safe_water_ok",
)
CHECK_FIELDS = {
    "food_clothing": "food_clothing_ok",
    "compulsory_education": "compulsory_education_ok",
    "basic_medical": "basic_medical_ok",
    "safe_housing": "safe_housing_ok",
    "safe_water": "safe_water_ok",
}


def _households(queryset, *, lock: bool) -> list[dict]:
    latest_first = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on", "-id")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return list(
        queryset.order_by("id")
        .annotate(
            latest_visit_id=Subquery(latest_first.values("id")[:1]),
            previous_visit_id=Subquery(latest_first.values("id")[1:2]),
        )
        .values(
            "id",
            "village_id",
            "poverty_status",
            "is_monitored",
            "created_at",
            "latest_visit_id",
            "previous_visit_id",
        )
    )


def load_facts(
    households_queryset, *, as_of: datetime.date, policy: Policy, lock: bool = True
) -> list[tuple[dict, Facts]]:
    """(household row, facts) for every household of the queryset, in id order."""
    rows = _households(households_queryset, lock=lock)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    visit_ids = [row[key] for row in rows for key in ("latest_visit_id", "previous_visit_id")]
    visits = {
        visit["id"]: visit
        for visit in Visit.objects.filter(id__in=[v for v in visit_ids if v]).values(*VISIT_FIELDS)
    }
    members = {
        row["household_id"]: row
        for row in Member.objects.filter(household_id__in=ids, status=Member.Status.ACTIVE)
        .values("household_id")
        .annotate(active=Count("id"), with_labour=Count("id", filter=Q(labour__in=WITH_LABOUR)))
    }
    since = as_of - datetime.timedelta(days=policy.lookback_days())
    latest_ids = {row["latest_visit_id"] for row in rows if row["latest_visit_id"]}
    events_by_household: dict[int, list[tuple[int, Event]]] = defaultdict(list)
    for event in (
        VisitEvent.objects.filter(visit__household_id__in=ids)
        .filter(Q(visit_id__in=latest_ids) | Q(occurred_on__gte=since, occurred_on__lte=as_of))
        .values("visit_id", "visit__household_id", "kind", "occurred_on", "member__labour")
    ):
        labour = event["member__labour"]
        events_by_household[event["visit__household_id"]].append(
            (
                event["visit_id"],
                Event(
                    kind=event["kind"],
                    occurred_on=event["occurred_on"],
                    member_had_labour=None if labour is None else labour != "none",
                ),
            )
        )
    signal_window = Q(status=Signal.Status.MATCHED, occurred_on__gte=since, occurred_on__lte=as_of)
    signals_by_household: dict[int, list[SignalFact]] = defaultdict(list)
    for signal in Signal.objects.filter(signal_window, household_id__in=ids).values(
        "id", "kind", "occurred_on", "household_id"
    ):
        signals_by_household[signal["household_id"]].append(
            SignalFact(signal["id"], signal["kind"], signal["occurred_on"], "person")
        )
    area_signals = [
        (
            prefix_of(signal["region_id"]),
            SignalFact(signal["id"], signal["kind"], signal["occurred_on"], "area"),
        )
        for signal in Signal.objects.filter(
            signal_window, kind__in=AREA_KINDS, region__isnull=False
        ).values("id", "kind", "occurred_on", "region_id")
    ]

    result = []
    for row in rows:
        household_id, village = row["id"], row["village_id"]
        latest = visits.get(row["latest_visit_id"])
        previous = visits.get(row["previous_visit_id"])
        line = policy.income_line(village, as_of)
        counts = members.get(household_id, {"active": 0, "with_labour": 0})
        events = events_by_household.get(household_id, [])
        signals = signals_by_household.get(household_id, []) + [
            fact for prefix, fact in area_signals if village.startswith(prefix)
        ]
        kind = cadence_kind(poverty_status=row["poverty_status"], is_monitored=row["is_monitored"])
        facts = Facts(
            household_id=household_id,
            poverty_status=row["poverty_status"],
            monitored=row["is_monitored"],
            created_on=row["created_at"].date(),
            last_visit_on=latest["visited_on"] if latest else None,
            per_capita_income=latest["per_capita_income"] if latest else None,
            total_net_income=latest["total_net_income"] if latest else None,
            rigid_spending=latest["rigid_spending"] if latest else None,
            household_size=latest["household_size"] if latest else None,
            failed_checks=tuple(
                check for check, field in CHECK_FIELDS.items() if latest and not latest[field]
            ),
            previous_per_capita_income=previous["per_capita_income"] if previous else None,
            latest_visit_events=tuple(
                e for visit_id, e in events if visit_id == row["latest_visit_id"]
            ),
            recent_events=tuple(e for _, e in events),
            members_with_labour=counts["with_labour"],
            active_members=counts["active"],
            signals=tuple(signals),
            income_line=line.amount if line else None,
            income_line_year=line.year if line else None,
            cadence_days=policy.cadence_days(village, kind),
        )
        result.append((row, facts))
    return result


def households_in(
    *, scope: str = "", id_from: int | None = None, id_to: int | None = None, ids=None
):
    """The households a chunk, a sweep or a single evaluation judges."""
    queryset = Household.objects.all()
    if scope:
        queryset = queryset.filter(village__code__startswith=scope)
    if id_from is not None:
        queryset = queryset.filter(id__gte=id_from)
    if id_to is not None:
        queryset = queryset.filter(id__lte=id_to)
    if ids is not None:
        queryset = queryset.filter(id__in=ids)
    return queryset
