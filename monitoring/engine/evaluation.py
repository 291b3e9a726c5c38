"""Judging households and keeping their alerts in step with what the rules find.

`evaluate_households` is the one path from facts to alerts: a single household after a visit, a
chunk of a county scan, and the catch-up sweep all call it. It runs in the caller's transaction
with the households locked, and is deterministic for a given database state and as-of date, so a
scan run twice, or two at once, leaves exactly the same alerts.
"""

import datetime
import json
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from monitoring.engine import rules
from monitoring.engine.facts import load_facts
from monitoring.engine.policy import Policy
from monitoring.models import ACTIVE_STATUSES, Alert, AlertEvent, AlertSource, AlertStatus

SELF_REPORT_SEVERITY, SELF_REPORT_WEIGHT = rules.MEDIUM, 20
# Statuses the rules may still close: once confirmed, the case workflow owns the alert.
AUTO_RESOLVABLE = (AlertStatus.OPEN, AlertStatus.ASSIGNED, AlertStatus.VERIFYING)
# Low reasons show on the household but do not put it in front of a cadre.
OPENING_SEVERITIES = {rules.MEDIUM, rules.HIGH}
DISMISSAL_HOLDS = datetime.timedelta(days=90)


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


def self_report_reason(alert: Alert) -> dict:
    return {
        "code": "self_report",
        "severity": SELF_REPORT_SEVERITY,
        "weight": SELF_REPORT_WEIGHT,
        "evidence": {"report": alert.self_report},
    }


def _alert_fields(reasons: list[dict]) -> dict:
    return {
        "reasons": reasons,
        "reason_codes": [reason["code"] for reason in reasons],
        "level": max((r["severity"] for r in reasons), key=rules.SEVERITY_RANK.__getitem__),
        "score": sum(r["weight"] for r in reasons),
    }


def _update_households(changed: list[tuple]) -> None:
    """One UPDATE for the chunk's changed households (bulk_update's CASE grows with the rows)."""
    ids, levels, scores, reasons, rechecks = zip(*changed, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE households_household h
            SET risk_level = v.level, risk_score = v.score, risk_reasons = v.reasons::jsonb,
                recheck_on = v.recheck, evaluation_pending_since = NULL
            FROM unnest(%s::bigint[], %s::varchar[], %s::integer[], %s::text[], %s::date[])
                 AS v(id, level, score, reasons, recheck)
            WHERE h.id = v.id AND h.id = ANY(%s::bigint[])
            """,
            # The ids a second time, as an array the primary key can look up: with the join
            # alone the planner hashes the chunk against a scan of every household.
            [
                list(ids),
                list(levels),
                list(scores),
                [json.dumps(r, ensure_ascii=False) for r in reasons],
                list(rechecks),
                list(ids),
            ],
        )


def evaluate_households(
    households_queryset, *, as_of: datetime.date, policy: Policy | None = None
) -> Outcome:
    """Judge the households and bring their cached risk and their alerts up to date."""
    policy = policy or Policy()
    now = timezone.now()
    outcome = Outcome()
    with transaction.atomic():
        judged = []
        for household, facts in load_facts(households_queryset, as_of=as_of, policy=policy):
            settings = policy.rule_settings(household.village_id)
            found = rules.evaluate(facts, as_of, settings)
            recheck = rules.recheck_on(facts, as_of, settings)
            judged.append((household, [reason.as_json() for reason in found], recheck))
        if not judged:
            return outcome
        chunk = households_queryset.values("id")
        active = {
            alert.household_id: alert
            for alert in Alert.objects.filter(household_id__in=chunk, status__in=ACTIVE_STATUSES)
        }
        # While a case is open it carries the household: the rules still score it, but no new
        # warning is put in front of a cadre. (Looked up by name: assistance builds on monitoring.)
        case_model = apps.get_model("assistance", "Case")
        held_by_case = set(
            case_model.objects.filter(
                household_id__in=chunk, status__in=case_model.OPEN_STATUSES
            ).values_list("household_id", flat=True)
        )
        # A warning a cadre dismissed is not raised again for the same reasons for a while.
        dismissed: dict[int, set[str]] = {}
        for household_id, codes in Alert.objects.filter(
            household_id__in=chunk,
            status=AlertStatus.DISMISSED,
            closed_at__gte=now - DISMISSAL_HOLDS,
        ).values_list("household_id", "reason_codes"):
            dismissed.setdefault(household_id, set()).update(codes)
        changed_households, new_alerts, changed_alerts, events = [], [], [], []
        for household, reasons, recheck in judged:
            outcome.judged += 1
            level = max(
                (r["severity"] for r in reasons),
                key=rules.SEVERITY_RANK.__getitem__,
                default="none",
            )
            score = sum(r["weight"] for r in reasons)
            cached = (household.risk_level, household.risk_score, household.risk_reasons)
            if (
                cached != (level, score, reasons)
                or household.recheck_on != recheck
                or household.evaluation_pending
            ):
                changed_households.append((household.id, level, score, reasons, recheck))

            alert = active.get(household.id)
            alert_reasons = [r for r in reasons if r["severity"] in OPENING_SEVERITIES]
            if alert is not None and alert.self_report:
                alert_reasons.append(self_report_reason(alert))
            if alert is None:
                if household.id in held_by_case:
                    continue
                held = dismissed.get(household.id, set())
                if alert_reasons and not {r["code"] for r in alert_reasons} <= held:
                    source = (
                        AlertSource.DEPARTMENT
                        if any(r["code"] == "department_signal" for r in alert_reasons)
                        else AlertSource.RULES
                    )
                    new_alerts.append(
                        Alert(
                            household_id=household.id,
                            source=source,
                            opened_at=now,
                            status=AlertStatus.OPEN,
                            **_alert_fields(alert_reasons),
                        )
                    )
                continue
            if not alert_reasons and alert.status in AUTO_RESOLVABLE:
                alert.status = AlertStatus.RESOLVED
                alert.closed_at = alert.updated_at = now
                alert.version += 1
                changed_alerts.append(alert)
                events.append(
                    AlertEvent(
                        alert=alert,
                        action="auto_resolved",
                        data={"as_of": as_of.isoformat(), "reasons": []},
                    )
                )
                outcome.resolved += 1
            elif alert_reasons and alert.reasons != alert_reasons:
                before = alert.reason_codes
                for name, value in _alert_fields(alert_reasons).items():
                    setattr(alert, name, value)
                alert.updated_at = now
                alert.version += 1
                changed_alerts.append(alert)
                events.append(
                    AlertEvent(
                        alert=alert,
                        action="reasons_changed",
                        data={
                            "before": before,
                            "after": alert.reason_codes,
                            "as_of": as_of.isoformat(),
                        },
                    )
                )
                outcome.updated += 1

        if changed_households:
            _update_households(changed_households)
        if changed_alerts:
            Alert.objects.bulk_update(
                changed_alerts,
                [
                    "status",
                    "closed_at",
                    "reasons",
                    "reason_codes",
                    "level",
                    "score",
                    "version",
                    "updated_at",
                ],
                batch_size=500,
            )
        if new_alerts:
            created = Alert.objects.bulk_create(new_alerts, batch_size=1000)
            events += [
                AlertEvent(
                    alert=alert,
                    action="opened",
                    data={"as_of": as_of.isoformat(), "reasons": alert.reason_codes},
                )
                for alert in created
            ]
            outcome.opened += len(created)
        if events:
            AlertEvent.objects.bulk_create(events, batch_size=1000)
    return outcome
