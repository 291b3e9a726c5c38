"""Judging households and keeping their alerts in step with what the rules find.

`evaluate_households` is the one path from facts to alerts: a single household after a visit, a
chunk of a county scan, and the catch-up sweep all call it. It runs in the caller's transaction
with the households locked, and is deterministic for a given database state and as-of date, so a
scan run twice, or two at once, leaves exactly the same alerts.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from households.models import Household
from monitoring import rules
from monitoring.facts import load_facts
from monitoring.models import ACTIVE_STATUSES, Alert, AlertEvent, AlertSource, AlertStatus
from monitoring.policy import Policy

SELF_REPORT_SEVERITY, SELF_REPORT_WEIGHT = rules.MEDIUM, 20
# Statuses the rules may still close: once confirmed, the case workflow owns the alert.
AUTO_RESOLVABLE = (AlertStatus.OPEN, AlertStatus.ASSIGNED, AlertStatus.VERIFYING)


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


def evaluate_households(
    households_queryset, *, as_of: datetime.date, policy: Policy | None = None
) -> Outcome:
    """Judge the households and bring their cached risk and their alerts up to date."""
    policy = policy or Policy()
    now = timezone.now()
    outcome = Outcome()
    with transaction.atomic():
        judged = []
        for row, facts in load_facts(households_queryset, as_of=as_of, policy=policy):
            reasons = rules.evaluate(facts, as_of, policy.rule_settings(row["village_id"]))
            judged.append((row["id"], reasons))
        if not judged:
            return outcome
        ids = [household_id for household_id, _ in judged]
        active = {
            alert.household_id: alert
            for alert in Alert.objects.filter(household_id__in=ids, status__in=ACTIVE_STATUSES)
        }
        households = {
            household.pk: household
            for household in Household.objects.filter(pk__in=ids).only(
                "id", "risk_level", "risk_score", "risk_reasons", "evaluation_pending_since"
            )
        }
        changed_households, new_alerts, changed_alerts, events = [], [], [], []
        for household_id, reasons in judged:
            outcome.judged += 1
            as_json = [reason.as_json() for reason in reasons]
            household = households[household_id]
            level, score = rules.level_of(reasons), rules.score_of(reasons)
            if (household.risk_level, household.risk_score, household.risk_reasons) != (
                level,
                score,
                as_json,
            ) or household.evaluation_pending_since is not None:
                household.risk_level, household.risk_score, household.risk_reasons = (
                    level,
                    score,
                    as_json,
                )
                household.evaluation_pending_since = None
                changed_households.append(household)

            alert = active.get(household_id)
            alert_reasons = [
                r.as_json()
                for r in reasons
                if rules.SEVERITY_RANK[r.severity] >= rules.SEVERITY_RANK[rules.MEDIUM]
            ]
            if alert is not None and alert.self_report:
                alert_reasons.append(self_report_reason(alert))
            if alert is None:
                if alert_reasons:
                    source = (
                        AlertSource.DEPARTMENT
                        if any(r["code"] == "department_signal" for r in alert_reasons)
                        else AlertSource.RULES
                    )
                    new_alerts.append(
                        Alert(
                            household_id=household_id,
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
            Household.objects.bulk_update(
                changed_households,
                ["risk_level", "risk_score", "risk_reasons", "evaluation_pending_since"],
                batch_size=1000,
            )
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
                batch_size=1000,
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
