"""The household's development plan in a page of an app below this one (the case page): the
page loads this tag, and the tag asks development's selectors."""

from django import template
from django.utils import timezone

from development.models import DevelopmentPlan
from development.selectors import plans as selectors

register = template.Library()


@register.inclusion_tag("development/plan_section.html", takes_context=True)
def development_plan(context, household):
    user = context["request"].user
    # The newest plan, with its contents; the page's other blocks read the same list of plans.
    newest = next(iter(selectors.household_plans_for(user, household)), None)
    plan = (
        selectors.with_contents(DevelopmentPlan.objects.filter(pk=newest.pk)).first()
        if newest is not None
        else None
    )
    return {
        "visible": user.has_perm("development.view_developmentplan"),
        "household": household,
        "plan": plan,
        "rows": selectors.goal_rows(plan) if plan else [],
        "latest_review": plan.reviews.all()[0] if plan and plan.reviews.all() else None,
        "overdue": bool(
            plan
            and plan.status == "agreed"
            and plan.next_review_due
            and plan.next_review_due < timezone.localdate()
        ),
        "can_start": plan is None or not plan.is_open,
        "can_add": user.has_perm("development.add_developmentplan"),
    }


@register.inclusion_tag("development/visit_plan_link.html", takes_context=True)
def plan_review_link(context, visit):
    """On a visit's page: "review the development plan" on this visit, when the household has
    an agreed plan this visit has not reviewed yet and the viewer may review it."""
    user = context["request"].user
    plan = None
    if user.has_perm("development.add_planreview"):
        plan = selectors.plan_of_visit(visit)
        if plan is not None and not selectors.plans_visible_to(user).filter(pk=plan.pk).exists():
            plan = None
    return {"plan": plan, "visit": visit}
