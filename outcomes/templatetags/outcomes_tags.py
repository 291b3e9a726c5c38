"""A case page's "帮扶成效" block. The case page belongs to assistance, below this app: it loads
this tag, and the tag asks outcomes' selectors."""

from django import template
from django.utils import timezone

from outcomes import selectors

register = template.Library()


@register.inclusion_tag("outcomes/case_outcomes.html", takes_context=True)
def case_outcomes(context, case):
    request = context["request"]
    return {
        "outcome": selectors.case_outcome(user=request.user, case=case, today=timezone.localdate()),
    }


@register.inclusion_tag("outcomes/case_outcomes.html", takes_context=True)
def household_outcomes(context, household):
    """The household page's block: the outcome of its latest enrolled case, with a link to it."""
    request = context["request"]
    return {
        "outcome": selectors.household_outcome(
            user=request.user, household=household, today=timezone.localdate()
        ),
        "link_case": True,
    }
