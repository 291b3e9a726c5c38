"""Cases, their steps and measures on the household page (households.hub), and the button
提出纳入监测: from the confirmed warning when there is one, for the household otherwise."""

from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role
from assistance.models import CaseStatus, CaseStep, MeasureStatus
from assistance.selectors import household_cases_for, measures_visible_to
from core.display import data as marked
from households.hub import EntryPage, HubAction, HubSource, TimelineEntry, register
from households.models import Household
from monitoring.hub_sources import household_alert_in
from monitoring.models import AlertStatus

CASE = "case"
MEASURE = "measure"
DONE = "hub-state hub-state-ok"
CASE_CLASS: dict[str, str] = {
    CaseStatus.ELIMINATED: DONE,
    CaseStatus.ENROLLED: "hub-state hub-state-active",
}
MEASURE_CLASS: dict[str, str] = {
    MeasureStatus.DELIVERED: DONE,
    MeasureStatus.IN_PROGRESS: "hub-state hub-state-active",
}


def case_entries(user, household: Household, limit: int) -> EntryPage:
    every = household_cases_for(user, household)
    cases = every[:limit]
    # The decided steps of the cases shown, each an entry of its own day (none to read for a
    # household without a case).
    steps = (
        list(
            CaseStep.objects.filter(case__in=[case.pk for case in cases], decided_at__isnull=False)
            .select_related("actor")
            .annotate(total=Window(Count("pk")))
            .order_by("-decided_at", "-id")[:limit]
        )
        if cases
        else []
    )
    entries = [
        TimelineEntry(
            kind=CASE,
            on=case.proposed_on,
            at=case.created_at,
            title=_("Case proposed: %(category)s") % {"category": case.get_category_display()},
            outcome=case.get_status_display(),
            outcome_class=CASE_CLASS.get(case.status, "hub-state"),
            url=reverse("case-detail", args=[case.pk]),
        )
        for case in cases
    ]
    for step in steps:
        decided = timezone.localtime(step.decided_at)
        entries.append(
            TimelineEntry(
                kind=CASE,
                on=decided.date(),
                at=decided,
                title=step.get_kind_display(),
                detail=marked(step.actor.display_name) if step.actor else "",
                outcome=step.get_decision_display(),
                outcome_class=DONE if step.decision == "approved" else "hub-state",
                url=reverse("case-detail", args=[step.case_id]),
            )
        )
    total = len(every) + (steps[0].total if steps else 0)
    return EntryPage(entries, total)


def measure_entries(user, household: Household, limit: int) -> EntryPage:
    # Measures hang from cases: one who reads the household's cases reads its measures in the
    # same scope (measures_visible_to), so a household with no case has none to show them. A
    # partner's users read the measures their partner delivers, whatever the cases: they ask.
    reads_cases = user.role != Role.PARTNER and user.has_perm("assistance.view_case")
    if reads_cases and not household_cases_for(user, household):
        return EntryPage([], 0)
    measures = list(
        measures_visible_to(user)
        .filter(case__household=household)
        .select_related("partner")
        .annotate(total=Window(Count("pk")))
        .order_by("-planned_start", "-id")[:limit]
    )
    entries = []
    for measure in measures:
        start = measure.actual_start or measure.planned_start
        end = measure.actual_end or measure.planned_end
        period = " – ".join(
            date_format(day, "SHORT_DATE_FORMAT") for day in (start, end) if day is not None
        )
        by = format_html(" · {}", marked(measure.partner.name)) if measure.partner else ""
        delivered = measure.delivered_amount is not None
        entries.append(
            TimelineEntry(
                kind=MEASURE,
                on=start,
                at=measure.created_at,
                title=format_html("{} · {}", measure.get_kind_display(), marked(measure.title)),
                detail=format_html("{}{}", period, by),
                amount=measure.delivered_amount if delivered else measure.planned_amount,
                amount_label=_("Amount delivered") if delivered else _("Amount planned"),
                outcome=measure.get_status_display(),
                outcome_class=MEASURE_CLASS.get(measure.status, "hub-state"),
                url=reverse("measure-detail", args=[measure.pk]),
            )
        )
    return EntryPage(entries, measures[0].total if measures else 0)


def case_actions(user, household: Household) -> list[HubAction]:
    """提出纳入监测: while no case is open (the fact the case services keep on the household) and
    somebody lives there. A confirmed warning becomes the case; otherwise the cadre proposes."""
    if (
        not user.has_perm("assistance.propose_case")
        or household.has_open_case
        or household.member_count == 0
    ):
        return []
    confirmed = household_alert_in(user, household, {AlertStatus.CONFIRMED})
    query = f"alert={confirmed.pk}" if confirmed else f"household={household.pk}&origin=cadre"
    return [
        HubAction(
            key="propose_case",
            label=_("Propose for monitoring"),
            url=f"{reverse('case-propose')}?{query}",
            order=30,
        )
    ]


def register_sources() -> None:
    register(
        HubSource(
            key=CASE,
            label=pgettext_lazy("household timeline", "Cases"),
            order=30,
            entries=case_entries,
            actions=case_actions,
        )
    )
    register(
        HubSource(
            key=MEASURE,
            label=pgettext_lazy("household timeline", "Measures"),
            order=40,
            entries=measure_entries,
        )
    )
