"""The layer of one household in the 2026 policy's one account (分层分类): a pure function of its
facts and its region's assistance standards, beside the rules and run with them.

Each test that a household meets is a reason, with the figures it was judged on; the household's
layer is that of its first reason in the order below, from the most in need. So a monitored
household that also receives dibao is in the dibao layer, and its reasons say it is monitored too.

The income tests read the latest visit's per-capita net income over the last twelve months and its
compliant rigid spending (medical, schooling: what the visit form counts as 合规刚性支出), as the
rules do. A household never visited is judged on its members' dibao and tekun only.
"""

from dataclasses import dataclass
from decimal import Decimal

from monitoring.engine.rules import Facts

TEKUN, DIBAO, DIBAO_EDGE, RIGID_SPENDING, MONITORED, NONE = (
    "tekun",
    "dibao",
    "dibao_edge",
    "rigid_spending",
    "monitored",
    "none",
)
LAYER_ORDER = (TEKUN, DIBAO, DIBAO_EDGE, RIGID_SPENDING, MONITORED)
# The layer each reason puts a household in.
LAYER_OF_REASON = {
    "tekun_member": TEKUN,
    "dibao_member": DIBAO,
    "below_dibao": DIBAO,
    "below_edge": DIBAO_EDGE,
    "rigid_spending": RIGID_SPENDING,
    "monitored": MONITORED,
}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Standard:
    """A region's standards of one year, yuan per person per year."""

    dibao: Decimal
    tekun: Decimal
    edge_multiple: Decimal
    year: int

    @property
    def edge_line(self) -> Decimal:
        return (self.dibao * self.edge_multiple).quantize(CENT)


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def layer_reasons(facts: Facts, standard: Standard | None) -> list[dict]:
    """Every test the household meets, each a code and the figures it was judged on."""
    reasons: list[dict] = []
    if facts.tekun_members:
        reasons.append({"code": "tekun_member", "members": facts.tekun_members})
    if facts.dibao_members:
        reasons.append({"code": "dibao_member", "members": facts.dibao_members})
    income = facts.per_capita_income
    if standard is not None and income is not None:
        figures = {"income": _money(income), "year": standard.year}
        if income < standard.dibao:
            # Eligible by income; whether it receives dibao is the members' flags (a reason of
            # its own when it does), so the page can say "not receiving: refer it".
            reasons.append(
                {
                    "code": "below_dibao",
                    "standard": _money(standard.dibao),
                    "receiving": bool(facts.dibao_members or facts.tekun_members),
                    **figures,
                }
            )
        elif income < standard.edge_line:
            reasons.append(
                {
                    "code": "below_edge",
                    "line": _money(standard.edge_line),
                    "multiple": str(standard.edge_multiple),
                    **figures,
                }
            )
        else:
            left = _left_after_rigid_spending(facts)
            if left is not None and left < standard.edge_line:
                reasons.append(
                    {
                        "code": "rigid_spending",
                        "spending": _money(facts.rigid_spending or Decimal(0)),
                        "left": _money(left),
                        "line": _money(standard.edge_line),
                        **figures,
                    }
                )
    if facts.monitored:
        reasons.append({"code": "monitored", "category": facts.monitored_category})
    return reasons


def _left_after_rigid_spending(facts: Facts) -> Decimal | None:
    """Per-capita income once the year's compliant rigid spending is paid, or None when the visit
    recorded no spending or nobody sharing the income."""
    if not facts.rigid_spending or not facts.household_size or facts.total_net_income is None:
        return None
    return ((facts.total_net_income - facts.rigid_spending) / facts.household_size).quantize(CENT)


def layer_of(reasons: list[dict]) -> str:
    layers = {LAYER_OF_REASON[reason["code"]] for reason in reasons}
    return next((layer for layer in LAYER_ORDER if layer in layers), NONE)


def assess(facts: Facts, standard: Standard | None) -> tuple[str, list[dict]]:
    """(layer, reasons) of one household."""
    reasons = layer_reasons(facts, standard)
    return layer_of(reasons), reasons
