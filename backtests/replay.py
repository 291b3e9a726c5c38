"""The replay: the early-warning rules as they judged (or would have judged) a region at each
month-end of a period, on the facts as they stood then, and what happened next.

The rules are `monitoring.engine.rules.evaluate`, the scan's own, on facts loaded by the scan's
own loader with its date cut (`as_it_stood`); nothing here re-implements a rule. The work is per
chunk of about 5,000 households and per month-end: a handful of queries each, never one per
household, and no lock (nothing is written).
"""

import calendar
import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from backtests import selectors
from monitoring.engine.facts import households_in, load_facts
from monitoring.engine.policy import Policy
from monitoring.engine.rules import (
    RULES,
    RULES_BY_CODE,
    RuleSetting,
    alert_reasons,
    evaluate,
)

CHUNK_SIZE = 5000
OVERALL = "all"
DAYS_RULES = ("shock_event", "department_signal", "labour_loss")


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The month-end `months` months after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return month_end(index // 12, index % 12 + 1)


def month_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    ends, day = [], month_end(first.year, first.month)
    while day <= last:
        ends.append(day)
        day = add_months(day, 1)
    return ends


class ReplayPolicy(Policy):
    """The policy of a past month-end: rule settings rebuilt from their history; the look-back
    widened for a proposed configuration that looks further back than the county's."""

    def __init__(self, *, day: datetime.date, lookback: int = 0) -> None:
        super().__init__(rule_configs=selectors.rule_configs_as_of(day))
        self._lookback = lookback

    def lookback_days(self) -> int:
        return max(super().lookback_days(), self._lookback)


def proposed_settings(
    current: dict[str, RuleSetting], proposed: dict[str, dict] | None
) -> dict[str, RuleSetting]:
    """Configuration B: the proposed rules' settings over the county's own of the day."""
    if not proposed:
        return current
    settings = dict(current)
    for code, given in proposed.items():
        base = settings[code]
        settings[code] = RuleSetting(
            given.get("enabled", base.enabled),
            given.get("severity", base.severity),
            given.get("weight", base.weight),
            {**base.params, **given.get("params", {})},
        )
    return settings


def _settings_of(
    current: dict[str, RuleSetting], proposed: dict[str, dict] | None
) -> tuple[dict[str, RuleSetting], dict[str, RuleSetting]]:
    """A's settings, and B's as a set in which only the proposed rules are enabled (each as B
    has it): the rules B leaves alone judge as under A, so they are judged once."""
    if not proposed:
        return current, {}
    full = proposed_settings(current, proposed)
    only_changed = {
        code: setting if code in proposed else RuleSetting(False, setting.severity, 0, {})
        for code, setting in full.items()
    }
    return current, only_changed


def proposed_lookback(proposed: dict[str, dict] | None) -> int:
    days = [0]
    for code, given in (proposed or {}).items():
        if code in DAYS_RULES and "days" in given.get("params", {}):
            days.append(int(given["params"]["days"]))
    return max(days)


@dataclass
class Flags:
    """Per configuration: the month-ends at which each household was flagged (the rules opened a
    warning), overall and per rule; kept as indexes into the month-ends (small ints, shared by
    Python), so that a county of 100,000 households over 24 months stays small."""

    ends: list[datetime.date]
    by_key: dict[str, dict[int, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def add(self, household_id: int, index: int, codes: list[str]) -> None:
        self.by_key[OVERALL][household_id].append(index)
        for code in codes:
            self.by_key[code][household_id].append(index)

    def days(self, key: str) -> dict[int, list[datetime.date]]:
        """The month-ends themselves, per household flagged (by one rule, or "all")."""
        ends = self.ends
        return {
            household: [ends[index] for index in indexes]
            for household, indexes in self.by_key.get(key, {}).items()
        }


def replay_flags(
    *,
    prefix: str,
    ends: list[datetime.date],
    proposed: dict[str, dict] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> tuple[dict[str, Flags], dict[str, dict[str, RuleSetting]], int]:
    """Flags of configuration A (the settings of each month-end) and, with a proposal, B; the
    settings of the last month-end; how many households were registered by then."""
    lookback = proposed_lookback(proposed)
    policies = {day: ReplayPolicy(day=day, lookback=lookback) for day in ends}
    configs = ["A", "B"] if proposed else ["A"]
    flags = {name: Flags(ends) for name in configs}
    ids = selectors.household_ids(prefix)
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    settings_cache: dict[tuple[datetime.date, str], tuple[dict, dict]] = {}
    last_settings: dict[str, dict[str, RuleSetting]] = {}
    registered = 0
    for index, day in enumerate(ends):
        policy = policies[day]
        for chunk in chunks:
            households = households_in(scope=prefix, id_from=chunk[0], id_to=chunk[-1])
            rows = load_facts(households, as_of=day, policy=policy, lock=False, as_it_stood=True)
            if day == ends[-1]:
                registered += len(rows)
            for row, facts in rows:
                key = (day, row.village_id[:6])
                found = settings_cache.get(key)
                if found is None:
                    found = _settings_of(policy.rule_settings(row.village_id), proposed)
                    settings_cache[key] = found
                    last_settings["A"] = found[0]
                    if proposed:
                        last_settings["B"] = proposed_settings(found[0], proposed)
                settings_a, changed_b = found
                reasons = evaluate(facts, day, settings_a)
                opening = alert_reasons(reasons)
                if opening:
                    flags["A"].add(row.id, index, [reason.code for reason in opening])
                if proposed:
                    # B differs from A in the proposed rules only: A's other reasons stand.
                    reasons_b = [r for r in reasons if r.code not in proposed]
                    reasons_b += evaluate(facts, day, changed_b)
                    opening = alert_reasons(reasons_b)
                    if opening:
                        flags["B"].add(row.id, index, [reason.code for reason in opening])
        if progress is not None:
            progress(index + 1)
    return flags, last_settings, registered


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 3)


@dataclass(frozen=True)
class Outcomes:
    """What happened next, and the window it is read in."""

    enrolled: dict[int, datetime.date]
    shocks: dict[int, datetime.date]
    dismissed: dict[int, list[datetime.date]]
    first: datetime.date
    last: datetime.date
    horizon: int
    today: datetime.date


def measure(flagged_on: dict[int, list[datetime.date]], history: Outcomes) -> dict:
    """The figures of one rule (or all of them) under one configuration.

    A household enrolled on or before the first month-end was a case already: left out. A flag
    at a month-end on or after the household's enrolment is no forecast: left out. An outcome
    counts when it falls after the first month-end, no later than the horizon after the last,
    and no later than today. A hit: an enrolled household flagged at a month-end before its
    enrolment and no more than `horizon` months before it; its lead is the days from its first
    such flag to its enrolment. A false alarm: a flagged household that was no hit, once the
    horizon of its every flag has passed (before that it is undecided).
    """
    enrolled, shocks, dismissed = history.enrolled, history.shocks, history.dismissed
    first, last, horizon, today = history.first, history.last, history.horizon, history.today
    until = min(add_months(last, horizon), today)
    outcomes = {household: on for household, on in enrolled.items() if first < on <= until}
    flags: dict[int, list[datetime.date]] = {}
    for household, days in flagged_on.items():
        enrolled_on = enrolled.get(household)
        if enrolled_on is not None and enrolled_on <= first:
            continue
        kept = [day for day in days if enrolled_on is None or day < enrolled_on]
        if kept:
            flags[household] = kept

    def lead_days(days: list[datetime.date], on: datetime.date) -> int | None:
        within = [day for day in days if day < on <= add_months(day, horizon)]
        return (on - min(within)).days if within else None

    leads = {}
    for household, on in outcomes.items():
        lead = lead_days(flags.get(household, []), on)
        if lead is not None:
            leads[household] = lead
    false_alarms = undecided = dismissed_count = 0
    for household, days in flags.items():
        if household in leads:
            continue
        if any(add_months(day, horizon) > today for day in days):
            undecided += 1
            continue
        false_alarms += 1
        if any(on >= days[0] for on in dismissed.get(household, ())):
            dismissed_count += 1
    shock_leads = [
        lead
        for household, on in shocks.items()
        if (lead := lead_days(flags.get(household, []), on)) is not None
    ]
    decided = len(flags) - undecided
    values = sorted(leads.values())
    return {
        "flagged": len(flags),
        "hits": len(leads),
        "misses": len(outcomes) - len(leads),
        "false_alarms": false_alarms,
        "dismissed": dismissed_count,
        "undecided": undecided,
        "precision": _ratio(len(leads), decided),
        "recall": _ratio(len(leads), len(outcomes)),
        "lead_days_median": statistics.median(values) if values else None,
        "lead_days_mean": round(statistics.fmean(values), 1) if values else None,
        "shock_hits": len(shock_leads),
        "shock_recall": _ratio(len(shock_leads), len(shocks)),
        "shock_lead_days_median": statistics.median(shock_leads) if shock_leads else None,
    }


def setting_json(setting: RuleSetting) -> dict:
    return {
        "enabled": setting.enabled,
        "severity": setting.severity,
        "weight": setting.weight,
        "params": setting.params,
    }


def backtest(
    *,
    prefix: str,
    first: datetime.date,
    last: datetime.date,
    horizon: int,
    today: datetime.date,
    proposed: dict[str, dict] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> dict:
    """The figures of a run (see `measure`), JSON-ready."""
    ends = month_ends(first, last)
    flags, settings, registered = replay_flags(
        prefix=prefix, ends=ends, proposed=proposed, progress=progress, chunk_size=chunk_size
    )
    enrolled = selectors.first_enrolments(prefix)
    until = min(add_months(ends[-1], horizon), today)
    shocks = selectors.shock_dates(prefix, after=ends[0], until=until)
    dismissed = selectors.dismissals(prefix)
    common = Outcomes(enrolled, shocks, dismissed, ends[0], ends[-1], horizon, today)
    configs = {}
    for name, found in flags.items():
        configs[name] = {
            OVERALL: measure(found.days(OVERALL), common),
            "rules": {rule.code: measure(found.days(rule.code), common) for rule in RULES},
            "settings": {
                code: setting_json(setting) for code, setting in settings.get(name, {}).items()
            },
        }
    return {
        "month_ends": [day.isoformat() for day in ends],
        "households": registered,
        "enrolments": sum(1 for on in enrolled.values() if ends[0] < on <= until),
        "shocks": len(shocks),
        "outcomes_until": until.isoformat(),
        "configs": configs,
        "rule_codes": [code for code in RULES_BY_CODE],
    }
