"""The county's policy as data: income lines, assistance standards, visit cadences, rule settings
and capacity weights, by region.

Each is looked up from the household's nearest region that has one (village, township, county,
city, province) and then the national default (a row without region). The tables are small, so a
`Policy` loads them once and answers for every household of a chunk from memory, and
`Policy.current()` keeps one per process for as long as none of them changes.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from django.db import connection

from core.regions import full_code, nearest_first
from monitoring.engine import rules
from monitoring.engine.capacity import COMPONENTS, CapacityWeights
from monitoring.engine.layers import Standard
from monitoring.models import (  # type: ignore[attr-defined]  # pghistory's event models
    AssistanceStandard,
    AssistanceStandardEvent,
    CadenceKind,
    CapacityWeightsEvent,
    IncomeLine,
    IncomeLineEvent,
    RuleConfig,
    RuleConfigEvent,
    VisitCadence,
    VisitCadenceEvent,
)
from monitoring.models import CapacityWeights as CapacityWeightsRow

DEFAULT_CADENCE_DAYS: dict[str, int] = {
    CadenceKind.MONITORED: 30,
    CadenceKind.ELIMINATED: 60,
    CadenceKind.LIFTED_OUT: 90,
    CadenceKind.ORDINARY: 365,
}


@lru_cache(maxsize=4096)
def _regions_nearest_first(village_code: str) -> list[str | None]:
    """The village's own code, then each region above it, then None for the national default."""
    return [*nearest_first(village_code), None]


@dataclass(frozen=True)
class LineFor:
    amount: Decimal
    year: int
    region_code: str | None


Row = TypeVar("Row")


def _nearest_of_year(
    rows: dict[tuple[str | None, int], Row], years: list[int], village_code: str, as_of_year: int
) -> tuple[Row, int, str | None] | None:
    """The row of the as-of year from the nearest region that set one; failing any for that year,
    the latest earlier year's, again nearest first."""
    nearest_first = _regions_nearest_first(village_code)
    for year in (y for y in years if y <= as_of_year):
        for region in nearest_first:
            row = rows.get((region, year))
            if row is not None:
                return row, year, region
    return None


# Every insert, update and delete of a policy table writes a row to its pghistory event table
# (settings.PGHISTORY_DEFAULT_TRACKERS) in the writer's transaction, whoever the writer is: a
# service, the admin, the API, an import, a fixture, raw SQL. Its number comes from a sequence and
# is not handed out again, even by a transaction rolled back; its time as well, for a sequence set
# back by hand (a restore, a test database reloaded). The latest number alone would miss a change
# committed after a later-numbered one (two writers at once: the one holding the earlier number
# commits last), so each table's count of events is part of it too: every commit adds to it. One
# statement over five small append-only tables.
POLICY_HISTORY = (
    IncomeLineEvent,
    AssistanceStandardEvent,
    VisitCadenceEvent,
    RuleConfigEvent,
    CapacityWeightsEvent,
)
FINGERPRINT_SQL = "SELECT " + ", ".join(
    f"(SELECT count(*) || ' ' || max(pgh_id) || ' ' || max(pgh_created_at)"
    f" FROM {model._meta.db_table})"
    for model in POLICY_HISTORY
)
_current: tuple[tuple, "Policy"] | None = None


def policy_fingerprint() -> tuple:
    """Changes whenever a row of a policy table changes, in any process."""
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL)
        return (connection.settings_dict["NAME"], *cursor.fetchone())


class Policy:
    @classmethod
    def current(cls) -> "Policy":
        """Today's policy, loaded again only when one of its tables has changed since this process
        last loaded it: the fingerprint is read before the tables, so what is kept is never older
        than the fingerprint it is kept under (a change committed in between is loaded now and
        loaded again next time). A policy is only read once built; its memos hold what its
        tables give, so sharing one between evaluations and threads is safe."""
        global _current
        fingerprint = policy_fingerprint()
        kept = _current
        if kept is not None and kept[0] == fingerprint:
            return kept[1]
        policy = cls()
        _current = (fingerprint, policy)
        return policy

    def __init__(self, *, rule_configs: list[RuleConfig] | None = None) -> None:
        """`rule_configs` stands in for today's rule settings: those of a past date rebuilt from
        their history, for the backtest's replay."""
        self._lines: dict[tuple[str | None, int], IncomeLine] = {
            (line.region_id, line.year): line for line in IncomeLine.objects.all()
        }
        self._years = sorted({year for _, year in self._lines}, reverse=True)
        self._standards: dict[tuple[str | None, int], AssistanceStandard] = {
            (row.region_id, row.year): row for row in AssistanceStandard.objects.all()
        }
        self._standard_years = sorted({year for _, year in self._standards}, reverse=True)
        self._standard_cache: dict[tuple[str, int], Standard | None] = {}
        self._cadences = {(row.region_id, row.kind): row.days for row in VisitCadence.objects.all()}
        self._configs: dict[tuple[str, str | None], RuleConfig] = {
            (row.code, row.region_id): row
            for row in (RuleConfig.objects.all() if rule_configs is None else rule_configs)
        }
        self._settings_cache: dict[str, dict[str, rules.RuleSetting]] = {}
        self._plan_cache: dict[str, tuple[rules.PlannedRule, ...]] = {}
        # A chunk asks the same few questions for thousands of households of a few villages.
        self._line_cache: dict[tuple[str, int], LineFor | None] = {}
        self._cadence_cache: dict[tuple[str, str], int] = {}

    def income_line(self, village_code: str, as_of: datetime.date) -> LineFor | None:
        """The line of the as-of year from the nearest region that set one; failing any for
        that year, the latest earlier year's, again nearest first."""
        key = (village_code, as_of.year)
        if key not in self._line_cache:
            self._line_cache[key] = self._income_line(village_code, as_of.year)
        return self._line_cache[key]

    def _income_line(self, village_code: str, as_of_year: int) -> LineFor | None:
        found = _nearest_of_year(self._lines, self._years, village_code, as_of_year)
        if found is None:
            return None
        line, year, region = found
        return LineFor(line.amount, year, region)

    def standard(self, village_code: str, as_of: datetime.date) -> Standard | None:
        """The assistance standards of the as-of year, looked up as the income line is."""
        key = (village_code, as_of.year)
        if key not in self._standard_cache:
            found = _nearest_of_year(
                self._standards, self._standard_years, village_code, as_of.year
            )
            self._standard_cache[key] = (
                None
                if found is None
                else Standard(found[0].dibao, found[0].tekun, found[0].edge_multiple, found[1])
            )
        return self._standard_cache[key]

    def cadence_days(self, village_code: str, kind: str) -> int:
        key = (village_code, kind)
        if key not in self._cadence_cache:
            self._cadence_cache[key] = self._cadence_days(village_code, kind)
        return self._cadence_cache[key]

    def _cadence_days(self, village_code: str, kind: str) -> int:
        for region in _regions_nearest_first(village_code):
            days = self._cadences.get((region, kind))
            if days is not None:
                return days
        return DEFAULT_CADENCE_DAYS[kind]

    def rule_settings(self, village_code: str) -> dict[str, rules.RuleSetting]:
        """Settings are set for a county or above, so one county shares one set."""
        county = village_code[:6]
        if county not in self._settings_cache:
            settings = rules.default_settings()
            # Broadest first, so that the nearest region's row wins.
            for region in reversed(_regions_nearest_first(full_code(county))):
                for code in list(settings):
                    row = self._configs.get((code, region))
                    if row is not None:
                        settings[code] = rules.RuleSetting(
                            row.enabled,
                            row.severity,
                            row.weight,
                            {**settings[code].params, **row.params},
                        )
            self._settings_cache[county] = settings
        return self._settings_cache[county]

    def rule_plan(self, village_code: str) -> tuple[rules.PlannedRule, ...]:
        """The county's settings planned for `rules.evaluate_planned` (a chunk's households share
        a county)."""
        county = village_code[:6]
        if county not in self._plan_cache:
            self._plan_cache[county] = rules.plan(self.rule_settings(village_code))
        return self._plan_cache[county]

    def capacity_weights(self, village_code: str) -> tuple[CapacityWeights, int | None]:
        """The capacity weights of the nearest region that set them, else the national default,
        else the code's defaults; and the row's id (None for the code's). Loaded on first use
        only: the scans never ask."""
        if not hasattr(self, "_weights"):
            self._weights: dict[str | None, CapacityWeightsRow] = {
                row.region_id: row for row in CapacityWeightsRow.objects.all()
            }
            self._weights_cache: dict[str, tuple[CapacityWeights, int | None]] = {}
        if village_code not in self._weights_cache:
            found: tuple[CapacityWeights, int | None] = (CapacityWeights(), None)
            for region in _regions_nearest_first(village_code):
                row = self._weights.get(region)
                if row is not None:
                    values = {code: getattr(row, code) for code in COMPONENTS}
                    found = (CapacityWeights(**values, version=row.version), row.pk)
                    break
            self._weights_cache[village_code] = found
        return self._weights_cache[village_code]

    def lookback_days(self) -> int:
        """How far back any rule looks at events and signals, for loading them once."""
        days = [90]
        for (code, _), row in self._configs.items():
            if code in ("shock_event", "department_signal", "labour_loss") and "days" in row.params:
                days.append(int(row.params["days"]))
        return max(days)


def cadence_kind(*, poverty_status: str, is_monitored: bool, risk_eliminated: bool = False) -> str:
    if is_monitored:
        return CadenceKind.MONITORED
    # Followed more closely than before the case, less than while it was open.
    if risk_eliminated:
        return CadenceKind.ELIMINATED
    return CadenceKind.LIFTED_OUT if poverty_status == "lifted_out" else CadenceKind.ORDINARY
