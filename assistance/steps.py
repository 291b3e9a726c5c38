"""The statutory steps of identification and of risk elimination, who takes each, and by when.

The whole of a phase must finish within `CASE_PHASE_DAYS` days of its proposal (15 by policy; a
province may set its own). The days are counted as Chinese administrative deadlines are (期间开始
的当日不计算在内): the day of the proposal is day 0 and is not counted, day 1 is the day after, and
the last day is day `CASE_PHASE_DAYS` (proposed on 2 March: finished by 17 March at the latest).
A step's due date is its day counted the same way; a step is overdue from the day after it.
Each step's day is its share of the limit, so a shorter or longer limit moves every step with it.
The village public notice runs at least `NOTICE_MIN_DAYS` days, counted inclusively (posted on
the 1st, objections taken until the end of the 5th).
"""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings

from assistance.models import Phase, StepKind

NOTICE_MIN_DAYS = 5
# The policy's day numbers within its 15 days; scaled when CASE_PHASE_DAYS differs.
POLICY_DAYS = 15


@dataclass(frozen=True)
class StepRule:
    kind: str
    permission: str  # the Django permission of the role that takes the step
    day: int  # due on this day of the policy's 15


IDENTIFICATION = (
    StepRule(StepKind.PROPOSAL, "assistance.propose_case", 0),
    StepRule(StepKind.CONSENT, "assistance.record_village_step", 2),
    StepRule(StepKind.INFO_CHECK, "assistance.check_case_information", 5),
    StepRule(StepKind.DELIBERATION, "assistance.record_village_step", 7),
    StepRule(StepKind.NOTICE, "assistance.record_village_step", 13),
    StepRule(StepKind.TOWNSHIP_REVIEW, "assistance.review_case", 14),
    StepRule(StepKind.COUNTY_APPROVAL, "assistance.approve_case", 15),
)
ELIMINATION = (
    StepRule(StepKind.PROPOSAL, "assistance.propose_case", 0),
    StepRule(StepKind.HOME_VERIFICATION, "assistance.record_village_step", 4),
    StepRule(StepKind.DELIBERATION, "assistance.record_village_step", 7),
    StepRule(StepKind.NOTICE, "assistance.record_village_step", 13),
    StepRule(StepKind.TOWNSHIP_REVIEW, "assistance.review_case", 14),
    StepRule(StepKind.COUNTY_APPROVAL, "assistance.approve_case", 15),
)
PHASE_STEPS: dict[str, tuple[StepRule, ...]] = {
    Phase.IDENTIFICATION: IDENTIFICATION,
    Phase.ELIMINATION: ELIMINATION,
}


def phase_days() -> int:
    return settings.CASE_PHASE_DAYS


def due_on(proposed_on: datetime.date, rule: StepRule) -> datetime.date:
    """The last day for the step: its day, counted from the day after the proposal."""
    days = math.ceil(rule.day * phase_days() / POLICY_DAYS)
    return proposed_on + datetime.timedelta(days=days)


def phase_last_day(proposed_on: datetime.date) -> datetime.date:
    """The last day the phase proposed on `proposed_on` may finish on (its last step's due date)."""
    return proposed_on + datetime.timedelta(days=phase_days())


def rule_for(phase: str, kind: str) -> StepRule:
    return next(rule for rule in PHASE_STEPS[phase] if rule.kind == kind)


def notice_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    return (ends_on - starts_on).days + 1
