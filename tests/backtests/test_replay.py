"""The replay on a small constructed history with a known answer (tests/backtests/conftest.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backtests import replay, selectors
from monitoring.engine.facts import households_in, load_facts
from monitoring.engine.policy import Policy
from monitoring.models import RuleConfig
from tests.backtests.conftest import TODAY, visit

pytestmark = pytest.mark.django_db

FIRST, LAST = datetime.date(2025, 7, 31), datetime.date(2026, 2, 28)


def run(**kwargs) -> dict:
    return replay.backtest(
        prefix="620423", first=FIRST, last=LAST, horizon=3, today=TODAY, **kwargs
    )


def test_month_ends():
    assert replay.month_ends(datetime.date(2025, 11, 3), datetime.date(2026, 2, 1)) == [
        datetime.date(2025, 11, 30),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 31),
    ]
    assert replay.add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)


def test_the_known_answer(history):
    figures = run()
    assert figures["households"] == 6
    assert figures["enrolments"] == 2  # h1 and h2; h6 was enrolled before the period
    assert len(figures["month_ends"]) == 8
    overall = figures["configs"]["A"]["all"]
    assert overall["flagged"] == 2  # h1 and h3
    assert overall["hits"] == 1  # h1
    assert overall["lead_days_median"] == 61  # 30 November − 30 September
    assert overall["lead_days_mean"] == 61
    assert overall["misses"] == 1  # h2
    assert overall["false_alarms"] == 1  # h3
    assert overall["dismissed"] == 1  # h3's warning was dismissed
    assert overall["undecided"] == 0
    assert overall["precision"] == 0.5
    assert overall["recall"] == 0.5
    below = figures["configs"]["A"]["rules"]["income_below_line"]
    assert (below["flagged"], below["hits"], below["false_alarms"]) == (2, 1, 1)
    assert figures["configs"]["A"]["rules"]["guarantee_gap"]["flagged"] == 0
    assert "B" not in figures["configs"]


def test_a_visit_after_the_month_end_is_not_seen(history, township_cadre):
    """h4's poor visit of 5 March 2026 is after the period; a poor visit of h5 on 1 August is
    seen from the end of August only."""
    visit(township_cadre, history["h5"], datetime.date(2025, 8, 1), income=20000)
    flags, _, _ = replay.replay_flags(
        prefix="620423", ends=replay.month_ends(FIRST, LAST), proposed=None
    )
    by_household = flags["A"].days("all")
    assert history["h4"].pk not in by_household
    assert by_household[history["h5"].pk][0] == datetime.date(2025, 8, 31)
    assert by_household[history["h1"].pk][0] == datetime.date(2025, 9, 30)


def test_a_household_registered_later_is_not_judged(history, township_cadre):
    from households.models import Household

    Household.objects.filter(pk=history["h3"].pk).update(
        created_at=datetime.datetime(2025, 12, 5, tzinfo=datetime.UTC)
    )
    rows = load_facts(
        households_in(scope="620423"),
        as_of=datetime.date(2025, 11, 30),
        policy=Policy(),
        lock=False,
        as_it_stood=True,
    )
    assert history["h3"].pk not in {row.id for row, _ in rows}
    assert len(rows) == 5


def test_a_rule_setting_changed_later_is_not_used(history):
    """A county that turns the income rule off today: the replay of 2025 still uses the setting
    of then; the history knows today's."""
    RuleConfig.objects.create(
        code="income_below_line",
        region_id="620423000000",
        enabled=False,
        severity="high",
        weight=40,
    )
    then = selectors.rule_configs_as_of(LAST)
    assert not [row for row in then if row.code == "income_below_line"]
    now = selectors.rule_configs_as_of(datetime.date.today())
    assert [row.enabled for row in now if row.code == "income_below_line"] == [False]
    figures = run()
    assert figures["configs"]["A"]["rules"]["income_below_line"]["flagged"] == 2
    assert figures["configs"]["A"]["settings"]["income_below_line"]["enabled"] is True


def test_two_configurations_side_by_side(history):
    """B turns the income rule off: the drop of income still flags h1 and h3 (12,000 → 5,000),
    and a stricter drop threshold of 60 % no longer does."""
    figures = run(proposed={"income_below_line": {"enabled": False}})
    a, b = figures["configs"]["A"], figures["configs"]["B"]
    assert a["rules"]["income_below_line"]["flagged"] == 2
    assert b["rules"]["income_below_line"]["flagged"] == 0
    assert b["settings"]["income_below_line"]["enabled"] is False
    assert b["all"]["flagged"] == 2  # income_drop
    assert b["rules"]["income_drop"]["hits"] == 1
    stricter = run(
        proposed={
            "income_below_line": {"enabled": False},
            "income_drop": {"params": {"drop": "0.6"}},
        }
    )
    assert stricter["configs"]["B"]["all"]["flagged"] == 0
    assert stricter["configs"]["B"]["all"]["misses"] == 2
    assert stricter["configs"]["A"]["all"] == a["all"]


def test_the_replay_queries_per_chunk_not_per_household(history, township_cadre):
    ends = replay.month_ends(FIRST, LAST)
    with CaptureQueriesContext(connection) as few:
        replay.replay_flags(prefix="620423", ends=ends)
    for _ in range(20):
        from tests.backtests.conftest import make_household

        visit(township_cadre, make_household(township_cadre), FIRST, income=20000)
    with CaptureQueriesContext(connection) as more:
        replay.replay_flags(prefix="620423", ends=ends)
    assert len(more) == len(few)


def test_a_proposal_equal_to_the_county_settings_gives_the_same_figures(history):
    figures = run(proposed={"income_drop": {"params": {"drop": "0.30"}}, "guarantee_gap": {}})
    a, b = figures["configs"]["A"], figures["configs"]["B"]
    assert a["all"] == b["all"] and a["rules"] == b["rules"]
    assert a["all"]["flagged"] == 2
