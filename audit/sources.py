"""Where the audit view reads each kind of event, and how each is kept to the viewer's region.

Every pghistory event table is a source of writes. Its rows are scoped by the region code that
the written object hangs from (a member by its household's village, a step by its case's
household, a user by the user's region): WRITE_SCOPES says which, for every tracked model, and a
test fails when a newly tracked model is missing here, so nothing is shown unscoped.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model


@dataclass(frozen=True)
class WriteScope:
    # Foreign keys to a Region, or fields holding a region's code (named *_code), any of which
    # may place the row; none: national data every reader of the trail may see (the calendar).
    region_paths: tuple[str, ...]
    household_path: str | None = None  # to the household number, for the object filter
    national_default: bool = False  # a row without a region is the national default: shown


WRITE_SCOPES: dict[str, WriteScope] = {
    "households.Household": WriteScope(("village",), "number"),
    "households.Member": WriteScope(("household__village",), "household__number"),
    "monitoring.Visit": WriteScope(("household__village",), "household__number"),
    "monitoring.VisitEvent": WriteScope(("visit__household__village",), "visit__household__number"),
    "monitoring.Signal": WriteScope(("household__village", "region"), "household__number"),
    "monitoring.Alert": WriteScope(("household__village",), "household__number"),
    "monitoring.AlertEvent": WriteScope(("alert__household__village",), "alert__household__number"),
    "monitoring.AreaEvent": WriteScope(("region",)),
    "monitoring.ScreeningTask": WriteScope(("household__village",), "household__number"),
    "monitoring.VisitCadence": WriteScope(("region",), national_default=True),
    "monitoring.IncomeLine": WriteScope(("region",), national_default=True),
    "monitoring.AssistanceStandard": WriteScope(("region",), national_default=True),
    "monitoring.RuleConfig": WriteScope(("region",), national_default=True),
    "monitoring.CapacityWeights": WriteScope(("region",), national_default=True),
    "pairings.PairingPolicy": WriteScope(("region",), national_default=True),
    "pairings.Pairing": WriteScope(("household__village",), "household__number"),
    "pairings.Contact": WriteScope(("household__village",), "household__number"),
    "assistance.Case": WriteScope(("household__village",), "household__number"),
    "assistance.CaseStep": WriteScope(("case__household__village",), "case__household__number"),
    "assistance.CivilAffairsReferral": WriteScope(
        ("case__household__village",), "case__household__number"
    ),
    "assistance.CivilAffairsRoster": WriteScope(("region",)),
    "assistance.CivilAffairsRosterEntry": WriteScope(("roster__region",), "household__number"),
    "assistance.Measure": WriteScope(("case__household__village",), "case__household__number"),
    "assistance.Need": WriteScope(("village",), "case__household__number"),
    "assistance.Delegation": WriteScope(("region",)),
    "assistance.ReferralPolicy": WriteScope(("region",), national_default=True),
    "assistance.PolicyMeasure": WriteScope(("region",), national_default=True),
    "assistance.DeadlineProfile": WriteScope(("region_code",), national_default=True),
    "assistance.CalendarDay": WriteScope(()),
    "assistance.CaseComment": WriteScope(("case__household__village",), "case__household__number"),
    "assistance.Partner": WriteScope(("area",)),
    "assistance.PartnerOffer": WriteScope(("partner__area",)),
    "livelihoods.WorkRecord": WriteScope(("household__village",), "household__number"),
    "livelihoods.WelfarePost": WriteScope(("household__village",), "household__number"),
    "livelihoods.PostPayment": WriteScope(("post__household__village",), "post__household__number"),
    "livelihoods.IndustrySupport": WriteScope(("household__village",), "household__number"),
    "livelihoods.IndustryPayment": WriteScope(
        ("support__household__village",), "support__household__number"
    ),
    "livelihoods.InsuranceClaim": WriteScope(("household__village",), "household__number"),
    "livelihoods.MicroLoan": WriteScope(("household__village",), "household__number"),
    "livelihoods.LoanInstalment": WriteScope(
        ("loan__household__village",), "loan__household__number"
    ),
    "livelihoods.LoanPayment": WriteScope(("loan__household__village",), "loan__household__number"),
    "development.DevelopmentPlan": WriteScope(("household__village",), "household__number"),
    "development.PlanGoal": WriteScope(("plan__household__village",), "plan__household__number"),
    "development.PlanCommitment": WriteScope(
        ("plan__household__village",), "plan__household__number"
    ),
    "development.PlanReview": WriteScope(("plan__household__village",), "plan__household__number"),
    "development.ReviewItem": WriteScope(
        ("review__plan__household__village",), "review__plan__household__number"
    ),
    "self_reports.SelfReport": WriteScope(("village",), "household__number"),
    "accounts.User": WriteScope(("region",)),
    "accounts.User_groups": WriteScope(("user__region",)),
    "accounts.User_user_permissions": WriteScope(("user__region",)),
}


def event_models() -> list[type[Model]]:
    """Every pghistory event table, in a fixed order (the order breaks ties between sources)."""
    from pghistory.models import Event

    models = [
        model
        for model in apps.get_models()
        if issubclass(model, Event) and not model._meta.proxy and model._meta.managed
    ]
    return sorted(models, key=lambda model: model._meta.label)


def scope_of(model) -> WriteScope:
    return WRITE_SCOPES[model.pgh_tracked_model._meta.label]
