"""One condition of risk elimination as judged (`Item`), and the words it is shown in.

Apart from `assistance.eligibility`, which judges, so that a case step (a model) can read back a
stored verdict without importing the judge, which itself reads cases.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.labels import CHECK_LABELS

LABELS = {
    "enrolled_six_months": gettext_lazy("At least six months since enrolment"),
    "measure_delivered": gettext_lazy("At least one measure delivered"),
    "income_above_line": gettext_lazy(
        "Stable income: per-capita income at or above the line on every visit of the last six "
        "months, and enough visits to show it"
    ),
    "guarantees_met": gettext_lazy(
        "Food, clothing, education, medical care, housing and water all secured"
    ),
    "rigid_spending_resolved": gettext_lazy(
        "Rigid spending no longer pushes the household below the line"
    ),
    "has_labour": gettext_lazy("At least one member able to work"),
    "not_in_tekun": gettext_lazy("Not in tekun support"),
}


@dataclass(frozen=True)
class Item:
    """One condition, with the figures it was judged on. The words are made when shown, in the
    reader's language, so that a stored verdict reads right for everyone who opens it later."""

    code: str
    passed: bool
    facts: dict = field(default_factory=dict)  # JSON-ready: dates and amounts as strings

    @property
    def label(self) -> str:
        return str(LABELS.get(self.code, self.code))

    @property
    def detail(self) -> str:
        return _DETAILS[self.code](self.facts) if self.code in _DETAILS else ""

    def as_json(self) -> dict:
        return {"code": self.code, "passed": self.passed, "facts": self.facts}

    @classmethod
    def from_json(cls, data: dict) -> "Item":
        return cls(data.get("code", ""), bool(data.get("passed")), data.get("facts") or {})


def _day(value) -> str:
    """A stored ISO date as the reader's language writes it (2026年5月6日)."""
    try:
        return date_format(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _amount(value) -> str:
    """A stored amount grouped by thousands (10,758.20); its unit is in the sentence."""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"
    except (InvalidOperation, ValueError):
        return str(value)


def _enrolled_detail(facts: dict) -> str:
    if not facts.get("enrolled_on"):
        return _("Not enrolled yet.")
    return _("Enrolled on %(date)s; six months are complete on %(due)s.") % {
        "date": _day(facts["enrolled_on"]),
        "due": _day(facts["complete_on"]),
    }


def _income_detail(facts: dict) -> str:
    if facts.get("line") is None:
        return _("No monitoring income line is set for this year.")
    # Verdicts stored before the span and the visits needed were recorded name neither.
    span = (
        _("from %(since)s to %(until)s")
        % {"since": _day(facts["since"]), "until": _day(facts["until"])}
        if facts.get("since")
        else _("in the last six months")
    )
    if facts.get("below"):
        return _("Below the line of %(line)s yuan on %(dates)s.") % {
            "line": _amount(facts["line"]),
            # Translators: between the items of a list ("、" in Chinese).
            "dates": _(", ").join(
                f"{_day(day)} ({_amount(amount)})" for day, amount in facts["below"]
            ),
        }
    if not facts.get("visits") and not facts.get("since"):
        return _("No visit in the last six months.")
    needed = facts.get("needed", 1)
    if facts.get("visits", 0) < needed:
        return _(
            "%(count)d visit(s) %(span)s; stable income needs at least %(needed)d, each at or "
            "above the line of %(line)s yuan."
        ) % {
            "count": facts.get("visits", 0),
            "span": span,
            "needed": needed,
            "line": _amount(facts["line"]),
        }
    return _("%(count)d visit(s) %(span)s, the lowest %(lowest)s yuan; line %(line)s.") % {
        "count": facts["visits"],
        "span": span,
        "lowest": _amount(facts["lowest"]),
        "line": _amount(facts["line"]),
    }


def _checks_detail(facts: dict) -> str:
    if not facts.get("latest_visit_on"):
        return _("No visit recorded.")
    if facts.get("failed_checks"):
        return _("Not secured on the latest visit (%(date)s): %(checks)s.") % {
            "date": _day(facts["latest_visit_on"]),
            "checks": ", ".join(str(CHECK_LABELS.get(c, c)) for c in facts["failed_checks"]),
        }
    return _("All five secured on the latest visit (%(date)s).") % {
        "date": _day(facts["latest_visit_on"])
    }


def _rigid_detail(facts: dict) -> str:
    if not facts.get("spending"):
        return _("No heavy rigid spending on the latest visit.")
    return _("Rigid spending %(spending)s yuan leaves %(after)s yuan per person.") % {
        "spending": _amount(facts["spending"]),
        "after": _amount(facts.get("after")),
    }


_DETAILS = {
    "enrolled_six_months": _enrolled_detail,
    "measure_delivered": lambda facts: (
        _("%(count)d measure(s) delivered.") % {"count": facts.get("count", 0)}
    ),
    "income_above_line": _income_detail,
    "guarantees_met": _checks_detail,
    "rigid_spending_resolved": _rigid_detail,
    "has_labour": lambda facts: (
        _("%(count)d member(s) able to work.") % {"count": facts.get("count", 0)}
    ),
    "not_in_tekun": lambda facts: (
        _("In tekun support: the household stays monitored and its measures continue.")
        if facts.get("tekun")
        else _("Not in tekun support.")
    ),
}
