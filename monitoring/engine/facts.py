"""Loading the rules' facts for many households at once.

One household after a visit and a chunk of a county scan go through the same loader, so the
rules see the same facts either way. The queries are per chunk, never per household:

1. the households, locked (so that a visit and a scan never judge the same household at once),
   with their latest and previous visits, the latest visit's events and their member counts, in
   one statement whose LATERAL joins walk the `visit_latest` index once per household;
2. recent events of the chunk; 3. the registry's recent life events (a death, an illness);
4. matched person signals; 5. the chunk's screenings of area events: an affected household
   carries its event as an area signal, the rest of an active event's households a low note;
6. each household's latest self-development capacity reading (the rule `weak_capacity`).

The first is hand-written SQL: the ORM would need either one subquery per column or a second
round trip with ten thousand ids, and the scan is measured against a lower bound of exactly this
shape (bench/sql_bound.sql).
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from core.arrays import any_id, any_id_unseen, id_array
from households.models import LABOUR_ABLE, Household, LifeEvent
from households.selectors import under_region
from monitoring.engine.policy import Policy, cadence_kind
from monitoring.engine.rules import (
    CHECKS,
    REGISTRY_LABOUR_LOSS_KINDS,
    AreaNote,
    Event,
    Facts,
    SignalFact,
    visit_due_on,
)
from monitoring.models import (
    AreaEventStatus,
    CapacityReading,
    ScreeningStatus,
    ScreeningTask,
    Signal,
    VisitEvent,
)

WITH_LABOUR = LABOUR_ABLE

# Dates and flags are made in SQL rather than from timestamps in Python (the loader parses each
# one): the registration day is the UTC date, as Django's UTC connection has always handed it.
CHUNK_SQL = """
SELECT h.id, h.village_id, h.poverty_status, h.is_monitored,
       h.risk_eliminated_on IS NOT NULL, (h.created_at AT TIME ZONE 'UTC')::date,
       h.risk_level, h.risk_score, h.risk_reasons, h.evaluation_pending_since IS NOT NULL,
       h.recheck_on, h.has_open_case, h.next_visit_due,
       h.monitored_category, h.layer, h.layer_reasons,
       lv.id, lv.visited_on, lv.per_capita_income, lv.total_net_income, lv.rigid_spending,
       lv.household_size, lv.food_clothing_ok, lv.compulsory_education_ok, lv.basic_medical_ok,
       lv.safe_housing_ok, lv.safe_water_ok,
       lv.previous,
       coalesce(m.active, 0), coalesce(m.with_labour, 0),
       coalesce(m.dibao, 0), coalesce(m.tekun, 0),
       le.kinds, le.occurred, le.labours
FROM households_household h
LEFT JOIN LATERAL (
    -- The latest two visits in one walk of the `visit_latest` index: the latest's figures and
    -- the previous one's income.
    SELECT v.*, lead(v.per_capita_income) OVER (ORDER BY v.visited_on DESC, v.id DESC) AS previous
    FROM (
        SELECT v.id, v.visited_on, v.per_capita_income, v.total_net_income, v.rigid_spending,
               v.household_size, v.food_clothing_ok, v.compulsory_education_ok,
               v.basic_medical_ok, v.safe_housing_ok, v.safe_water_ok
        FROM monitoring_visit v WHERE v.household_id = h.id{visit_cut}
        ORDER BY v.visited_on DESC, v.id DESC LIMIT 2) v
    ORDER BY v.visited_on DESC, v.id DESC LIMIT 1) lv ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS active, count(*) FILTER (WHERE labour = ANY(%s)) AS with_labour,
           count(*) FILTER (WHERE dibao) AS dibao, count(*) FILTER (WHERE tekun) AS tekun
    FROM households_member WHERE household_id = h.id AND status = 'active') m ON true
LEFT JOIN LATERAL (
    SELECT array_agg(e.kind) AS kinds, array_agg(e.occurred_on) AS occurred,
           array_agg(mm.labour) AS labours
    FROM monitoring_visitevent e LEFT JOIN households_member mm ON mm.id = e.member_id
    WHERE e.visit_id = lv.id) le ON true
WHERE h.id = ANY(%s::bigint[]){household_cut}
ORDER BY h.id
"""
# The chunk's households, locked in a statement of their own before CHUNK_SQL reads their facts.
# Locked by CHUNK_SQL itself, a household another transaction held (a visit being recorded)
# would be re-read once that commits, but the visits joined to it would not: PostgreSQL re-checks
# only the locked row, so the visit just committed would be missed while its household's pending
# flag, which is on the row, is cleared. A statement after the lock sees everything committed
# before it, and the flag then means what monitoring.scans.evaluate_requested trusts it to.
# The ids it returns are what every later statement of the chunk reads by: a scan's chunk is a
# township's households among an id range eight times wider, and that filter, run again as a
# subquery by each of the eight statements, was a tenth of the chunk (13-20 ms a time at 1M).
CHUNK_IDS_SQL = """
SELECT id FROM households_household WHERE id = ANY(ARRAY({households})) ORDER BY id{lock}
"""
# From this many households on (a scan's chunk, not one evaluation), no JIT compilation and no
# parallel workers for the rest of the transaction: the chunk's writes follow in it, and the
# scan's transaction ends with the chunk. Each of the chunk's statements walks an index once a
# household; the planner, costing 5,000 of them, compiled the facts statement (40 ms of a
# 100 ms statement at 1,000,000 households) and started two workers to sort them (30 ms), on a
# machine whose cores the scan's own workers already keep busy. Outside a transaction (the
# backtest's replay reads without locking) a SET LOCAL would end with its own statement: not sent.
MANY_HOUSEHOLDS = 1000
PLAN_FOR_MANY_SQL = "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"


@dataclass(frozen=True)
class HouseholdRow:
    """What the evaluation needs of a household besides its facts: its cached risk and due date,
    and whether an open case carries it (kept on the household by the case services)."""

    id: int
    village_id: str
    risk_level: str
    risk_score: int
    risk_reasons: list
    evaluation_pending: bool
    recheck_on: datetime.date | None
    has_open_case: bool = False
    next_visit_due: datetime.date | None = None
    layer: str = "none"
    layer_reasons: list = field(default_factory=list)


def _event(kind: str, occurred_on: datetime.date, labour: str | None) -> Event:
    return Event(kind, occurred_on, None if labour is None else labour != "none")


def _cadence_days(
    policy: Policy, village: str, *, poverty_status: str, monitored: bool, eliminated: bool
) -> int:
    kind = cadence_kind(
        poverty_status=poverty_status, is_monitored=monitored, risk_eliminated=eliminated
    )
    return policy.cadence_days(village, kind)


def household_visit_due(
    household: Household, *, last_visit_on: datetime.date | None, policy: Policy
) -> datetime.date | None:
    """`rules.visit_due_on` for one household as the model has it, for a service that must show
    the new date in its own transaction (a visit recorded) before the evaluation follows."""
    facts = Facts(
        household_id=household.pk,
        poverty_status=household.poverty_status,
        monitored=household.is_monitored,
        # The registration day as CHUNK_SQL makes it: the UTC date.
        created_on=household.created_at.astimezone(datetime.UTC).date(),
        last_visit_on=last_visit_on,
        cadence_days=_cadence_days(
            policy,
            household.village_id,
            poverty_status=household.poverty_status,
            monitored=household.is_monitored,
            eliminated=household.risk_eliminated_on is not None,
        ),
    )
    return visit_due_on(facts)


def load_facts(
    households: QuerySet[Household],
    *,
    as_of: datetime.date,
    policy: Policy,
    lock: bool = True,
    as_it_stood: bool = False,
) -> list[tuple[HouseholdRow, Facts]]:
    """(household row, facts) for every household of the queryset, in id order.

    `as_it_stood` replays a past date (the backtest): only visits made on or before `as_of` and
    the events recorded on them, and only households registered by then. The scan leaves it off:
    nothing it judges lies after today, and its statement stays the one the bench measures."""
    # An array of ids rather than `IN (subquery)`: the planner then reads the chunk's households
    # by primary key instead of hashing against a scan of the whole table; and no ORDER BY
    # (the model's default) inside it.
    ids_sql, ids_params = households.order_by().values("id").query.sql_with_params()
    sql = CHUNK_SQL.format(
        visit_cut=" AND v.visited_on <= %s" if as_it_stood else "",
        household_cut=" AND (h.created_at AT TIME ZONE 'UTC')::date <= %s" if as_it_stood else "",
    )
    cut = [as_of] if as_it_stood else []
    with connection.cursor() as cursor:
        cursor.execute(
            CHUNK_IDS_SQL.format(households=ids_sql, lock=" FOR UPDATE" if lock else ""),
            ids_params,
        )
        ids = [household_id for (household_id,) in cursor.fetchall()]
        if not ids:
            return []
        if len(ids) >= MANY_HOUSEHOLDS and connection.in_atomic_block:
            cursor.execute(PLAN_FOR_MANY_SQL)
        # Parameters in the order they appear: the visit cut, the labour list, the chunk's ids,
        # the household cut.
        cursor.execute(sql, [*cut, list(WITH_LABOUR), id_array(ids), *cut])
        rows = cursor.fetchall()
    if not rows:
        return []

    since = as_of - datetime.timedelta(days=policy.lookback_days())
    # An event is recorded on a visit on or after the day it happened, so the chunk's visits since
    # the window opened (the `visit_latest` index) lead to it, whatever the county's size.
    visit_cut = {"visit__visited_on__lte": as_of} if as_it_stood else {}
    recent_events = VisitEvent.objects.filter(
        any_id_unseen("visit__household_id", ids),
        visit__visited_on__gte=since,
        occurred_on__gte=since,
        occurred_on__lte=as_of,
        **visit_cut,
    ).values_list("visit__household_id", "kind", "occurred_on", "member__labour")
    registry_events = LifeEvent.objects.filter(
        any_id("household_id", ids),
        kind__in=REGISTRY_LABOUR_LOSS_KINDS,
        occurred_on__gte=since,
        occurred_on__lte=as_of,
    ).values_list("household_id", "kind", "occurred_on", "member_had_labour")
    window = {"status": Signal.Status.MATCHED, "occurred_on__gte": since, "occurred_on__lte": as_of}
    person_signals = Signal.objects.filter(any_id("household_id", ids), **window).values_list(
        "household_id", "kind", "occurred_on", "id"
    )
    # An area reaches a household through its screening only: affected, it carries the event as
    # an area signal (high, within the signal window); pending or not affected while the event
    # is active, a low note.
    screenings = (
        ScreeningTask.objects.filter(any_id("household_id", ids))
        .filter(
            Q(event__status=AreaEventStatus.ACTIVE)
            | Q(
                status=ScreeningStatus.AFFECTED,
                event__occurred_on__gte=since,
                event__occurred_on__lte=as_of,
            )
        )
        .values_list(
            "household_id",
            "event__kind",
            "event__occurred_on",
            "event_id",
            "status",
            "event__status",
        )
    )
    # The latest capacity reading on or before the as-of date: one walk of `capacity_latest` a
    # household (DISTINCT ON), kept out of CHUNK_SQL so that each may change on its own.
    readings = (
        CapacityReading.objects.filter(any_id("household_id", ids), measured_on__lte=as_of)
        .order_by("household_id", "-measured_on")
        .distinct("household_id")
        .values_list("household_id", "score", "measured_on", "working_age")
    )

    recent: dict[int, list[Event]] = defaultdict(list)
    registry: dict[int, list[Event]] = defaultdict(list)
    signals: dict[int, list[SignalFact]] = defaultdict(list)
    notes: dict[int, list[AreaNote]] = defaultdict(list)
    capacity: dict[int, tuple[int, datetime.date, int]] = {}
    for part, household_id, kind, day, number, text, other in _side_facts(
        recent_events, registry_events, person_signals, screenings, readings
    ):
        if part == RECENT_EVENT:
            recent[household_id].append(_event(kind, day, text))
        elif part == REGISTRY_EVENT:
            registry[household_id].append(Event(kind, day, other))
        elif part == PERSON_SIGNAL:
            signals[household_id].append(SignalFact(number, kind, day, "person"))
        elif part == SCREENING:
            if text == ScreeningStatus.AFFECTED:
                if since <= day <= as_of:
                    signals[household_id].append(SignalFact(number, kind, day, "area_event"))
            elif other == AreaEventStatus.ACTIVE:
                notes[household_id].append(AreaNote(number, kind, day, text))
        else:
            capacity[household_id] = (number, day, int(text))

    result = []
    for row in rows:
        (
            household_id,
            village,
            poverty_status,
            monitored,
            eliminated,
            created_on,
            risk_level,
            risk_score,
            risk_reasons,
            pending,
            recheck,
            has_open_case,
            next_visit_due,
            monitored_category,
            layer,
            layer_reasons,
            visit_id,
            visited_on,
            per_capita,
            total,
            rigid,
            size,
            *checks,
            previous,
            active,
            with_labour,
            dibao,
            tekun,
            kinds,
            occurred,
            labours,
        ) = row
        checks = checks[:5]
        reading = capacity.get(household_id)
        line = policy.income_line(village, as_of)
        latest_events = tuple(
            _event(k, o, labour)
            for k, o, labour in zip(kinds or (), occurred or (), labours or (), strict=True)
        )
        facts = Facts(
            household_id=household_id,
            poverty_status=poverty_status,
            monitored=monitored,
            created_on=created_on,
            last_visit_on=visited_on,
            per_capita_income=per_capita,
            total_net_income=total,
            rigid_spending=rigid,
            household_size=size,
            failed_checks=tuple(
                name for name, ok in zip(CHECKS, checks, strict=True) if visit_id and not ok
            ),
            previous_per_capita_income=previous,
            latest_visit_events=latest_events,
            recent_events=tuple(recent.get(household_id, ())),
            registry_events=tuple(registry.get(household_id, ())),
            members_with_labour=with_labour,
            active_members=active,
            dibao_members=dibao,
            tekun_members=tekun,
            monitored_category=monitored_category,
            signals=tuple(signals.get(household_id, ())),
            area_notes=tuple(notes.get(household_id, ())),
            income_line=line.amount if line else None,
            income_line_year=line.year if line else None,
            cadence_days=_cadence_days(
                policy,
                village,
                poverty_status=poverty_status,
                monitored=monitored,
                eliminated=eliminated,
            ),
            capacity_score=reading[0] if reading else None,
            capacity_measured_on=reading[1] if reading else None,
            capacity_working_age=reading[2] if reading else None,
        )
        # Django's connection hands jsonb over as text; its JSONField would decode it.
        # Most households have no reasons: skip the decoder for them.
        if isinstance(risk_reasons, str):
            risk_reasons = [] if risk_reasons == "[]" else json.loads(risk_reasons)
        if isinstance(layer_reasons, str):
            layer_reasons = [] if layer_reasons == "[]" else json.loads(layer_reasons)
        household = HouseholdRow(
            household_id,
            village,
            risk_level,
            risk_score,
            risk_reasons,
            pending,
            recheck,
            has_open_case,
            next_visit_due,
            layer,
            layer_reasons,
        )
        result.append((household, facts))
    return result


# The five side loads of a chunk, sent as one statement: the evaluation after a visit pays for
# each round trip more than for the rows, and the scan's chunk pays for five round trips either.
# Each part keeps its own plan (UNION ALL plans its branches apart); its columns are brought to
# one shape: (part, household, kind, day, a number, a text, another value).
RECENT_EVENT, REGISTRY_EVENT, PERSON_SIGNAL, SCREENING, CAPACITY = range(5)
SIDE_SHAPES = {
    # visit event: household, kind, occurred on, the member's labour
    RECENT_EVENT: "b.c0, b.c1::text, b.c2, NULL::bigint, b.c3::text, NULL::text",
    # registry life event: household, kind, occurred on, whether the member had labour
    REGISTRY_EVENT: "b.c0, b.c1::text, b.c2, NULL::bigint, NULL::text, b.c3::text",
    # person signal: household, kind, occurred on, the signal's id
    PERSON_SIGNAL: "b.c0, b.c1::text, b.c2, b.c3::bigint, NULL::text, NULL::text",
    # screening: household, the event's kind, its day, its id, the screening's status, the event's
    SCREENING: "b.c0, b.c1::text, b.c2, b.c3::bigint, b.c4::text, b.c5::text",
    # capacity reading: household, score, measured on, working-age members
    CAPACITY: "b.c0, NULL::text, b.c2, b.c1::bigint, b.c3::text, NULL::text",
}


def _side_facts(*parts: QuerySet) -> list[tuple]:
    """The rows of the five side loads in one round trip, each tagged with its part."""
    branches: list[str] = []
    params: list = []
    for part, queryset in enumerate(parts):
        sql, part_params = queryset.query.sql_with_params()
        columns = ", ".join(f"c{i}" for i in range(len(queryset.query.values_select)))
        branches.append(f"SELECT {part}, {SIDE_SHAPES[part]} FROM ({sql}) AS b({columns})")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        rows = cursor.fetchall()
    result = []
    for part, household_id, kind, day, number, text, other in rows:
        if part == REGISTRY_EVENT:
            other = None if other is None else other == "true"
        result.append((part, household_id, kind, day, number, text, other))
    return result


def households_in(
    *,
    scope: str = "",
    id_from: int | None = None,
    id_to: int | None = None,
    ids=None,
    due_on: datetime.date | None = None,
):
    """The households a chunk, a sweep or a single evaluation judges; with `due_on`, only those
    whose verdict may have changed: asked for, never judged, or whose recheck day has come."""
    queryset = Household.objects.all()
    if due_on is not None:
        queryset = queryset.filter(
            Q(evaluation_pending_since__isnull=False)
            | Q(recheck_on__isnull=True)
            | Q(recheck_on__lte=due_on)
        )
    if scope:
        queryset = under_region(queryset, scope)
    if id_from is not None:
        queryset = queryset.filter(id__gte=id_from)
    if id_to is not None:
        queryset = queryset.filter(id__lte=id_to)
    if ids is not None:
        queryset = queryset.filter(id__in=ids)
    return queryset
