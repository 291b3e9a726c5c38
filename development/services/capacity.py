"""Measuring households' self-development capacity: readings written in bulk, the evaluation
asked for where a score crossed the rule's threshold."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from development import capacity
from households.evaluation_requests import request_evaluations
from households.models import Household
from households.selectors import households_visible_to, under_region
from monitoring.engine.policy import Policy
from monitoring.engine.rules import RULES_BY_CODE
from monitoring.models import CapacityReading

RULE = "weak_capacity"


def _threshold(policy: Policy, village: str) -> int:
    setting = policy.rule_settings(village).get(RULE)
    params = setting.params if setting else {}
    return int(params.get("below", RULES_BY_CODE[RULE].params["below"]))


def measure_capacity(
    *, actor: User | None, households, as_of: datetime.date, policy: Policy | None = None
) -> int:
    """Measure a chunk of households on `as_of` (one reading each; measuring again the same day
    replaces the day's reading). `actor` None is the system's own schedule; a person needs the
    permission and measures only households of their region. Returns how many were measured."""
    if actor is not None:
        if not actor.has_perm("monitoring.add_capacityreading"):
            raise PermissionDenied(_("Your role may not do this."))
        households = households.filter(pk__in=households_visible_to(actor).values("pk"))
    policy = policy or Policy()
    with transaction.atomic():
        measured = capacity.gather(households, as_of=as_of, policy=policy)
        if not measured:
            return 0
        ids = [m.household_id for m in measured]
        before = capacity.previous_readings(ids, as_of)
        CapacityReading.objects.bulk_create(
            [
                CapacityReading(
                    household_id=m.household_id,
                    measured_on=as_of,
                    score=m.result.score,
                    working_age=m.result.working_age,
                    components=m.result.components_json(),
                    weights_id=m.weights_id,
                    weights_version=m.weights_version,
                )
                for m in measured
            ],
            update_conflicts=True,
            unique_fields=["household", "measured_on"],
            update_fields=["score", "working_age", "components", "weights", "weights_version"],
        )
        # The rule reads the latest reading: judge again whoever's reading now says otherwise to
        # it (a score crossing the threshold, or first measured below it; a member coming of
        # working age or none left, which the rule reads too).
        crossed = []
        for m in measured:
            below = _threshold(policy, m.village_id)
            was = before.get(m.household_id)
            now_weak = m.result.score < below and m.result.working_age > 0
            was_weak = was is not None and was[0] < below and was[1] > 0
            if now_weak != was_weak:
                crossed.append(m.household_id)
        if crossed:
            request_evaluations(crossed, sweep_past=1000)
    return len(measured)


CHUNK = 2000


def measure_all(*, as_of: datetime.date, scope: str = "") -> int:
    """Every household of the registry (or of a region's code prefix), in chunks of ids, each in
    its own transaction. For the schedule and the command, not a person's request."""
    policy = Policy()
    queryset = Household.objects.all()
    if scope:
        queryset = under_region(queryset, scope)
    total, last = 0, 0
    while True:
        chunk_ids = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not chunk_ids:
            return total
        total += measure_capacity(
            actor=None,
            households=Household.objects.filter(pk__in=chunk_ids),
            as_of=as_of,
            policy=policy,
        )
        last = chunk_ids[-1]
