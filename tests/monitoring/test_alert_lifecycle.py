"""What a verdict does to a household's warning: tables of reasons and warnings, no database."""

from dataclasses import dataclass, field

import pytest

from monitoring.engine import rules
from monitoring.engine.alert_lifecycle import (
    Action,
    alert_changes,
    alert_fields,
    self_report_reason,
)
from monitoring.models import AlertSource, AlertStatus

BELOW = rules.Reason("income_below_line", rules.HIGH, 40, {"per_capita_income": "5000.00"})
GAP = rules.Reason("guarantee_gap", rules.HIGH, 40, {"failed_checks": ["safe_water"]})
DROP = rules.Reason("income_drop", rules.MEDIUM, 20, {"drop": "0.400"})
SIGNAL = rules.Reason("department_signal", rules.HIGH, 25, {"signals": [], "days": 90})
NEAR = rules.Reason("income_near_line", rules.LOW, 10, {"ceiling": "7200.00"})
OVERDUE = rules.Reason("visit_overdue", rules.LOW, 5, {"overdue_days": 3})


@dataclass(frozen=True)
class Standing:
    """An active warning as the evaluation hands it over: its status and stored reasons."""

    status: str
    reasons: list[dict] = field(default_factory=list)
    self_report: str = ""


def stored(*reasons: rules.Reason) -> list[dict]:
    return [reason.as_json() for reason in reasons]


# Warnings standing before the evaluation.
OPEN_FOR_BELOW = Standing(AlertStatus.OPEN, stored(BELOW))
ASSIGNED_FOR_BELOW = Standing(AlertStatus.ASSIGNED, stored(BELOW))
VERIFYING_FOR_BELOW = Standing(AlertStatus.VERIFYING, stored(BELOW))
CONFIRMED_FOR_BELOW = Standing(AlertStatus.CONFIRMED, stored(BELOW))
SELF_REPORTED = Standing(AlertStatus.OPEN, stored(self_report_reason("住院")), "住院")
NO = set()
BELOW_DISMISSED = {"income_below_line"}


@pytest.mark.parametrize(
    ("reasons", "alert", "held_by_case", "dismissed", "action", "codes"),
    [
        # No warning yet: medium and high reasons open one, unless a case or a dismissal holds it.
        ([], None, False, NO, Action.NOTHING, []),
        ([NEAR, OVERDUE], None, False, NO, Action.NOTHING, []),
        ([BELOW, NEAR], None, False, NO, Action.OPEN, ["income_below_line"]),
        ([DROP], None, False, NO, Action.OPEN, ["income_drop"]),
        ([BELOW], None, True, NO, Action.HELD_BY_CASE, []),
        ([NEAR], None, True, NO, Action.NOTHING, []),
        ([BELOW], None, True, BELOW_DISMISSED, Action.HELD_BY_CASE, []),
        ([BELOW], None, False, BELOW_DISMISSED, Action.HELD_BY_DISMISSAL, []),
        ([BELOW, NEAR], None, False, BELOW_DISMISSED, Action.HELD_BY_DISMISSAL, []),
        ([BELOW, GAP], None, False, BELOW_DISMISSED, Action.OPEN, [BELOW.code, GAP.code]),
        # A warning stands: it follows the reasons; a case or a dismissal does not hold it back.
        ([BELOW], OPEN_FOR_BELOW, False, NO, Action.NOTHING, []),
        ([BELOW, NEAR], ASSIGNED_FOR_BELOW, False, NO, Action.NOTHING, []),
        ([BELOW, GAP], OPEN_FOR_BELOW, False, NO, Action.UPDATE, [BELOW.code, GAP.code]),
        ([GAP], OPEN_FOR_BELOW, True, {GAP.code}, Action.UPDATE, [GAP.code]),
        ([GAP], CONFIRMED_FOR_BELOW, False, NO, Action.UPDATE, [GAP.code]),
        ([], OPEN_FOR_BELOW, False, NO, Action.RESOLVE, []),
        ([NEAR], ASSIGNED_FOR_BELOW, False, NO, Action.RESOLVE, []),
        ([], VERIFYING_FOR_BELOW, True, NO, Action.RESOLVE, []),
        # Once confirmed, the case workflow owns the warning: the rules never close it.
        ([], CONFIRMED_FOR_BELOW, False, NO, Action.NOTHING, []),
        # A household's own report keeps its warning open until a cadre decides.
        ([], SELF_REPORTED, False, NO, Action.NOTHING, []),
        ([NEAR], SELF_REPORTED, False, NO, Action.NOTHING, []),
        ([BELOW], SELF_REPORTED, False, NO, Action.UPDATE, [BELOW.code, "self_report"]),
    ],
)
def test_alert_changes(reasons, alert, held_by_case, dismissed, action, codes):
    change = alert_changes(
        reasons=reasons, alert=alert, held_by_case=held_by_case, dismissed_codes=dismissed
    )
    assert change.action == action
    assert [reason.code for reason in change.reasons] == codes


@pytest.mark.parametrize(
    ("reasons", "source"),
    [([BELOW], AlertSource.RULES), ([BELOW, SIGNAL], AlertSource.DEPARTMENT)],
)
def test_a_new_warning_says_where_it_comes_from(reasons, source):
    change = alert_changes(reasons=reasons, alert=None, held_by_case=False)
    assert change.action == Action.OPEN and change.source == source


@pytest.mark.parametrize(
    ("reasons", "level", "score"),
    [
        ([BELOW, GAP, DROP], "high", 100),
        ([DROP], "medium", 20),
        ([DROP, self_report_reason("病")], "medium", 40),
    ],
)
def test_a_warning_takes_its_level_and_score_from_the_rules_helpers(reasons, level, score):
    fields = alert_fields(reasons)
    assert (fields["level"], fields["score"]) == (level, score)
    assert (rules.level_of(reasons), rules.score_of(reasons)) == (level, score)
    assert fields["reason_codes"] == [reason.code for reason in reasons]
    assert fields["reasons"] == stored(*reasons)


def test_only_medium_and_high_reasons_open_a_warning():
    assert rules.alert_reasons([BELOW, NEAR, DROP, OVERDUE]) == [BELOW, DROP]
    assert not rules.opens_alert([NEAR, OVERDUE]) and rules.opens_alert([DROP])
    assert rules.level_of([]) == "none" and rules.score_of([]) == 0


def test_a_stored_reason_reads_back_as_it_was():
    assert [rules.Reason.from_json(row) for row in stored(BELOW, DROP)] == [BELOW, DROP]
