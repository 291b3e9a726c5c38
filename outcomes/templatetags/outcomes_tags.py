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
