"""The early-warning rules: each reads one household's facts and an as-of date, nothing else.

A rule is a pure function `(facts, as_of, config) -> evidence | None`. The same function judges one
household right after a visit and every household of a county in the nightly scan: the scan only
loads facts for many households at once (`monitoring.engine.facts`), it never re-implements a rule.
Thresholds, weights and severities come from `RuleConfig` rows, so a county can tune them without
a release; the defaults below are what a county starts with.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_RANK = {LOW: 1, MEDIUM: 2, HIGH: 3}
OPENING_RANK = SEVERITY_RANK[MEDIUM]
# Event kinds that are shocks to a household's income or capacity.
SHOCK_KINDS = {"illness", "disability", "disaster", "accident", "business_failure", "job_loss"}
LABOUR_LOSS_KINDS = {"illness", "disability", "death"}
# The same losses as the registry records them (`households.LifeEvent` kinds): a member's death,
# serious illness, disability or lost capacity to work entered on the member, not on a visit.
REGISTRY_LABOUR_LOSS_KINDS = {"died", "serious_illness", "disability", "labour_lost"}
REGISTRY_SHOCK_KINDS = {"serious_illness", "disability"}
CHECKS = ("food_clothing", "compulsory_education", "basic_medical", "safe_housing", "safe_water")


@dataclass(frozen=True)
class Event:
    kind: str
    occurred_on: datetime.date
    member_had_labour: bool | None = None  # None: the event concerns no one member


@dataclass(frozen=True)
class SignalFact:
    id: int
    kind: str
    occurred_on: datetime.date
    scope: str  # "person" or "area"


@dataclass(frozen=True)
class AreaNote:
    """The household lies in the area of an active area event and its screening has not found
    it affected (pending or not affected): a low note, never a warning by itself."""

    event_id: int
    kind: str
    occurred_on: datetime.date
    screening: str  # "pending" or "not_affected"


@dataclass(frozen=True)
class Facts:
    """What the rules may know of one household on the as-of date."""

    household_id: int
    poverty_status: str
    monitored: bool = False
    created_on: datetime.date | None = None
    last_visit_on: datetime.date | None = None
    # The latest visit's figures (None when the household was never visited).
    per_capita_income: Decimal | None = None
    total_net_income: Decimal | None = None
    rigid_spending: Decimal | None = None
    household_size: int | None = None
    failed_checks: tuple[str, ...] = ()
    previous_per_capita_income: Decimal | None = None
    # Events recorded on the latest visit ("since the last visit"), and all recent events.
    latest_visit_events: tuple[Event, ...] = ()
    recent_events: tuple[Event, ...] = ()
    # Changes recorded in the registry in the look-back window (kinds of `households.LifeEvent`).
    registry_events: tuple[Event, ...] = ()
    members_with_labour: int = 0
    active_members: int = 0
    # Active members receiving dibao or tekun (the registry's flags), and the monitored
    # household's category (households.MonitoringCategory): what the layer reads beside income.
    dibao_members: int = 0
    tekun_members: int = 0
    monitored_category: str = ""
    # Person signals, and the area events whose screening found the household affected (scope
    # "area_event", id the event's).
    signals: tuple[SignalFact, ...] = ()
    area_notes: tuple[AreaNote, ...] = ()
    income_line: Decimal | None = None
    income_line_year: int | None = None
    cadence_days: int = 365
    # The latest self-development capacity reading (monitoring.CapacityReading), loaded in a query
    # of its own; None when the household was never measured.
    capacity_score: int | None = None
    capacity_measured_on: datetime.date | None = None
    capacity_working_age: int | None = None


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool
    severity: str
    weight: int
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str
    weight: int
    evidence: dict

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "weight": self.weight,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Reason":
        return cls(data["code"], data["severity"], data["weight"], data["evidence"])


@lru_cache(maxsize=256)
def _decimal(value) -> Decimal:
    return Decimal(str(value))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def income_below_line(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    if facts.per_capita_income is None or facts.income_line is None:
        return None
    if facts.per_capita_income < facts.income_line:
        return {
            "per_capita_income": _money(facts.per_capita_income),
            "line": _money(facts.income_line),
            "line_year": facts.income_line_year,
        }
    return None


def income_near_line(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    if facts.per_capita_income is None or facts.income_line is None:
        return None
    if facts.per_capita_income < facts.income_line:
        return None  # below the line, not near it: no ceiling to work out
    ceiling = facts.income_line * _decimal(params["factor"])
    if facts.per_capita_income < ceiling:
        return {
            "per_capita_income": _money(facts.per_capita_income),
            "line": _money(facts.income_line),
            "ceiling": _money(ceiling),
            "factor": params["factor"],
        }
    return None


def income_drop(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    previous, current = facts.previous_per_capita_income, facts.per_capita_income
    if previous is None or current is None or previous <= 0:
        return None
    drop = (previous - current) / previous
    if drop >= _decimal(params["drop"]):
        return {
            "per_capita_income": _money(current),
            "previous_per_capita_income": _money(previous),
            "drop": str(drop.quantize(Decimal("0.001"))),
            "threshold": params["drop"],
        }
    return None


def rigid_spending(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    spending, income = facts.rigid_spending, facts.total_net_income
    if not spending or income is None or not facts.household_size:
        return None
    share_threshold = _decimal(params["share"])
    heavy = income <= 0 or spending >= income * share_threshold
    after = (income - spending) / facts.household_size
    below = facts.income_line is not None and after < facts.income_line
    if heavy or below:
        return {
            "rigid_spending": _money(spending),
            "total_net_income": _money(income),
            "share": str((spending / income).quantize(Decimal("0.001"))) if income > 0 else None,
            "share_threshold": params["share"],
            "per_capita_after_spending": _money(after),
            "line": _money(facts.income_line),
        }
    return None


def guarantee_gap(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    if facts.failed_checks:
        return {"failed_checks": list(facts.failed_checks)}
    return None


def _registry_losses(facts: Facts, as_of: datetime.date, days: int) -> list[dict]:
    """The registry's record of a member who could work dying, falling seriously ill, becoming
    disabled or losing the capacity to work, in the last `days` days."""
    if not facts.registry_events:
        return []  # most households: nothing to date, sort or copy (the scan asks per household)
    since = as_of - datetime.timedelta(days=days)
    return [
        {"kind": kind, "on": on}
        for kind, on in sorted(
            {
                (event.kind, event.occurred_on.isoformat())
                for event in facts.registry_events
                if event.kind in REGISTRY_LABOUR_LOSS_KINDS
                and event.member_had_labour is not False
                and since <= event.occurred_on <= as_of
            }
        )
    ]


def labour_loss(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    lost = [
        event.kind
        for event in facts.latest_visit_events
        if event.kind in LABOUR_LOSS_KINDS and event.member_had_labour is not False
    ]
    registry = _registry_losses(facts, as_of, int(params["days"]))
    none_left = facts.active_members > 0 and facts.members_with_labour == 0
    if lost or registry or none_left:
        evidence: dict = {
            "members_with_labour": facts.members_with_labour,
            "events_since_previous_visit": sorted(set(lost)),
        }
        if registry:
            evidence["registry_events"] = registry
            evidence["days"] = params["days"]
        return evidence
    return None


def shock_event(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    if not facts.recent_events and not facts.registry_events:
        return None
    since = as_of - datetime.timedelta(days=params["days"])
    shocks = sorted(
        {
            (event.kind, event.occurred_on.isoformat())
            for event in facts.recent_events
            if event.kind in SHOCK_KINDS and since <= event.occurred_on <= as_of
        }
    )
    registry = sorted(
        {
            (event.kind, event.occurred_on.isoformat())
            for event in facts.registry_events
            if event.kind in REGISTRY_SHOCK_KINDS and since <= event.occurred_on <= as_of
        }
    )
    if shocks or registry:
        evidence: dict = {
            "events": [{"kind": kind, "on": on} for kind, on in shocks],
            "days": params["days"],
        }
        if registry:
            evidence["registry_events"] = [{"kind": kind, "on": on} for kind, on in registry]
        return evidence
    return None


def department_signal(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    if not facts.signals:
        return None
    since = as_of - datetime.timedelta(days=params["days"])
    recent = [s for s in facts.signals if since <= s.occurred_on <= as_of]
    if not recent:
        return None
    return {
        "signals": [
            {"id": s.id, "kind": s.kind, "on": s.occurred_on.isoformat(), "scope": s.scope}
            for s in sorted(recent, key=lambda s: (s.occurred_on, s.id))
        ],
        "days": params["days"],
    }


def department_signal_severity(evidence: dict, params: dict, default: str) -> str:
    """A signal reason is as severe as its most severe signal kind."""
    severities = [params["kind_severity"].get(s["kind"], default) for s in evidence["signals"]]
    return max(severities, key=SEVERITY_RANK.__getitem__)


def affected_area(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    """In an affected area, not (or not yet) found affected by the screening: a low note."""
    if not facts.area_notes:
        return None
    return {
        "area_events": [
            {
                "id": n.event_id,
                "kind": n.kind,
                "on": n.occurred_on.isoformat(),
                "screening": n.screening,
            }
            for n in sorted(facts.area_notes, key=lambda n: n.event_id)
        ]
    }


def visit_due_on(facts: Facts) -> datetime.date | None:
    """The day the household's next visit is due: its cadence counted from the latest visit, or
    from its registration when it was never visited. The one definition: the visit lists, the
    overdue counts (through `Household.next_visit_due`, written by the evaluation) and
    `visit_overdue` all read it."""
    since = facts.last_visit_on or facts.created_on
    if since is None:
        return None
    return since + datetime.timedelta(days=facts.cadence_days)


def visit_overdue(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    due = visit_due_on(facts)
    if due is None:
        return None
    late_after = due + datetime.timedelta(days=params["grace_days"])
    if as_of > late_after:
        return {
            "last_visit_on": facts.last_visit_on.isoformat() if facts.last_visit_on else None,
            "due_on": due.isoformat(),
            "cadence_days": facts.cadence_days,
            "grace_days": params["grace_days"],
            "overdue_days": (as_of - late_after).days,
        }
    return None


def weak_capacity(facts: Facts, as_of: datetime.date, params: dict) -> dict | None:
    """The latest capacity reading is below the threshold and recent enough to trust.

    Not for a household whose help is social security rather than development: one with no
    member of working age (its score is low because nobody can work, which no plan changes), or
    one under tekun support (the 2026 policy's tekun layer: no labour, no income, no one to rely
    on; `layers.py`). A dibao household with working-age members is warned: the policy asks that
    those able to work be helped into it."""
    score, measured_on = facts.capacity_score, facts.capacity_measured_on
    if score is None or measured_on is None:
        return None
    if measured_on > as_of or (as_of - measured_on).days > int(params["max_age_days"]):
        return None
    if facts.capacity_working_age == 0 or facts.tekun_members:
        return None
    below = int(params["below"])
    if score < below:
        return {"capacity_score": score, "measured_on": measured_on.isoformat(), "below": below}
    return None


@dataclass(frozen=True)
class Rule:
    code: str
    check: Callable[[Facts, datetime.date, dict], dict | None]
    severity: str
    weight: int
    params: dict


RULES: tuple[Rule, ...] = (
    Rule("income_below_line", income_below_line, HIGH, 40, {}),
    Rule("income_near_line", income_near_line, LOW, 10, {"factor": "1.2"}),
    Rule("income_drop", income_drop, MEDIUM, 20, {"drop": "0.30"}),
    Rule("rigid_spending", rigid_spending, HIGH, 35, {"share": "0.5"}),
    Rule("guarantee_gap", guarantee_gap, HIGH, 40, {}),
    Rule("labour_loss", labour_loss, HIGH, 30, {"days": 90}),
    Rule("shock_event", shock_event, MEDIUM, 20, {"days": 90}),
    Rule(
        "department_signal",
        department_signal,
        MEDIUM,
        25,
        {
            "days": 90,
            "kind_severity": {
                "large_medical_expense": HIGH,
                "assistance_granted": LOW,
                "assistance_cancelled": MEDIUM,
                "school_dropout": HIGH,
                "disability_certified": MEDIUM,
                "disaster_area": HIGH,
                "unemployment": MEDIUM,
                "death": HIGH,
                "migrant_work_drop": HIGH,
                "price_collapse": HIGH,
                # A household that cannot meet an instalment is short of cash now, but a late
                # payment alone is not a fall into poverty: checked, not judged high.
                "loan_overdue": MEDIUM,
            },
        },
    ),
    Rule("affected_area", affected_area, LOW, 5, {}),
    Rule("visit_overdue", visit_overdue, LOW, 5, {"grace_days": 15}),
    Rule("weak_capacity", weak_capacity, LOW, 5, {"below": 40, "max_age_days": 100}),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def default_settings() -> dict[str, RuleSetting]:
    return {
        rule.code: RuleSetting(True, rule.severity, rule.weight, dict(rule.params))
        for rule in RULES
    }


# One enabled rule as a chunk runs it: (code, check, severity, weight, params).
PlannedRule = tuple[str, Callable[[Facts, datetime.date, dict], dict | None], str, int, dict]


def plan(settings: dict[str, RuleSetting]) -> tuple[PlannedRule, ...]:
    """The enabled rules with their settings and parameters merged, in the order they run: what
    `evaluate` works out from the settings, worked out once for a county rather than once a
    household (monitoring.engine.policy.Policy.rule_plan)."""
    planned = []
    for rule in RULES:
        setting = settings.get(rule.code) or RuleSetting(True, rule.severity, rule.weight, {})
        if not setting.enabled:
            continue
        # Settings from Policy carry every parameter already; hand-made ones may carry a few.
        params = (
            setting.params
            if len(setting.params) >= len(rule.params)
            else {**rule.params, **setting.params}
        )
        planned.append((rule.code, rule.check, setting.severity, setting.weight, params))
    return tuple(planned)


def evaluate(facts: Facts, as_of: datetime.date, settings: dict[str, RuleSetting]) -> list[Reason]:
    """Every reason that fires for this household on this date, most severe first."""
    return evaluate_planned(facts, as_of, plan(settings))


def evaluate_planned(
    facts: Facts, as_of: datetime.date, planned: tuple[PlannedRule, ...]
) -> list[Reason]:
    """`evaluate` with its settings planned already (`plan`)."""
    reasons = []
    for code, check, severity, weight, params in planned:
        evidence = check(facts, as_of, params)
        if evidence is None:
            continue
        if code == "department_signal":
            severity = department_signal_severity(evidence, params, severity)
        reasons.append(Reason(code, severity, weight, evidence))
    if len(reasons) > 1:
        reasons.sort(key=lambda reason: (-SEVERITY_RANK[reason.severity], reason.code))
    return reasons


def level_of(reasons: list[Reason]) -> str:
    """The household's (or a warning's) level: its most severe reason, "none" without any."""
    if not reasons:
        return "none"
    return max((reason.severity for reason in reasons), key=SEVERITY_RANK.__getitem__)


def score_of(reasons: list[Reason]) -> int:
    return sum(reason.weight for reason in reasons)


def alert_reasons(reasons: list[Reason]) -> list[Reason]:
    """The reasons that put a household in front of a cadre: medium and high ones.

    Low reasons show on the household but do not put it in front of a cadre."""
    return [reason for reason in reasons if SEVERITY_RANK[reason.severity] >= OPENING_RANK]


def opens_alert(reasons: list[Reason]) -> bool:
    return bool(alert_reasons(reasons))


def _param(settings: dict[str, RuleSetting], code: str, name: str):
    params = settings[code].params
    return params[name] if name in params else RULES_BY_CODE[code].params[name]


def recheck_on(
    facts: Facts, as_of: datetime.date, settings: dict[str, RuleSetting]
) -> datetime.date:
    """The first day on which the passing of time alone could change what the rules say.

    Everything else that changes a verdict (a visit, a member, a signal, a line or a rule) asks
    for an evaluation itself, so a nightly scan need only judge the households whose day has come.
    """
    # A setting's own parameter, else the rule's default (read per household: no merged dicts).
    grace_days = int(_param(settings, "visit_overdue", "grace_days"))
    shock_days = int(_param(settings, "shock_event", "days"))
    loss_days = int(_param(settings, "labour_loss", "days"))
    signal_days = int(_param(settings, "department_signal", "days"))
    candidates = [datetime.date(as_of.year + 1, 1, 1)]  # a new year brings a new income line
    due = visit_due_on(facts)
    if due is not None:
        late_after = due + datetime.timedelta(days=grace_days)
        if late_after >= as_of:
            candidates.append(late_after + datetime.timedelta(days=1))
    for event in facts.recent_events:
        expiry = event.occurred_on + datetime.timedelta(days=shock_days + 1)
        if expiry > as_of:
            candidates.append(expiry)
    for event in facts.registry_events:
        # The later of the two windows it may fire in: as a loss of labour and as a shock.
        days = max(loss_days, shock_days if event.kind in REGISTRY_SHOCK_KINDS else 0)
        expiry = event.occurred_on + datetime.timedelta(days=days + 1)
        if expiry > as_of:
            candidates.append(expiry)
    for signal in facts.signals:
        expiry = signal.occurred_on + datetime.timedelta(days=signal_days + 1)
        if expiry > as_of:
            candidates.append(expiry)
    if facts.capacity_measured_on is not None:
        # A reading stops counting once it is too old (a new reading asks for its own evaluation).
        max_age = int(_param(settings, "weak_capacity", "max_age_days"))
        expiry = facts.capacity_measured_on + datetime.timedelta(days=max_age + 1)
        if expiry > as_of:
            candidates.append(expiry)
    return min(candidates)
