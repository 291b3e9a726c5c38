"""Each rule at its boundaries: tables of facts, no database."""

import dataclasses
import datetime
from decimal import Decimal as D

import pytest

from monitoring.engine import rules
from monitoring.engine.rules import AreaNote, Event, Facts, SignalFact

AS_OF = datetime.date(2026, 6, 30)
SETTINGS = rules.default_settings()


def facts(**changes) -> Facts:
    """A household with nothing wrong: income well above a 6,000 line, all checks passed."""
    base = Facts(
        household_id=1,
        poverty_status="lifted_out",
        created_on=datetime.date(2021, 1, 1),
        last_visit_on=datetime.date(2026, 6, 1),
        per_capita_income=D("12000"),
        total_net_income=D("48000"),
        rigid_spending=D("0"),
        household_size=4,
        previous_per_capita_income=D("12000"),
        members_with_labour=2,
        active_members=4,
        income_line=D("6000"),
        income_line_year=2026,
        cadence_days=90,
    )
    return dataclasses.replace(base, **changes)


def fired(facts_: Facts) -> set[str]:
    return {reason.code for reason in rules.evaluate(facts_, AS_OF, SETTINGS)}


def test_a_household_with_nothing_wrong_fires_nothing():
    assert fired(facts()) == set()


@pytest.mark.parametrize(
    ("per_capita", "expected"),
    [
        (D("5999.99"), {"income_below_line"}),
        (D("6000.00"), {"income_near_line"}),
        (D("7199.99"), {"income_near_line"}),
        (D("7200.00"), set()),
        (D("0"), {"income_below_line"}),
    ],
)
def test_income_against_the_line(per_capita, expected):
    result = fired(facts(per_capita_income=per_capita, previous_per_capita_income=per_capita))
    assert result == expected


def test_a_net_loss_is_below_the_line_and_says_by_how_much():
    loss = facts(
        per_capita_income=D("-2000"),
        total_net_income=D("-8000"),
        previous_per_capita_income=D("10000"),
        rigid_spending=D("500"),
    )
    reasons = {r.code: r.evidence for r in rules.evaluate(loss, AS_OF, SETTINGS)}
    assert reasons["income_below_line"]["per_capita_income"] == "-2000.00"
    assert reasons["income_drop"]["drop"] == "1.200"
    assert reasons["rigid_spending"]["share"] is None
    assert reasons["rigid_spending"]["per_capita_after_spending"] == "-2125.00"
    assert "income_near_line" not in reasons


def test_income_rules_need_a_line_and_a_visit():
    assert (
        fired(
            facts(income_line=None, per_capita_income=D("100"), previous_per_capita_income=D("100"))
        )
        == set()
    )
    never_visited = facts(
        per_capita_income=None,
        total_net_income=None,
        rigid_spending=None,
        household_size=None,
        previous_per_capita_income=None,
        last_visit_on=None,
    )
    assert "income_below_line" not in fired(never_visited)


@pytest.mark.parametrize(
    ("previous", "current", "fires"),
    [
        (D("10000"), D("7000"), True),  # exactly 30% down
        (D("10000"), D("7000.01"), False),
        (D("10000"), D("12000"), False),
        (D("0"), D("7000"), False),  # nothing to drop from
        (D("10000"), D("-2000"), True),  # a business loss: more than all of it gone
        (D("-2000"), D("-5000"), False),  # no share of a loss; income_below_line speaks
        (None, D("7000"), False),  # first visit
    ],
)
def test_income_drop(previous, current, fires):
    result = fired(facts(previous_per_capita_income=previous, per_capita_income=current))
    assert ("income_drop" in result) is fires


@pytest.mark.parametrize(
    ("spending", "income", "size", "fires"),
    [
        (D("24000"), D("48000"), 4, True),  # exactly half
        (D("23999.99"), D("48000"), 4, False),
        (D("10000"), D("30000"), 4, True),  # (30000-10000)/4 = 5000 < 6000
        (D("5000"), D("30000"), 4, False),  # 6250 after spending, 17% share
        (D("100"), D("0"), 4, True),  # no income at all
        (D("100"), D("-8000"), 4, True),  # a net loss
        (D("0"), D("-8000"), 4, False),  # nothing spent: the loss is income_below_line's
        (D("0"), D("0"), 4, False),
    ],
)
def test_rigid_spending(spending, income, size, fires):
    per_capita = income / size
    result = fired(
        facts(
            rigid_spending=spending,
            total_net_income=income,
            household_size=size,
            per_capita_income=per_capita,
            previous_per_capita_income=per_capita,
        )
    )
    assert ("rigid_spending" in result) is fires


@pytest.mark.parametrize("check", rules.CHECKS)
def test_any_failed_check_is_a_guarantee_gap(check):
    reasons = rules.evaluate(facts(failed_checks=(check,)), AS_OF, SETTINGS)
    gap = next(reason for reason in reasons if reason.code == "guarantee_gap")
    assert gap.severity == "high" and gap.evidence == {"failed_checks": [check]}


@pytest.mark.parametrize(
    ("with_labour", "events", "fires"),
    [
        (0, (), True),
        (1, (), False),
        (2, (Event("illness", datetime.date(2026, 5, 1), member_had_labour=True),), True),
        (2, (Event("death", datetime.date(2026, 5, 1), member_had_labour=True),), True),
        (2, (Event("disability", datetime.date(2026, 5, 1), member_had_labour=None),), True),
        # A child's illness is a shock, not a loss of labour.
        (2, (Event("illness", datetime.date(2026, 5, 1), member_had_labour=False),), False),
        (2, (Event("job_loss", datetime.date(2026, 5, 1), member_had_labour=True),), False),
    ],
)
def test_labour_loss(with_labour, events, fires):
    result = fired(facts(members_with_labour=with_labour, latest_visit_events=events))
    assert ("labour_loss" in result) is fires


@pytest.mark.parametrize(
    ("kind", "days_ago", "fires"),
    [
        ("illness", 90, True),
        ("illness", 91, False),
        ("disaster", 0, True),
        ("job_loss", 30, True),
        ("business_failure", 30, True),
        ("accident", 30, True),
        ("disability", 30, True),
        ("death", 30, False),  # a death is judged as labour loss, not a shock
        ("other", 1, False),
        ("illness", -1, False),  # after the as-of date
    ],
)
def test_shock_event_in_the_last_90_days(kind, days_ago, fires):
    event = Event(kind, AS_OF - datetime.timedelta(days=days_ago), member_had_labour=False)
    assert ("shock_event" in fired(facts(recent_events=(event,)))) is fires


@pytest.mark.parametrize(
    ("kind", "days_ago", "severity"),
    [
        ("large_medical_expense", 10, "high"),
        ("assistance_granted", 10, "low"),
        ("unemployment", 90, "medium"),
        ("disaster_area", 91, None),
    ],
)
def test_department_signal_severity_follows_its_kind(kind, days_ago, severity):
    signal = SignalFact(7, kind, AS_OF - datetime.timedelta(days=days_ago), "person")
    reasons = {r.code: r for r in rules.evaluate(facts(signals=(signal,)), AS_OF, SETTINGS)}
    if severity is None:
        assert "department_signal" not in reasons
    else:
        assert reasons["department_signal"].severity == severity
        assert reasons["department_signal"].evidence["signals"][0]["id"] == 7


@pytest.mark.parametrize(
    ("last_visit", "cadence", "fires"),
    [
        (AS_OF - datetime.timedelta(days=105), 90, False),  # 90 + 15 days: still in time
        (AS_OF - datetime.timedelta(days=106), 90, True),
        (AS_OF - datetime.timedelta(days=45), 30, False),
        (AS_OF - datetime.timedelta(days=46), 30, True),
        (AS_OF - datetime.timedelta(days=380), 365, False),
    ],
)
def test_visit_overdue(last_visit, cadence, fires):
    assert (
        "visit_overdue" in fired(facts(last_visit_on=last_visit, cadence_days=cadence))
    ) is fires


def test_a_never_visited_household_is_overdue_from_its_registration():
    never = facts(
        last_visit_on=None,
        created_on=AS_OF - datetime.timedelta(days=200),
        cadence_days=90,
        per_capita_income=None,
        previous_per_capita_income=None,
        total_net_income=None,
        household_size=None,
        rigid_spending=None,
    )
    assert fired(never) == {"visit_overdue"}


@pytest.mark.parametrize(
    ("last_visit", "created", "cadence", "due"),
    [
        (datetime.date(2026, 6, 1), datetime.date(2021, 1, 1), 30, datetime.date(2026, 7, 1)),
        (datetime.date(2026, 6, 1), datetime.date(2021, 1, 1), 60, datetime.date(2026, 7, 31)),
        (datetime.date(2026, 6, 1), datetime.date(2021, 1, 1), 90, datetime.date(2026, 8, 30)),
        (datetime.date(2026, 6, 1), datetime.date(2021, 1, 1), 365, datetime.date(2027, 6, 1)),
        (None, datetime.date(2026, 3, 1), 90, datetime.date(2026, 5, 30)),  # from registration
        (None, None, 90, None),
    ],
)
def test_the_next_visit_is_due_a_cadence_after_the_last_visit_or_registration(
    last_visit, created, cadence, due
):
    household = facts(last_visit_on=last_visit, created_on=created, cadence_days=cadence)
    assert rules.visit_due_on(household) == due


@pytest.mark.parametrize("cadence", [30, 60, 90, 365, 45])
def test_visit_overdue_fires_the_day_after_the_due_date_and_its_grace(cadence):
    household = facts(cadence_days=cadence)
    due = rules.visit_due_on(household)
    grace = datetime.timedelta(days=15)
    params = {"grace_days": 15}
    assert rules.visit_overdue(household, due + grace, params) is None
    evidence = rules.visit_overdue(household, due + grace + datetime.timedelta(days=1), params)
    assert evidence["due_on"] == due.isoformat() and evidence["overdue_days"] == 1
    # The recheck day is that first day, so the nightly scan raises it on time.
    assert rules.recheck_on(household, due, SETTINGS) == due + grace + datetime.timedelta(days=1)


def test_level_score_and_alert_threshold():
    low_only = rules.evaluate(
        facts(per_capita_income=D("6500"), previous_per_capita_income=D("6500")), AS_OF, SETTINGS
    )
    assert rules.level_of(low_only) == "low" and not rules.opens_alert(low_only)
    several = rules.evaluate(
        facts(
            per_capita_income=D("5000"),
            previous_per_capita_income=D("9000"),
            failed_checks=("safe_water",),
        ),
        AS_OF,
        SETTINGS,
    )
    assert [r.code for r in several] == ["guarantee_gap", "income_below_line", "income_drop"]
    assert rules.level_of(several) == "high" and rules.opens_alert(several)
    assert rules.score_of(several) == 40 + 40 + 20


def test_settings_change_thresholds_severity_and_switch_rules_off():
    tuned = dict(SETTINGS)
    tuned["income_drop"] = rules.RuleSetting(True, "high", 33, {"drop": "0.10"})
    tuned["guarantee_gap"] = rules.RuleSetting(False, "high", 40, {})
    reasons = rules.evaluate(
        facts(
            per_capita_income=D("8500"),
            previous_per_capita_income=D("9500"),
            failed_checks=("safe_water",),
        ),
        AS_OF,
        tuned,
    )
    assert [(r.code, r.severity, r.weight) for r in reasons] == [("income_drop", "high", 33)]


def test_evidence_names_values_and_thresholds():
    reason = rules.evaluate(
        facts(per_capita_income=D("5432.1"), previous_per_capita_income=D("5432.1")),
        AS_OF,
        SETTINGS,
    )[0]
    assert reason.evidence == {"per_capita_income": "5432.10", "line": "6000.00", "line_year": 2026}


def test_recheck_day_is_when_time_alone_could_change_the_verdict():
    visited = AS_OF - datetime.timedelta(days=10)
    quiet = facts(last_visit_on=visited, cadence_days=90)
    assert rules.recheck_on(quiet, AS_OF, SETTINGS) == visited + datetime.timedelta(
        days=90 + 15 + 1
    )
    shock = Event("illness", AS_OF - datetime.timedelta(days=80), member_had_labour=False)
    shaken = facts(last_visit_on=visited, cadence_days=90, recent_events=(shock,))
    assert rules.recheck_on(shaken, AS_OF, SETTINGS) == shock.occurred_on + datetime.timedelta(
        days=91
    )
    overdue = facts(last_visit_on=AS_OF - datetime.timedelta(days=300), cadence_days=90)
    assert rules.recheck_on(overdue, AS_OF, SETTINGS) == datetime.date(2027, 1, 1)


# Area events: only a household the screening found affected carries the area's high reason;
# the rest of an active event's households a low note, which opens no warning.


@pytest.mark.parametrize(
    ("signals", "notes", "expected", "opens"),
    [
        # affected by a disaster, a drop in migrant work, a price collapse: high, a warning
        (
            (SignalFact(3, "disaster_area", AS_OF, "area_event"),),
            (),
            {"department_signal": "high"},
            True,
        ),
        (
            (SignalFact(3, "migrant_work_drop", AS_OF, "area_event"),),
            (),
            {"department_signal": "high"},
            True,
        ),
        (
            (SignalFact(3, "price_collapse", AS_OF, "area_event"),),
            (),
            {"department_signal": "high"},
            True,
        ),
        # the event's signal older than the signal window: nothing
        (
            (SignalFact(3, "disaster_area", AS_OF - datetime.timedelta(days=91), "area_event"),),
            (),
            {},
            False,
        ),
        # not yet screened, or screened not affected, while the event is active: a low note
        ((), (AreaNote(3, "disaster_area", AS_OF, "pending"),), {"affected_area": "low"}, False),
        (
            (),
            (AreaNote(3, "price_collapse", AS_OF, "not_affected"),),
            {"affected_area": "low"},
            False,
        ),
        # no event at all: nothing
        ((), (), {}, False),
    ],
)
def test_an_area_reaches_a_household_through_its_screening(signals, notes, expected, opens):
    reasons = rules.evaluate(facts(signals=signals, area_notes=notes), AS_OF, SETTINGS)
    assert {reason.code: reason.severity for reason in reasons} == expected
    assert rules.opens_alert(reasons) is opens


def test_a_low_area_note_names_its_event_and_the_screening():
    note = AreaNote(9, "disaster_area", datetime.date(2026, 6, 20), "pending")
    (reason,) = rules.evaluate(facts(area_notes=(note,)), AS_OF, SETTINGS)
    assert reason.evidence == {
        "area_events": [
            {"id": 9, "kind": "disaster_area", "on": "2026-06-20", "screening": "pending"}
        ]
    }
    assert rules.level_of([reason]) == "low"


@pytest.mark.parametrize(
    ("score", "measured_on", "working_age", "tekun", "expected"),
    [
        (39, datetime.date(2026, 6, 1), 2, 0, True),  # below 40, a month old
        (40, datetime.date(2026, 6, 1), 2, 0, False),  # at the threshold: not below it
        (10, datetime.date(2026, 3, 22), 2, 0, True),  # exactly 100 days old still counts
        (10, datetime.date(2026, 3, 21), 2, 0, False),  # 101 days old: too old to trust
        (10, datetime.date(2026, 7, 1), 2, 0, False),  # measured after the as-of date
        (10, datetime.date(2026, 6, 1), 0, 0, False),  # nobody of working age: social security
        (10, datetime.date(2026, 6, 1), 2, 1, False),  # under tekun support
        (None, None, None, 0, False),  # never measured
    ],
)
def test_weak_capacity(score, measured_on, working_age, tekun, expected):
    household = facts(
        capacity_score=score,
        capacity_measured_on=measured_on,
        capacity_working_age=working_age,
        tekun_members=tekun,
    )
    reasons = rules.evaluate(household, AS_OF, SETTINGS)
    assert ("weak_capacity" in {r.code for r in reasons}) is expected
    if expected:
        (reason,) = reasons
        assert reason.severity == "low" and reason.weight == 5
        assert reason.evidence == {
            "capacity_score": score,
            "measured_on": measured_on.isoformat(),
            "below": 40,
        }
        # Low: shown on the household, never a warning by itself.
        assert not rules.opens_alert(reasons)


def test_weak_capacity_follows_its_settings():
    settings = dict(SETTINGS)
    settings["weak_capacity"] = rules.RuleSetting(True, "medium", 12, {"below": 60})
    household = facts(
        capacity_score=55, capacity_measured_on=datetime.date(2026, 6, 1), capacity_working_age=1
    )
    (reason,) = rules.evaluate(household, AS_OF, settings)
    assert (reason.code, reason.severity, reason.weight) == ("weak_capacity", "medium", 12)
    assert reason.evidence["below"] == 60


def test_a_capacity_reading_growing_old_is_a_day_to_judge_again():
    household = facts(
        last_visit_on=datetime.date(2026, 6, 29),
        capacity_score=30,
        capacity_measured_on=datetime.date(2026, 6, 1),
        capacity_working_age=2,
    )
    assert rules.recheck_on(household, AS_OF, SETTINGS) == datetime.date(2026, 9, 10)
