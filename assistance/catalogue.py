"""What the policy suggests: risk types from a warning's reasons, measures from risk types.

Both tables are suggestions a cadre starts from, never decisions: the proposal form is filled
from them and the case page lists them, and people choose.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from assistance.models import MeasureKind, OfferKind, RiskType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What an event or a department signal says about the cause of the risk.
_EVENT_RISKS = {
    "illness": RiskType.ILLNESS,
    "large_medical_expense": RiskType.ILLNESS,
    "disability": RiskType.DISABILITY,
    "disability_certified": RiskType.DISABILITY,
    "disaster": RiskType.DISASTER,
    "disaster_area": RiskType.DISASTER,
    "accident": RiskType.ACCIDENT,
    "business_failure": RiskType.FAILED_BUSINESS,
    "job_loss": RiskType.UNSTABLE_WORK,
    "unemployment": RiskType.UNSTABLE_WORK,
    "school_dropout": RiskType.SCHOOLING,
    "death": RiskType.LABOUR_SHORTAGE,
    # The registry's life events (`households.LifeEvent` kinds).
    "died": RiskType.LABOUR_SHORTAGE,
    "serious_illness": RiskType.ILLNESS,
    "labour_lost": RiskType.LABOUR_SHORTAGE,
}


def risk_types_from_reasons(reasons: list[dict]) -> list[str]:
    """The risk types a warning's reasons point to, in the order of RiskType."""
    found: set[str] = set()
    for reason in reasons:
        code, evidence = reason.get("code"), reason.get("evidence") or {}
        if code == "labour_loss":
            kinds = list(evidence.get("events_since_previous_visit") or [])
            kinds += [event.get("kind") for event in evidence.get("registry_events", [])]
            found.update(_EVENT_RISKS.get(kind, RiskType.LABOUR_SHORTAGE) for kind in kinds)
            if not kinds:
                found.add(RiskType.LABOUR_SHORTAGE)
        elif code == "shock_event":
            found.update(
                _EVENT_RISKS.get(event.get("kind"), RiskType.OTHER)
                for event in [*evidence.get("events", []), *evidence.get("registry_events", [])]
            )
        elif code == "department_signal":
            found.update(
                _EVENT_RISKS.get(signal.get("kind"), RiskType.OTHER)
                for signal in evidence.get("signals", [])
            )
        elif code == "income_drop":
            found.add(RiskType.UNSTABLE_WORK)
    return [value for value in RiskType.values if value in found] or [RiskType.OTHER]


@dataclass(frozen=True)
class Suggestion:
    kind: str
    title: "StrOrPromise"
    offer_kinds: tuple[str, ...] = ()  # partner offers that can carry it

    @property
    def kind_label(self) -> "StrOrPromise":
        return MeasureKind(self.kind).label


CATALOGUE: dict[str, tuple[Suggestion, ...]] = {
    RiskType.ILLNESS: (
        Suggestion(MeasureKind.HEALTH, _("Medical assistance for serious illness")),
        Suggestion(MeasureKind.HEALTH, _("Subsidy for basic medical insurance contributions")),
        Suggestion(MeasureKind.HEALTH, _("Family doctor contract service"), (OfferKind.SERVICES,)),
    ),
    RiskType.DISABILITY: (
        Suggestion(MeasureKind.SOCIAL_SECURITY, _("Living and nursing subsidies for disability")),
        Suggestion(MeasureKind.HEALTH, _("Rehabilitation service"), (OfferKind.SERVICES,)),
    ),
    RiskType.SCHOOLING: (
        Suggestion(MeasureKind.EDUCATION, _("Student financial aid"), (OfferKind.FUNDS,)),
        Suggestion(MeasureKind.EDUCATION, _("Return to school and keep in school")),
    ),
    RiskType.DISASTER: (
        Suggestion(MeasureKind.SOCIAL_SECURITY, _("Temporary relief")),
        Suggestion(MeasureKind.HOUSING, _("Rebuilding or repair of a damaged house")),
        Suggestion(MeasureKind.SOCIAL_HELP, _("Donated goods"), (OfferKind.GOODS,)),
    ),
    RiskType.ACCIDENT: (
        Suggestion(MeasureKind.SOCIAL_SECURITY, _("Temporary relief")),
        Suggestion(MeasureKind.SOCIAL_HELP, _("Charitable aid"), (OfferKind.FUNDS,)),
    ),
    RiskType.FAILED_BUSINESS: (
        Suggestion(MeasureKind.INDUSTRY, _("Industry support and technical guidance")),
        Suggestion(MeasureKind.MICRO_CREDIT, _("Micro-credit for lifted-out households")),
        Suggestion(MeasureKind.CONSUMPTION, _("Consumption support: buy the household's produce")),
    ),
    RiskType.UNSTABLE_WORK: (
        Suggestion(MeasureKind.EMPLOYMENT, _("Job placement"), (OfferKind.JOBS,)),
        Suggestion(MeasureKind.EMPLOYMENT, _("Skills training"), (OfferKind.TRAINING,)),
        Suggestion(MeasureKind.PUBLIC_POST, _("Public-welfare post"), (OfferKind.JOBS,)),
    ),
    RiskType.LABOUR_SHORTAGE: (
        Suggestion(MeasureKind.SOCIAL_SECURITY, _("Minimum living allowance or tekun support")),
        Suggestion(
            MeasureKind.SOCIAL_HELP, _("Care and help from volunteers"), (OfferKind.SERVICES,)
        ),
    ),
    RiskType.OTHER: (
        Suggestion(MeasureKind.MOTIVATION, _("Motivation and skills support")),
        Suggestion(MeasureKind.SOCIAL_SECURITY, _("Temporary relief")),
    ),
}


def suggestions_for(risk_types: list[str]) -> list[Suggestion]:
    seen, result = set(), []
    for risk_type in risk_types:
        for suggestion in CATALOGUE.get(risk_type, ()):
            key = (suggestion.kind, str(suggestion.title))
            if key not in seen:
                seen.add(key)
                result.append(suggestion)
    return result
