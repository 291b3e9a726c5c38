"""The report's rows, as the page, the API's readers and the command show them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from backtests.models import BacktestRun
from monitoring.labels import RULE_LABELS

FIGURES = (
    ("flagged", _("Flagged")),
    ("hits", _("Foreseen")),
    ("lead_days_median", _("Days earlier (median)")),
    ("misses", _("Missed")),
    ("false_alarms", _("False alarms")),
    ("dismissed", _("Of which dismissed")),
    ("precision", _("Precision")),
    ("recall", _("Recall")),
)


@dataclass
class Row:
    code: str
    label: str
    configs: list[str]
    # Per figure: its label and its value under each configuration, in `configs`' order.
    lines: list[tuple[str, list[str]]]


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value <= 1 and not value.is_integer():
        return f"{value:.0%}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def report_rows(run: BacktestRun, *, overall: bool = False) -> list[Row]:
    configs = (run.figures or {}).get("configs", {})
    if not configs:
        return []
    codes = ["all"] if overall else list(run.figures.get("rule_codes", []))
    rows = []
    for code in codes:
        figures = {
            name: config["all"] if code == "all" else config["rules"].get(code, {})
            for name, config in configs.items()
        }
        lines = [
            (str(label), [_shown(figures[name].get(key)) for name in configs])
            for key, label in FIGURES
        ]
        label = _("All rules") if code == "all" else RULE_LABELS.get(code, code)
        rows.append(Row(code, str(label), list(configs), lines))
    return rows
