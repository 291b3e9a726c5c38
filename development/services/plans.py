"""Writes of household development plans (一户一策): draft a plan, add and edit its goals and
commitments, record the household's agreement, review it on a visit, close it.

Each checks the actor's permission, reads through the selectors and writes in one transaction
with the plan (or, for a new plan, the household) locked. A plan is edited as one thing: every
write carries the plan's version the caller saw and moves it on, so of two people editing one
plan the second is told (EditConflict) and nothing of theirs is written. A review is keyed by
plan and visit: a review sent again is the same review, not a second one."""

import datetime

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assistance.eligibility import months_after
from core.errors import EditConflict
from development.models import (
    CommitmentRating,
    ConsentMethod,
    DevelopmentPlan,
    GoalArea,
    GoalRating,
    Party,
    PlanCommitment,
    PlanGoal,
    PlanReview,
    PlanStatus,
    ReviewItem,
)
from development.selectors import plans as selectors
from households.models import Household, Member
from households.selectors import households_visible_to
from monitoring.models import Visit

# Reviewed at least quarterly: the next review is due this many months after the agreement or
# the last review.
REVIEW_EVERY_MONTHS = 3
# An agreement is recorded within a year of the day it was made.
AGREED_WITHIN_DAYS = 366


def _need(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _visible_household(actor: User, household_id) -> Household:
    household = (
        households_visible_to(actor).select_for_update().filter(pk=household_id).first()
        if household_id is not None
        else None
    )
    if household is None:
        raise ValidationError({"household": _("No such household in your region.")})
    return household


def _locked_plan(actor: User, plan_id, version: int | None) -> DevelopmentPlan:
    """The plan, locked, if the actor's region holds it and it is as the caller saw it."""
    plan = (
        selectors.plans_visible_to(actor).select_for_update().filter(pk=plan_id).first()
        if plan_id is not None
        else None
    )
    if plan is None:
        raise ValidationError({"plan": _("No such plan in your region.")})
    if version is not None and plan.version != version:
        raise EditConflict()
    return plan


def _bump(plan: DevelopmentPlan, *fields: str) -> None:
    plan.version += 1
    plan.save(update_fields=[*fields, "version", "updated_at"])


def _text(value, field: str, message: str, max_length: int) -> str:
    text = (value or "").strip()
    if len(text) < 2:
        raise ValidationError({field: message})
    if len(text) > max_length:
        raise ValidationError({field: _("Keep it to %(max)d characters.") % {"max": max_length}})
    return text


def _member_of(household: Household, member_id, field: str) -> Member | None:
    if member_id in (None, ""):
        return None
    member = selectors.active_members(household).filter(pk=member_id).first()
    if member is None:
        raise ValidationError({field: _("Choose a member living in this household.")})
    return member


def plan_create(*, actor: User, household_id: int, case_id: int | None = None) -> DevelopmentPlan:
    """Draft a plan for a household of the actor's region (a monitored household's is
    suggested; any household a cadre chooses may have one). One open plan a household."""
    _need(actor, "development.add_developmentplan")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = _visible_household(actor, household_id)
        if selectors.open_plan_of(household) is not None:
            raise ValidationError({"household": _("This household already has an open plan.")})
        case = None
        if case_id not in (None, ""):
            case = household.cases.filter(pk=case_id).first()
            if case is None:
                raise ValidationError({"case": _("Choose a case of this household.")})
        try:
            with transaction.atomic():
                return DevelopmentPlan.objects.create(
                    household=household, case=case, created_by=actor
                )
        except IntegrityError:
            # Unreachable under the household's lock unless a plan was written without it.
            raise ValidationError(
                {"household": _("This household already has an open plan.")}
            ) from None


def _draft(actor: User, plan_id, version: int | None) -> DevelopmentPlan:
    _need(actor, "development.change_developmentplan")
    plan = _locked_plan(actor, plan_id, version)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be changed; this one is agreed or closed."))
    return plan


def _goal_fields(plan: DevelopmentPlan, *, area, description, target, target_date, member_id):
    if area not in GoalArea.values:
        raise ValidationError({"area": _("Choose the area of the goal.")})
    return {
        "area": area,
        "description": _text(
            description, "description", _("Say the goal in the household's words."), 300
        ),
        "target": (target or "").strip()[:120],
        "target_date": target_date,
        "member": _member_of(plan.household, member_id, "member"),
    }


def goal_save(
    *,
    actor: User,
    plan_id: int,
    version: int | None,
    area: str,
    description: str,
    target: str = "",
    target_date: datetime.date | None = None,
    member_id: int | None = None,
    goal_id: int | None = None,
) -> PlanGoal:
    """Add a goal to a draft plan, or (with `goal_id`) change one of its goals."""
    with transaction.atomic(), pghistory.context(user=actor.pk):
        plan = _draft(actor, plan_id, version)
        fields = _goal_fields(
            plan,
            area=area,
            description=description,
            target=target,
            target_date=target_date,
            member_id=member_id,
        )
        goal: PlanGoal | None
        if goal_id is None:
            goal = PlanGoal.objects.create(plan=plan, **fields)
        else:
            goal = plan.goals.filter(pk=goal_id).first()
            if goal is None:
                raise ValidationError({"goal": _("Choose a goal of this plan.")})
            for name, value in fields.items():
                setattr(goal, name, value)
            goal.save()
        _bump(plan)
        return goal


def commitment_save(
    *,
    actor: User,
    plan_id: int,
    version: int | None,
    goal_id: int | None,
    party: str,
    description: str,
    member_id: int | None = None,
    measure_id: int | None = None,
    due: datetime.date | None = None,
    commitment_id: int | None = None,
) -> PlanCommitment:
    """Add a commitment to a draft plan, or (with `commitment_id`) change one. Every
    commitment serves a goal of the plan: the household's names the member who commits, the
    assistance's may name the measure it stands for."""
    with transaction.atomic(), pghistory.context(user=actor.pk):
        plan = _draft(actor, plan_id, version)
        goal = plan.goals.filter(pk=goal_id).first() if goal_id not in (None, "") else None
        if goal is None:
            raise ValidationError(
                {"goal": _("A commitment needs the goal of this plan it serves.")}
            )
        if party not in Party.values:
            raise ValidationError(
                {"party": _("Choose who commits: the household or the assistance.")}
            )
        member = measure = None
        if party == Party.HOUSEHOLD:
            member = _member_of(plan.household, member_id, "member")
            if measure_id not in (None, ""):
                raise ValidationError(
                    {"measure": _("Only the assistance's commitment stands for a measure.")}
                )
        else:
            if member_id not in (None, ""):
                raise ValidationError(
                    {"member": _("Only the household's commitment names a member.")}
                )
            if measure_id not in (None, ""):
                measure = selectors.measures_of(plan.household).filter(pk=measure_id).first()
                if measure is None:
                    raise ValidationError(
                        {"measure": _("Choose a measure of this household's cases.")}
                    )
        fields = {
            "goal": goal,
            "party": party,
            "description": _text(description, "description", _("Say what is committed."), 300),
            "member": member,
            "measure": measure,
            "due": due,
        }
        commitment: PlanCommitment | None
        if commitment_id is None:
            commitment = PlanCommitment.objects.create(plan=plan, **fields)
        else:
            commitment = plan.commitments.filter(pk=commitment_id).first()
            if commitment is None:
                raise ValidationError({"commitment": _("Choose a commitment of this plan.")})
            for name, value in fields.items():
                setattr(commitment, name, value)
            commitment.save()
        _bump(plan)
        return commitment


def plan_agree(
    *,
    actor: User,
    plan_id: int,
    version: int | None,
    member_id: int | None,
    method: str,
    witness: str = "",
    agreed_on: datetime.date | None = None,
) -> DevelopmentPlan:
    """Record the household's agreement to its draft plan: which adult member agreed, how
    (signature or thumbprint on the printed plan, or aloud before a witness, who is named), and
    when. The plan needs a goal at least, and every commitment its goal. The first review is due
    three months on."""
    _need(actor, "development.agree_developmentplan")
    today = timezone.localdate()
    agreed_on = agreed_on or today
    errors: dict[str, str] = {}
    if agreed_on > today:
        errors["agreed_on"] = _("The agreement cannot be dated in the future.")
    elif agreed_on < today - datetime.timedelta(days=AGREED_WITHIN_DAYS):
        # A plan is agreed on a visit and recorded soon after; a date years back is a typing
        # slip (and the year 1 once made a 500 of the adult members' birth-year bound).
        errors["agreed_on"] = _("The agreement cannot be dated more than a year ago.")
    if method not in ConsentMethod.values:
        errors["method"] = _("Choose how the household agreed.")
    witness = (witness or "").strip()[:50]
    if method == ConsentMethod.SPOKEN and len(witness) < 2:
        errors["witness"] = _("Name the witness of a spoken agreement.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        plan = _locked_plan(actor, plan_id, version)
        if plan.status != PlanStatus.DRAFT:
            raise ValidationError(_("Only a draft plan can be agreed."))
        if not plan.goals.exists():
            raise ValidationError(_("Write down at least one goal before the plan is agreed."))
        if plan.commitments.filter(goal__isnull=True).exists():
            raise ValidationError(_("Every commitment needs the goal it serves."))
        adults = selectors.adult_members(plan.household, agreed_on)
        member = adults.filter(pk=member_id).first() if member_id is not None else None
        if member is None:
            raise ValidationError(
                {"member": _("Choose an adult member of the household who agreed.")}
            )
        plan.status = PlanStatus.AGREED
        plan.agreed_on = agreed_on
        plan.consent_member = member
        plan.consent_method = method
        plan.consent_witness = witness
        plan.next_review_due = months_after(agreed_on, REVIEW_EVERY_MONTHS)
        _bump(
            plan,
            "status",
            "agreed_on",
            "consent_member",
            "consent_method",
            "consent_witness",
            "next_review_due",
        )
        return plan


def plan_review(
    *,
    actor: User,
    plan_id: int,
    visit_id: int,
    ratings: dict[str, tuple[str, str]],
    notes: str = "",
) -> tuple[PlanReview, bool]:
    """Review an agreed plan on a visit of its household: every goal rated (reached / on track /
    behind) and every commitment (kept / partly / not), with why unless it was fully so, in one
    form. `ratings` maps "goal-<id>" and "commitment-<id>" to (rating, why).

    Returns (review, created). The same plan and visit again is the review already recorded (a
    form sent twice), not a second one."""
    _need(actor, "development.add_planreview")
    notes = (notes or "").strip()[:2000]
    with transaction.atomic(), pghistory.context(user=actor.pk):
        plan = _locked_plan(actor, plan_id, None)
        existing = plan.reviews.filter(visit_id=visit_id).first()
        if existing is not None:
            return existing, False
        if plan.status != PlanStatus.AGREED:
            raise ValidationError(_("Only an agreed plan is reviewed."))
        visit = Visit.objects.filter(pk=visit_id, household_id=plan.household_id).first()
        if visit is None:
            raise ValidationError({"visit": _("Choose a visit of this household.")})
        if plan.agreed_on and visit.visited_on < plan.agreed_on:
            raise ValidationError({"visit": _("The visit was before the plan was agreed.")})
        errors: dict[str, str] = {}
        items: list[ReviewItem] = []
        for goal in plan.goals.all():
            items.append(_item(ratings, f"goal-{goal.pk}", GoalRating, errors, goal=goal))
        for commitment in plan.commitments.all():
            items.append(
                _item(
                    ratings,
                    f"commitment-{commitment.pk}",
                    CommitmentRating,
                    errors,
                    commitment=commitment,
                )
            )
        if errors:
            raise ValidationError(errors)
        review = PlanReview.objects.create(
            plan=plan,
            visit=visit,
            reviewed_by=actor,
            reviewed_on=visit.visited_on,
            notes=notes,
        )
        for item in items:
            item.review = review
        ReviewItem.objects.bulk_create(items)
        # Due three months after the latest review (a review of an older visit moves nothing).
        latest = plan.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True)[0]
        due = months_after(latest, REVIEW_EVERY_MONTHS)
        if plan.next_review_due != due:
            plan.next_review_due = due
            _bump(plan, "next_review_due")
        return review, True


# The ratings that need no why: a commitment kept, a goal reached or on track.
WITHOUT_WHY = {CommitmentRating.KEPT, GoalRating.REACHED, GoalRating.ON_TRACK}


def _item(ratings, key, choices, errors, **subject) -> ReviewItem:
    rating, reason = ratings.get(key, ("", ""))
    reason = (reason or "").strip()[:300]
    if rating not in choices.values:
        errors[key] = _("Rate every goal and commitment.")
    elif rating not in WITHOUT_WHY and len(reason) < 2:
        errors[key] = _("Say why, unless it was fully so.")
    return ReviewItem(rating=rating, reason=reason, **subject)


def plan_close(*, actor: User, plan_id: int, version: int | None, reason: str) -> DevelopmentPlan:
    """Close a plan (its goals reached, the household moved on, a new plan to be drafted). Its
    record stays; the household may have a new plan."""
    _need(actor, "development.close_developmentplan")
    reason = _text(reason, "reason", _("Say why the plan is closed."), 300)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        plan = _locked_plan(actor, plan_id, version)
        if plan.status == PlanStatus.CLOSED:
            raise ValidationError(_("This plan is already closed."))
        plan.status = PlanStatus.CLOSED
        plan.closed_on = timezone.localdate()
        plan.close_reason = reason
        plan.next_review_due = None
        _bump(plan, "status", "closed_on", "close_reason", "next_review_due")
        return plan
