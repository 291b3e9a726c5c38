"""Reads of household development plans, scoped by region (core/scope.py), and the share of
commitments kept that the household's capacity indicator reads (unscoped: its caller scopes)."""

import datetime
from dataclasses import dataclass, field

import pghistory.models
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from assistance.models import Measure, MeasureStatus
from core.scope import Scope
from development.models import (
    CommitmentRating,
    DevelopmentPlan,
    Party,
    PlanCommitment,
    PlanGoal,
    PlanReview,
    PlanStatus,
    ReviewItem,
)
from development.models.plans import OPEN_STATUSES
from households.hub import shared_read
from households.models import Household, Member
from monitoring.models import Visit

# What a rating of a household's commitment counts for in the share kept.
KEPT_WEIGHT: dict[str, float] = {
    CommitmentRating.KEPT.value: 1.0,
    CommitmentRating.PARTLY.value: 0.5,
    CommitmentRating.NOT_KEPT.value: 0.0,
}


def plans_visible_to(user) -> QuerySet[DevelopmentPlan]:
    """The plans of the user's region; partners' users see none (their role lacks the right)."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("development.view_developmentplan"):
        return DevelopmentPlan.objects.none()
    return DevelopmentPlan.objects.filter(scope.q("household__village__code"))


def plan_get(*, user, pk) -> DevelopmentPlan:
    try:
        return (
            plans_visible_to(user).select_related("household__village__parent", "case").get(pk=pk)
        )
    except (DevelopmentPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def household_plans_for(user, household: Household) -> list[DevelopmentPlan]:
    """The household's plans the viewer may read, newest first, read once for the household's
    page (households.hub.shared_read): its timeline, its buttons and its plan section each asked
    for them with a statement of their own."""
    return shared_read(
        user, household, "plans", lambda: list(plans_visible_to(user).filter(household=household))
    )


def open_plan_of(household: Household) -> DevelopmentPlan | None:
    return household.development_plans.filter(status__in=OPEN_STATUSES).first()


def latest_plan_of(household: Household) -> DevelopmentPlan | None:
    """The open plan, else the last closed one."""
    return open_plan_of(household) or household.development_plans.order_by("-id").first()


def with_contents(queryset: QuerySet[DevelopmentPlan]) -> QuerySet[DevelopmentPlan]:
    """Plans with their goals, commitments and reviews read in a few queries."""
    return queryset.select_related("household", "consent_member", "case").prefetch_related(
        Prefetch("goals", PlanGoal.objects.select_related("member").order_by("id")),
        Prefetch(
            "commitments",
            PlanCommitment.objects.select_related("member", "measure", "goal").order_by("id"),
        ),
        Prefetch(
            "reviews",
            PlanReview.objects.select_related("reviewed_by", "visit")
            .prefetch_related(
                Prefetch(
                    "items", ReviewItem.objects.select_related("goal", "commitment").order_by("id")
                )
            )
            .order_by("-reviewed_on", "-id"),
        ),
    )


@dataclass
class GoalRow:
    goal: PlanGoal
    household: list[PlanCommitment] = field(default_factory=list)
    assistance: list[PlanCommitment] = field(default_factory=list)


def goal_rows(plan: DevelopmentPlan) -> list[GoalRow]:
    """Each goal with its commitments side by side: the household's | the assistance's."""
    rows = {goal.pk: GoalRow(goal) for goal in plan.goals.all()}
    for commitment in plan.commitments.all():
        row = rows.get(commitment.goal_id)
        if row is None:
            continue
        if commitment.party == Party.HOUSEHOLD:
            row.household.append(commitment)
        else:
            row.assistance.append(commitment)
    return list(rows.values())


def plan_history(plan: DevelopmentPlan) -> QuerySet:
    """Every recorded change of the plan, its goals, commitments and reviews, newest first."""
    return pghistory.models.Events.objects.references(plan).order_by("-pgh_created_at")


def adult_members(household: Household, as_of: datetime.date) -> QuerySet[Member]:
    """The household's members living in it who reach 18 in `as_of`'s year or earlier: who may
    agree to its plan. By the year, not the day: a list or a refusal that changed on a birthday
    would give away the birth date the ID mask hides (core.masking.age_this_year)."""
    return household.members.filter(
        status=Member.Status.ACTIVE, birth_date__year__lte=as_of.year - 18
    )


def active_members(household: Household) -> QuerySet[Member]:
    return household.members.filter(status=Member.Status.ACTIVE).order_by("id")


def measures_of(household: Household) -> QuerySet[Measure]:
    """The assistance measures of the household's cases an assistance commitment may stand for."""
    return (
        Measure.objects.filter(case__household=household)
        .exclude(status=MeasureStatus.STOPPED)
        .order_by("planned_start", "id")
    )


def visits_for_review(plan: DevelopmentPlan) -> QuerySet[Visit]:
    """The household's visits on or after the plan's agreement, newest first, that have no
    review of this plan yet."""
    visits = Visit.objects.filter(household_id=plan.household_id)
    if plan.agreed_on:
        visits = visits.filter(visited_on__gte=plan.agreed_on)
    return visits.exclude(plan_reviews__plan=plan).order_by("-visited_on", "-id")


def review_on_visit(plan: DevelopmentPlan, visit_id) -> PlanReview | None:
    """The plan's review made on this visit, if there is one (`visit_id` as sent)."""
    try:
        return plan.reviews.filter(visit_id=int(visit_id)).first()
    except (TypeError, ValueError):
        return None


def plans_review_due(user, by: datetime.date) -> QuerySet[DevelopmentPlan]:
    """Agreed plans of the user's region whose next review falls on or before `by`."""
    return plans_visible_to(user).filter(status=PlanStatus.AGREED, next_review_due__lte=by)


def plan_of_visit(visit: Visit) -> DevelopmentPlan | None:
    """The household's agreed plan that a review on this visit would be of, when the visit has
    none yet."""
    plan = visit.household.development_plans.filter(status=PlanStatus.AGREED).first()
    if plan is None or (plan.agreed_on and visit.visited_on < plan.agreed_on):
        return None
    if plan.reviews.filter(visit=visit).exists():
        return None
    return plan


def commitments_kept(
    household_ids: list[int], as_of: datetime.date
) -> dict[int, tuple[float, int]]:
    """Per household with a plan agreed and reviewed on or before `as_of`: the share of the
    household's own commitments kept at its latest such review (kept 1, partly 0.5, not 0) and
    how many were rated. A household whose latest review rated none of its own commitments is
    left out (no share to give). Not scoped: the caller passes the households it may read."""
    if not household_ids:
        return {}
    latest = (
        PlanReview.objects.filter(
            plan__household_id__in=household_ids,
            plan__agreed_on__lte=as_of,
            reviewed_on__lte=as_of,
        )
        .order_by("plan__household_id", "-reviewed_on", "-id")
        .distinct("plan__household_id")
        .values_list("pk", "plan__household_id")
    )
    household_of = dict(latest)
    items = ReviewItem.objects.filter(
        review_id__in=list(household_of), commitment__party=Party.HOUSEHOLD
    ).values_list("review_id", "rating")
    totals: dict[int, list[float]] = {}
    for review_id, rating in items:
        weight = KEPT_WEIGHT.get(rating)
        if weight is None:
            continue
        totals.setdefault(household_of[review_id], []).append(weight)
    return {
        household_id: (sum(weights) / len(weights), len(weights))
        for household_id, weights in totals.items()
    }
