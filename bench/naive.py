"""The baseline every Django team writes first: one household at a time through the ORM.

It uses the same rules (monitoring.engine.rules) so the comparison is only about how facts are read and
alerts written, not about what is decided.
"""

import datetime
import time

from django.db import transaction
from django.utils import timezone

from households.models import Household
from monitoring.engine import rules
from monitoring.engine.rules import Event, Facts, SignalFact
from monitoring.models import (
    ACTIVE_STATUSES,
    Alert,
    IncomeLine,
    RuleConfig,
    Signal,
    VisitCadence,
    VisitEvent,
)


def _line(household, as_of):
    for year in range(as_of.year, 2019, -1):
        for length in (12, 9, 6, 4, 2):
            line = IncomeLine.objects.filter(
                region_id=household.village_id[:length].ljust(12, "0"), year=year
            ).first()
            if line:
                return line
        line = IncomeLine.objects.filter(region__isnull=True, year=year).first()
        if line:
            return line
    return None


def judge(household, as_of):
    visits = list(household.visits.order_by("-visited_on", "-id")[:2])
    latest = visits[0] if visits else None
    previous = visits[1] if len(visits) > 1 else None
    members = household.members.filter(status="active")
    since = as_of - datetime.timedelta(days=90)
    events = [
        Event(e.kind, e.occurred_on, None if e.member is None else e.member.labour != "none")
        for e in VisitEvent.objects.filter(visit__household=household, occurred_on__gte=since)
    ]
    latest_events = [
        Event(e.kind, e.occurred_on, None if e.member is None else e.member.labour != "none")
        for e in (latest.events.all() if latest else [])
    ]
    signals = [
        SignalFact(s.id, s.kind, s.occurred_on, "person")
        for s in Signal.objects.filter(
            household=household, status="matched", occurred_on__gte=since
        )
    ]
    line = _line(household, as_of)
    cadence = VisitCadence.objects.filter(kind=household.poverty_status).first()
    settings = rules.default_settings()
    for config in RuleConfig.objects.filter(region__isnull=True):
        settings[config.code] = rules.RuleSetting(
            config.enabled, config.severity, config.weight, config.params
        )
    facts = Facts(
        household_id=household.pk,
        poverty_status=household.poverty_status,
        created_on=household.created_at.date(),
        last_visit_on=latest.visited_on if latest else None,
        per_capita_income=latest.per_capita_income if latest else None,
        total_net_income=latest.total_net_income if latest else None,
        rigid_spending=latest.rigid_spending if latest else None,
        household_size=latest.household_size if latest else None,
        failed_checks=tuple(latest.failed_checks) if latest else (),
        previous_per_capita_income=previous.per_capita_income if previous else None,
        latest_visit_events=tuple(latest_events),
        recent_events=tuple(events),
        members_with_labour=members.filter(labour__in=["skilled", "ordinary", "weak"]).count(),
        active_members=members.count(),
        signals=tuple(signals),
        income_line=line.amount if line else None,
        income_line_year=line.year if line else None,
        cadence_days=cadence.days
        if cadence
        else (90 if household.poverty_status == "lifted_out" else 365),
    )
    reasons = rules.evaluate(facts, as_of, settings)
    household.risk_level = rules.level_of(reasons)
    household.risk_score = rules.score_of(reasons)
    household.risk_reasons = [r.as_json() for r in reasons]
    household.save()
    alert = Alert.objects.filter(household=household, status__in=ACTIVE_STATUSES).first()
    if rules.opens_alert(reasons):
        codes = [r.code for r in reasons if r.severity != "low"]
        if alert is None:
            Alert.objects.create(
                household=household,
                source="rules",
                level=household.risk_level,
                score=household.risk_score,
                reasons=household.risk_reasons,
                reason_codes=codes,
                opened_at=timezone.now(),
            )
        else:
            alert.reasons, alert.reason_codes = household.risk_reasons, codes
            alert.save()
    elif alert is not None:
        alert.status = "resolved"
        alert.save()


def run(sample_ids: list[int], as_of: datetime.date) -> float:
    """Seconds for the sample, rolled back so that the real scan starts from the same state."""
    started = time.monotonic()
    with transaction.atomic():
        for household in Household.objects.filter(id__in=sample_ids).order_by("id").iterator():
            judge(household, as_of)
        elapsed = time.monotonic() - started
        transaction.set_rollback(True)
    return elapsed
