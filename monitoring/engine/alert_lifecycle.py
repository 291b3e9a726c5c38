"""What the rules' verdict does to a household's warning: open, update, resolve, or hold.

`alert_changes` is pure: it reads the household's reasons, its active warning (if any), whether an
open case carries it and the reason codes a cadre dismissed recently, and says what to do. The
evaluation loads those for a whole chunk and writes what this decides, so the decision can be
tested by tables like the rules themselves (tests/monitoring/test_alert_lifecycle.py).
"""

import datetime
from collections.abc import Set
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from monitoring.engine import rules
from monitoring.models import AlertSource, AlertStatus

SELF_REPORT_SEVERITY, SELF_REPORT_WEIGHT = rules.MEDIUM, 20
# Statuses the rules may still close: once confirmed, the case workflow owns the alert.
AUTO_RESOLVABLE = (AlertStatus.OPEN, AlertStatus.ASSIGNED, AlertStatus.VERIFYING)
# A warning a cadre dismissed is not raised again for the same reasons for this long.
DISMISSAL_HOLDS = datetime.timedelta(days=90)


class AlertState(Protocol):
    """What the decision reads of an active warning (an `Alert` row has it)."""

    status: str
    reasons: list[dict]
    self_report: str


class Action(StrEnum):
    NOTHING = "nothing"  # no warning and no reason for one, or the warning already says it all
    OPEN = "open"
    UPDATE = "update"
    RESOLVE = "resolve"
    HELD_BY_CASE = "held_by_case"
    HELD_BY_DISMISSAL = "held_by_dismissal"


@dataclass(frozen=True)
class AlertChange:
    action: Action
    reasons: tuple[rules.Reason, ...] = ()
    source: str = ""  # of a warning to open

    def fields(self) -> dict:
        """The warning's columns that follow from its reasons."""
        return alert_fields(list(self.reasons))


def self_report_reason(report: str) -> rules.Reason:
    return rules.Reason("self_report", SELF_REPORT_SEVERITY, SELF_REPORT_WEIGHT, {"report": report})


def alert_fields(reasons: list[rules.Reason]) -> dict:
    return {
        "reasons": [reason.as_json() for reason in reasons],
        "reason_codes": [reason.code for reason in reasons],
        "level": rules.level_of(reasons),
        "score": rules.score_of(reasons),
    }


def alert_changes(
    *,
    reasons: list[rules.Reason],
    alert: AlertState | None,
    held_by_case: bool,
    dismissed_codes: Set[str] = frozenset(),
) -> AlertChange:
    """What the household's reasons on this evaluation do to its warning."""
    opening = rules.alert_reasons(reasons)
    if alert is None:
        if not rules.opens_alert(reasons):
            return AlertChange(Action.NOTHING)
        # While a case is open it carries the household: the rules still score it, but no new
        # warning is put in front of a cadre.
        if held_by_case:
            return AlertChange(Action.HELD_BY_CASE)
        if {reason.code for reason in opening} <= dismissed_codes:
            return AlertChange(Action.HELD_BY_DISMISSAL)
        department = any(reason.code == "department_signal" for reason in opening)
        source = AlertSource.DEPARTMENT if department else AlertSource.RULES
        return AlertChange(Action.OPEN, tuple(opening), source)
    # A household's own report stands until a cadre decides on it.
    if alert.self_report:
        opening.append(self_report_reason(alert.self_report))
    if not opening:
        if alert.status in AUTO_RESOLVABLE:
            return AlertChange(Action.RESOLVE)
        return AlertChange(Action.NOTHING)
    if alert.reasons != [reason.as_json() for reason in opening]:
        return AlertChange(Action.UPDATE, tuple(opening))
    return AlertChange(Action.NOTHING)
