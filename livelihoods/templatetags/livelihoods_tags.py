"""Livelihoods' part of a page of an app below this one (a visit's page): the page loads this
tag, and the tag asks livelihoods' selectors."""

from django import template

from livelihoods.selectors import work as work_selectors
from livelihoods.selectors.common import first_of_month

register = template.Library()


@register.inclusion_tag("livelihoods/visit_work_link.html", takes_context=True)
def visit_work_link(context, visit):
    """On a visit's page: "record the month's work on this visit", when the viewer may record
    work and the household has a member of working age that month; with how many members
    the month has recorded already, so the worker sees whether it is done."""
    user = context["request"].user
    if not user.has_perm("livelihoods.add_workrecord"):
        return {"visit": None}
    month = first_of_month(visit.visited_on)
    members = work_selectors.working_age_members(visit.household, month)
    if not members:
        return {"visit": None}
    recorded = work_selectors.records_of_month(visit.household, month)
    return {
        "visit": visit,
        "month": month,
        "members": len(members),
        "recorded": sum(1 for member in members if member.pk in recorded),
    }
