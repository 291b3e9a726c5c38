"""Judging households and keeping their alerts in step with what the rules find.

`evaluate_households` is the one path from facts to alerts: a single household after a visit, a
chunk of a county scan, and the catch-up sweep all call it. It runs in the caller's transaction
with the households locked, and is deterministic for a given database state and as-of date, so a
scan run twice, or two at once, leaves exactly the same alerts.
"""

import contextlib
import datetime
import gc
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.arrays import id_array
from households.models import Household
from monitoring.engine import layers, rules
from monitoring.engine.alert_lifecycle import DISMISSAL_HOLDS, Action, AlertChange, alert_changes
from monitoring.engine.facts import HouseholdRow, load_facts
from monitoring.engine.policy import Policy
from monitoring.models import ACTIVE_STATUSES, Alert, AlertEvent, AlertStatus

ALERT_COLUMNS = [
    "status",
    "closed_at",
    "reasons",
    "reason_codes",
    "level",
    "score",
    "version",
    "updated_at",
]


@dataclass
class Outcome:
    judged: int = 0
    opened: int = 0
    updated: int = 0
    resolved: int = 0

    def add(self, other: "Outcome") -> None:
        self.judged += other.judged
        self.opened += other.opened
        self.updated += other.updated
        self.resolved += other.resolved


@dataclass(frozen=True)
class Verdict:
    """What the rules say of one household on the as-of date."""

    household: HouseholdRow
    reasons: list[rules.Reason]
    recheck: datetime.date
    visit_due: datetime.date | None
    layer: str = layers.NONE
    layer_reasons: list[dict] = field(default_factory=list)


@dataclass
class Writes:
    """What one chunk's evaluation writes, gathered so that each table gets one statement."""

    households: list[tuple] = field(default_factory=list)
    # (household id, source, the warning's fields) of each warning to open.
    new_alerts: list[tuple[int, str, dict]] = field(default_factory=list)
    changed_alerts: list[Alert] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)


def _update_households(changed: list[tuple]) -> None:
    """One UPDATE for the chunk's changed households (bulk_update's CASE grows with the rows).

    The rows travel as one JSON document: psycopg quotes a text array element by element in
    Python (a regular expression each), a second of a 5,000-household chunk, where the
    document is one string the C encoder makes. `jsonb_to_recordset` is estimated at a hundred
    rows, so the planner looks each household up by primary key instead of hashing the chunk
    against a scan of every household (a scan that grows with the county, once a chunk).

    The same statement forgets the failures of the households it writes
    (monitoring.models.EvaluationFailure): a household whose evaluation failed is left waiting,
    so whichever evaluation judges it next writes it here, a scan's, a visit's or the sweep's."""
    rows = [
        {
            "id": household_id,
            "level": level,
            "score": score,
            "reasons": reasons,
            "recheck": recheck.isoformat(),
            "visit_due": None if visit_due is None else visit_due.isoformat(),
            "layer": layer,
            "layer_reasons": layer_reasons,
        }
        for household_id, level, score, reasons, recheck, visit_due, layer, layer_reasons in changed
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH v AS (
                SELECT * FROM jsonb_to_recordset(%s::jsonb) AS v(
                    id bigint, level varchar, score integer, reasons jsonb, recheck date,
                    visit_due date, layer varchar, layer_reasons jsonb
                )
            ), forgotten AS (
                DELETE FROM monitoring_evaluationfailure f USING v WHERE f.household_id = v.id
            )
            UPDATE households_household h
            SET risk_level = v.level, risk_score = v.score, risk_reasons = v.reasons,
                recheck_on = v.recheck, next_visit_due = v.visit_due,
                layer = v.layer, layer_reasons = v.layer_reasons,
                evaluation_pending_since = NULL
            FROM v
            WHERE h.id = v.id
            """,
            [json.dumps(rows, ensure_ascii=False)],
        )


def _insert_alerts(new: list[tuple], now: datetime.datetime, as_of: datetime.date) -> int:
    """The chunk's new warnings and their "opened" events in one statement; how many.

    Django's bulk_create builds a model instance, prepares each field and returns each id for
    every warning, and its events need a second statement that waits for those ids: most of a
    chunk's Python time after the rules on a registry's first scan. The columns are the model's
    defaults for a warning the rules open (no assignee, no self-report, version 1); the
    database fills `village_id` (the trigger alert_village)."""
    rows = [
        {
            "household_id": household_id,
            "source": source,
            "level": fields["level"],
            "score": fields["score"],
            "reasons": fields["reasons"],
            "reason_codes": fields["reason_codes"],
        }
        for household_id, source, fields in new
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH created AS (
                INSERT INTO monitoring_alert (
                    household_id, status, source, level, score, reasons, reason_codes,
                    self_report, opened_at, updated_at, closed_at, close_note, version
                )
                SELECT v.household_id, %s, v.source, v.level, v.score, v.reasons,
                       v.reason_codes, '', %s, %s, NULL, '', 1
                FROM jsonb_to_recordset(%s::jsonb) AS v(
                    household_id bigint, source varchar, level varchar, score integer,
                    reasons jsonb, reason_codes jsonb
                )
                ORDER BY v.household_id
                RETURNING id, reason_codes
            )
            INSERT INTO monitoring_alertevent (alert_id, at, actor_id, action, note, data)
            SELECT id, %s, NULL, 'opened', '',
                   jsonb_build_object('as_of', %s::text, 'reasons', reason_codes)
            FROM created
            """,
            [
                AlertStatus.OPEN,
                now,
                now,
                json.dumps(rows, ensure_ascii=False),
                now,
                as_of.isoformat(),
            ],
        )
        return cursor.rowcount


def evaluate_households(
    households_queryset: QuerySet[Household],
    *,
    as_of: datetime.date,
    policy: Policy | None = None,
) -> Outcome:
    """Judge the households and bring their cached risk and their alerts up to date:
    load (facts, warnings, dismissals), decide (`alert_changes`, pure), write (one go per table)."""
    policy = policy or Policy.current()
    now = timezone.now()
    outcome = Outcome()
    with transaction.atomic(), _collector_paused():
        verdicts = _judge(households_queryset, as_of, policy)
        if not verdicts:
            return outcome
        active, dismissed = _alerts([verdict.household.id for verdict in verdicts], now)
        writes = Writes()
        for verdict in verdicts:
            household, alert = verdict.household, active.get(verdict.household.id)
            outcome.judged += 1
            _refresh_household(writes, verdict)
            change = alert_changes(
                reasons=verdict.reasons,
                alert=alert,
                held_by_case=household.has_open_case,
                dismissed_codes=dismissed.get(household.id, frozenset()),
            )
            _apply(writes, outcome, change, household.id, alert, as_of, now)
        _write(writes, outcome, as_of, now)
    return outcome


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic collector off while a chunk is judged. A chunk makes a few hundred
    thousand objects that live until it is written (rows, facts, reasons), so the collector
    ran its oldest generation over them again and again: about a tenth of a chunk's time, for
    objects that hold no cycles and are freed by their counts when the chunk ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _judge(
    households_queryset: QuerySet[Household], as_of: datetime.date, policy: Policy
) -> list[Verdict]:
    """Load: every household's facts (locked), and the rules' reasons and recheck day."""
    verdicts = []
    for household, facts in load_facts(households_queryset, as_of=as_of, policy=policy):
        settings = policy.rule_settings(household.village_id)
        reasons = rules.evaluate_planned(facts, as_of, policy.rule_plan(household.village_id))
        layer, layer_reasons = layers.assess(facts, policy.standard(household.village_id, as_of))
        verdicts.append(
            Verdict(
                household,
                reasons,
                rules.recheck_on(facts, as_of, settings),
                rules.visit_due_on(facts),
                layer,
                layer_reasons,
            )
        )
    return verdicts


# Each household's warnings through the household index, one probe a household, whatever the
# planner makes of the chunk's size: given `household_id = ANY(5,000 ids)`, with the statistics
# of a registry just scanned, it read every active warning of the county instead (a bitmap of
# alert_queue, or a sequential scan once analysed: 30-47 ms a chunk at 1,000,000 households,
# growing with the county, against 3-5 ms). OFFSET 0 keeps the lateral subquery from being
# flattened into a join the planner could hash again.
ALERTS_SQL = """
SELECT a.* FROM unnest(%s::bigint[]) AS h(id)
CROSS JOIN LATERAL (
    SELECT * FROM monitoring_alert a
    WHERE a.household_id = h.id
      AND (a.status = ANY(%s) OR (a.status = %s AND a.closed_at >= %s))
    OFFSET 0
) a
"""


def _alerts(
    household_ids: list[int], now: datetime.datetime
) -> tuple[dict[int, Alert], dict[int, set[str]]]:
    """Load: each household's active warning, and the reason codes of the warnings it had
    dismissed recently. One statement for both (the evaluation after a visit pays per statement);
    a household has few warnings. In no order: the model's (by score) was a sort of every warning
    of the chunk for nothing."""
    active: dict[int, Alert] = {}
    dismissed: dict[int, set[str]] = {}
    params = [
        id_array(household_ids),
        list(ACTIVE_STATUSES),
        AlertStatus.DISMISSED,
        now - DISMISSAL_HOLDS,
    ]
    for alert in Alert.objects.raw(ALERTS_SQL, params):
        if alert.status == AlertStatus.DISMISSED:
            dismissed.setdefault(alert.household_id, set()).update(alert.reason_codes)
        else:
            active[alert.household_id] = alert
    return active, dismissed


def _refresh_household(writes: Writes, verdict: Verdict) -> None:
    """The household's cached verdict and visit due date, written only when they changed."""
    household, reasons = verdict.household, verdict.reasons
    level, score = rules.level_of(reasons), rules.score_of(reasons)
    as_json = [reason.as_json() for reason in reasons]
    cached = (household.risk_level, household.risk_score, household.risk_reasons)
    if (
        cached != (level, score, as_json)
        or household.recheck_on != verdict.recheck
        or household.next_visit_due != verdict.visit_due
        or (household.layer, household.layer_reasons) != (verdict.layer, verdict.layer_reasons)
        or household.evaluation_pending
    ):
        writes.households.append(
            (
                household.id,
                level,
                score,
                as_json,
                verdict.recheck,
                verdict.visit_due,
                verdict.layer,
                verdict.layer_reasons,
            )
        )


def _apply(
    writes: Writes,
    outcome: Outcome,
    change: AlertChange,
    household_id: int,
    alert: Alert | None,
    as_of: datetime.date,
    now: datetime.datetime,
) -> None:
    """Turn one decision into rows to write (a warning opened gets its event once saved)."""
    if change.action == Action.OPEN:
        writes.new_alerts.append((household_id, change.source, change.fields()))
    elif change.action == Action.RESOLVE and alert is not None:
        alert.status = AlertStatus.RESOLVED
        alert.closed_at = now
        _changed(writes, alert, now, "auto_resolved", {"as_of": as_of.isoformat(), "reasons": []})
        outcome.resolved += 1
    elif change.action == Action.UPDATE and alert is not None:
        before = alert.reason_codes
        for name, value in change.fields().items():
            setattr(alert, name, value)
        data = {"before": before, "after": alert.reason_codes, "as_of": as_of.isoformat()}
        _changed(writes, alert, now, "reasons_changed", data)
        outcome.updated += 1


def _changed(writes: Writes, alert: Alert, now: datetime.datetime, action: str, data: dict) -> None:
    alert.updated_at = now
    alert.version += 1
    writes.changed_alerts.append(alert)
    writes.events.append(AlertEvent(alert=alert, action=action, data=data))


def _write(writes: Writes, outcome: Outcome, as_of: datetime.date, now: datetime.datetime) -> None:
    """Write: one statement per table for the whole chunk (new warnings with their events)."""
    if writes.households:
        _update_households(writes.households)
    if writes.changed_alerts:
        Alert.objects.bulk_update(writes.changed_alerts, ALERT_COLUMNS, batch_size=500)
    if writes.events:
        AlertEvent.objects.bulk_create(writes.events, batch_size=1000)
    if writes.new_alerts:
        outcome.opened += _insert_alerts(writes.new_alerts, now, as_of)
