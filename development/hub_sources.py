"""The household development plan on the household page (households.hub): its agreement and
reviews on the timeline, and the buttons 一户一策 (start one, or open the household's) and
明白卡. Plans are read by those who may read them (`plans_visible_to`: never partners)."""

from django.db.models import Count, Window
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.display import data as marked
from development.models import PlanReview, PlanStatus
from development.selectors.plans import household_plans_for
from households.hub import EntryPage, HubAction, HubSource, TimelineEntry, register
from households.models import Household

PLAN = "plan"
OUTCOME_CLASS = {PlanStatus.AGREED: "hub-state hub-state-ok"}


def plan_entries(user, household: Household, limit: int) -> EntryPage:
    agreed = [plan for plan in household_plans_for(user, household) if plan.agreed_on]
    entries = [
        TimelineEntry(
            kind=PLAN,
            on=plan.agreed_on,
            at=plan.created_at,
            title=_("Development plan agreed"),
            outcome=plan.get_status_display(),
            outcome_class="hub-state hub-state-ok"
            if plan.status == PlanStatus.AGREED
            else "hub-state",
            url=reverse("plan-detail", args=[plan.pk]),
        )
        for plan in agreed
        if plan.agreed_on  # always, as filtered above: said again for the type checker
    ]
    # The count rides on the rows read (a window), not on a statement of its own; a household
    # that never agreed a plan has no reviews to read.
    reviews = (
        list(
            PlanReview.objects.filter(plan__in=[plan.pk for plan in agreed])
            .select_related("reviewed_by")
            .annotate(total=Window(Count("pk")))
            .order_by("-reviewed_on", "-id")[:limit]
        )
        if agreed
        else []
    )
    total = len(entries) + (reviews[0].total if reviews else 0)
    for review in reviews:
        entries.append(
            TimelineEntry(
                kind=PLAN,
                on=review.reviewed_on,
                at=review.created_at,
                title=_("Development plan reviewed"),
                detail=marked(review.reviewed_by.display_name),
                url=reverse("plan-detail", args=[review.plan_id]),
            )
        )
    entries.sort(key=lambda entry: entry.on, reverse=True)
    return EntryPage(entries[:limit], total)


def plan_actions(user, household: Household) -> list[HubAction]:
    if not user.has_perm("development.view_developmentplan"):
        return []
    actions = [
        HubAction(
            key="card",
            label=_("Household card"),
            url=reverse("household-card", args=[household.pk]),
            order=90,
        )
    ]
    plan = next((plan for plan in household_plans_for(user, household) if plan.is_open), None)
    if plan is not None:
        actions.append(
            HubAction(
                key="plan",
                label=_("Development plan"),
                url=reverse("plan-detail", args=[plan.pk]),
                order=45,
            )
        )
    elif user.has_perm("development.add_developmentplan"):
        actions.append(
            HubAction(
                key="plan",
                label=_("Start a development plan"),
                url=reverse("plan-create", args=[household.pk]),
                order=45,
                primary=bool(household.is_monitored),
            )
        )
    return actions


def register_sources() -> None:
    register(
        HubSource(
            key=PLAN,
            label=pgettext_lazy("household timeline", "Development plan"),
            order=60,
            entries=plan_entries,
            actions=plan_actions,
        )
    )
