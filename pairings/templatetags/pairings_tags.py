"""The household page's "帮扶责任人" section. The household page belongs to households, below
this app: it includes this tag's template, and the tag asks pairings' selectors."""

from django import template

from pairings import selectors

register = template.Library()


@register.inclusion_tag("pairings/household_pairing.html", takes_context=True)
def household_pairing(context, household, bare=False):
    """`bare`: without its own heading, inside a section of the page that names it."""
    request = context["request"]
    return {
        "household": household,
        "bare": bare,
        **selectors.household_pairing_section(user=request.user, household=household),
    }
