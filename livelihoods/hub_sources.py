"""The household page (households.hub): the buttons to the household's work and livelihood and
to record this month's work (with the month's latest visit, when there is one), and its public-
welfare posts and insurance claims on the timeline. Each read is the viewer's own selectors'."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.display import data as marked
from households.hub import EntryPage, HubAction, HubSource, TimelineEntry, register
from households.models import Household
from livelihoods.selectors.insurance import claims_visible_to
from livelihoods.selectors.posts import posts_visible_to
from monitoring.hub_sources import latest_visits

LIVELIHOOD = "livelihood"


def livelihood_entries(user, household: Household, limit: int) -> EntryPage:
    url = reverse("household-livelihood", args=[household.pk])
    posts = list(posts_visible_to(user).filter(household=household).order_by("-starts_on")[:limit])
    claims = list(
        claims_visible_to(user).filter(household=household).order_by("-claimed_on")[:limit]
    )
    entries = [
        TimelineEntry(
            kind=LIVELIHOOD,
            on=post.starts_on,
            at=post.created_at,
            title=format_html("{} · {}", _("Public-welfare post"), marked(post.title)),
            detail=_("until %(day)s") % {"day": date_format(post.ends_on, "DATE_FORMAT")},
            url=url,
            amount=post.monthly_pay,
            amount_label=_("monthly pay"),
        )
        for post in posts
    ] + [
        TimelineEntry(
            kind=LIVELIHOOD,
            on=claim.claimed_on,
            at=claim.created_at,
            title=format_html(
                "{} · {}", _("Prevention insurance claim"), claim.get_cause_display()
            ),
            outcome=claim.get_status_display(),
            url=url,
            amount=claim.amount_claimed,
            amount_label=_("amount claimed"),
        )
        for claim in claims
    ]
    entries.sort(key=lambda entry: entry.on, reverse=True)
    return EntryPage(entries[:limit], len(posts) + len(claims))


def livelihood_actions(user, household: Household) -> list[HubAction]:
    if not user.has_perm("livelihoods.view_workrecord"):
        return []
    actions = [
        HubAction(
            key="livelihood",
            label=_("Work and livelihood"),
            url=reverse("household-livelihood", args=[household.pk]),
            order=60,
        )
    ]
    if user.has_perm("livelihoods.add_workrecord"):
        today = timezone.localdate()
        url = reverse("work-month", args=[household.pk])
        # The newest visit, when it is this month's: the head of the page's one list of visits.
        newest = latest_visits(user, household)[:1]
        visit = newest[0].pk if newest and newest[0].visited_on >= today.replace(day=1) else None
        if visit is not None:
            url += f"?visit={visit}"
        actions.append(
            HubAction(key="work-month", label=_("Record this month's work"), url=url, order=45)
        )
    return actions


def register_sources() -> None:
    register(
        HubSource(
            key=LIVELIHOOD,
            label=pgettext_lazy("household timeline", "Livelihood"),
            order=60,
            entries=livelihood_entries,
            actions=livelihood_actions,
        )
    )
