"""What the policy suggests: risk types from a warning's reasons, measures from risk types (the
national entries here; the table itself is data, `PolicyMeasure`, which counties extend).

Both are suggestions a cadre starts from, never decisions: the proposal form is filled
from them and the case page lists them, and people choose.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from assistance.models import Department, MeasureKind, OfferKind, RiskType

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
    department: str = ""
    typical_amount: Decimal | None = None
    national: bool = True  # the policy's own entry, or the county's (PolicyMeasure.region)

    @property
    def kind_label(self) -> "StrOrPromise":
        return MeasureKind(self.kind).label

    @property
    def department_label(self) -> "StrOrPromise":
        return Department(self.department).label if self.department else ""


def _national(risk_type, kind, title, department, offer_kinds=()) -> tuple:
    return (risk_type, kind, title, department, tuple(offer_kinds))


# The national entries of the policy catalogue (assistance.PolicyMeasure rows without a region),
# as migration 0018 seeded them: their titles are translated where they are shown, and a test
# keeps the two in step. A county adds its own entries as data; it does not change these.
NATIONAL_MEASURES: tuple[tuple, ...] = (
    _national(
        RiskType.ILLNESS,
        MeasureKind.HEALTH,
        _("Medical assistance for serious illness"),
        Department.MEDICAL_SECURITY,
    ),
    _national(
        RiskType.ILLNESS,
        MeasureKind.HEALTH,
        _("Subsidy for basic medical insurance contributions"),
        Department.MEDICAL_SECURITY,
    ),
    _national(
        RiskType.ILLNESS,
        MeasureKind.HEALTH,
        _("Family doctor contract service"),
        Department.HEALTH,
        (OfferKind.SERVICES,),
    ),
    _national(
        RiskType.DISABILITY,
        MeasureKind.SOCIAL_SECURITY,
        _("Living and nursing subsidies for disability"),
        Department.DISABLED_PERSONS,
    ),
    _national(
        RiskType.DISABILITY,
        MeasureKind.HEALTH,
        _("Rehabilitation service"),
        Department.DISABLED_PERSONS,
        (OfferKind.SERVICES,),
    ),
    _national(
        RiskType.SCHOOLING,
        MeasureKind.EDUCATION,
        _("Student financial aid"),
        Department.EDUCATION,
        (OfferKind.FUNDS,),
    ),
    _national(
        RiskType.SCHOOLING,
        MeasureKind.EDUCATION,
        _("Return to school and keep in school"),
        Department.EDUCATION,
    ),
    _national(
        RiskType.DISASTER,
        MeasureKind.SOCIAL_SECURITY,
        _("Temporary relief"),
        Department.CIVIL_AFFAIRS,
    ),
    _national(
        RiskType.DISASTER,
        MeasureKind.HOUSING,
        _("Rebuilding or repair of a damaged house"),
        Department.HOUSING,
    ),
    _national(
        RiskType.DISASTER,
        MeasureKind.SOCIAL_HELP,
        _("Donated goods"),
        Department.EMERGENCY,
        (OfferKind.GOODS,),
    ),
    _national(
        RiskType.ACCIDENT,
        MeasureKind.SOCIAL_SECURITY,
        _("Temporary relief"),
        Department.CIVIL_AFFAIRS,
    ),
    _national(
        RiskType.ACCIDENT,
        MeasureKind.SOCIAL_HELP,
        _("Charitable aid"),
        Department.CIVIL_AFFAIRS,
        (OfferKind.FUNDS,),
    ),
    _national(
        RiskType.FAILED_BUSINESS,
        MeasureKind.INDUSTRY,
        _("Industry support and technical guidance"),
        Department.RURAL_REVITALISATION,
    ),
    _national(
        RiskType.FAILED_BUSINESS,
        MeasureKind.MICRO_CREDIT,
        _("Micro-credit for lifted-out households"),
        Department.RURAL_REVITALISATION,
    ),
    _national(
        RiskType.FAILED_BUSINESS,
        MeasureKind.CONSUMPTION,
        _("Consumption support: buy the household's produce"),
        Department.RURAL_REVITALISATION,
    ),
    _national(
        RiskType.UNSTABLE_WORK,
        MeasureKind.EMPLOYMENT,
        _("Job placement"),
        Department.HUMAN_RESOURCES,
        (OfferKind.JOBS,),
    ),
    _national(
        RiskType.UNSTABLE_WORK,
        MeasureKind.EMPLOYMENT,
        _("Skills training"),
        Department.HUMAN_RESOURCES,
        (OfferKind.TRAINING,),
    ),
    _national(
        RiskType.UNSTABLE_WORK,
        MeasureKind.PUBLIC_POST,
        _("Public-welfare post"),
        Department.HUMAN_RESOURCES,
        (OfferKind.JOBS,),
    ),
    _national(
        RiskType.LABOUR_SHORTAGE,
        MeasureKind.SOCIAL_SECURITY,
        _("Minimum living allowance or tekun support"),
        Department.CIVIL_AFFAIRS,
    ),
    _national(
        RiskType.LABOUR_SHORTAGE,
        MeasureKind.SOCIAL_HELP,
        _("Care and help from volunteers"),
        Department.CIVIL_AFFAIRS,
        (OfferKind.SERVICES,),
    ),
    _national(
        RiskType.OTHER,
        MeasureKind.MOTIVATION,
        _("Motivation and skills support"),
        Department.RURAL_REVITALISATION,
    ),
    _national(
        RiskType.OTHER, MeasureKind.SOCIAL_SECURITY, _("Temporary relief"), Department.CIVIL_AFFAIRS
    ),
)
