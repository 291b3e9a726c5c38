"""Visits and warnings on the household page (households.hub): their timeline entries, the
current risk and why, the income trend, and the buttons 录入走访 and 农户申报.

Reasons are named by their rule, never with their evidence: a self-report's own words or an
illness behind a shock stay on the warning's page, where its readers open them.
"""

from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.display import data as marked
from households.hub import (
    KIND_LIMIT,
    EntryPage,
    HubAction,
    HubSource,
    RiskReason,
    RiskSummary,
    TimelineEntry,
    TrendPoint,
    register,
    shared_read,
)
from households.models import Household, RiskLevel
from monitoring.labels import RULE_LABELS
from monitoring.models import ACTIVE_STATUSES, Alert, AlertStatus
from monitoring.selectors import alerts_visible_to, visits_visible_to

VISIT = "visit"
ALERT = "alert"
# The latest visits drawn in the income trend, oldest first.
TREND_VISITS = 12
SEVERITY_ORDER: dict[str, int] = {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 1, RiskLevel.LOW: 2}
# A closed warning's outcome, coloured as the risk badges are: done green, the rest plain.
OUTCOME_CLASS: dict[str, str] = {
    AlertStatus.RESOLVED: "hub-state hub-state-ok",
    AlertStatus.CASE: "hub-state hub-state-ok",
    AlertStatus.DISMISSED: "hub-state",
}


def reason_words(reasons) -> list[RiskReason]:
    """The rules that fired, in words, the most severe first."""
    rows = [
        RiskReason(
            label=str(RULE_LABELS.get(str(reason.get("code", "")), reason.get("code", ""))),
            severity=str(reason.get("severity", "")),
        )
        for reason in reasons or ()
        if isinstance(reason, dict)
    ]
    return sorted(rows, key=lambda row: SEVERITY_ORDER.get(row.severity, 3))


def latest_visits(user, household: Household) -> list:
    """The household's newest visits the viewer may read (up to KIND_LIMIT, each with the total
    as `total`), read once a page: its timeline, its income trend and the button of this
    month's work (livelihoods) are all the head of this one list."""
    return shared_read(
        user,
        household,
        "visits",
        lambda: list(
            visits_visible_to(user)
            .filter(household=household)
            .select_related("visitor")
            .annotate(total=Window(Count("pk")))
            .order_by("-visited_on", "-id")[:KIND_LIMIT]
        ),
    )


def visit_entries(user, household: Household, limit: int) -> EntryPage:
    visits = latest_visits(user, household)[:limit]
    entries = [
        TimelineEntry(
            kind=VISIT,
            on=visit.visited_on,
            at=visit.created_at,
            # The kind ("走访") heads the entry: its title is who visited.
            title=marked(visit.visitor.display_name) if visit.visitor else _("Visit"),
            amount=visit.per_capita_income,
            amount_label=_("Per-capita net income"),
            url=reverse("visit-detail", args=[visit.pk]),
        )
        for visit in visits
    ]
    return EntryPage(entries, visits[0].total if visits else 0)


def household_alerts(user, household: Household) -> list:
    """The household's newest warnings the viewer may read (up to KIND_LIMIT, each with the
    total as `total`), read once a page: its timeline, its current risk and the button
    提出纳入监测 (assistance) all look in this one list."""
    return shared_read(
        user,
        household,
        "alerts",
        lambda: list(
            alerts_visible_to(user)
            .filter(household=household)
            .annotate(total=Window(Count("pk")))
            .order_by("-opened_at", "-id")[:KIND_LIMIT]
        ),
    )


def household_alert_in(user, household: Household, statuses) -> Alert | None:
    """The newest of the household's warnings in these states: from the page's one list, and
    only for a household with more warnings than it holds, from a statement of its own."""
    alerts = household_alerts(user, household)
    found = next((alert for alert in alerts if alert.status in statuses), None)
    if found is None and alerts and alerts[0].total > len(alerts):
        found = (
            alerts_visible_to(user)
            .filter(household=household, status__in=list(statuses))
            .order_by("-opened_at", "-id")
            .first()
        )
    return found


def alert_entries(user, household: Household, limit: int) -> EntryPage:
    alerts = household_alerts(user, household)[:limit]
    entries = []
    for alert in alerts:
        active = alert.status in ACTIVE_STATUSES
        outcome = alert.get_status_display()
        if not active and alert.closed_at:
            outcome = _("%(outcome)s on %(date)s") % {
                "outcome": outcome,
                "date": date_format(timezone.localdate(alert.closed_at), "SHORT_DATE_FORMAT"),
            }
        entries.append(
            TimelineEntry(
                kind=ALERT,
                on=timezone.localdate(alert.opened_at),
                at=alert.opened_at,
                # Why, in words, as its title; where it came from beside it.
                title=_(", ").join(reason.label for reason in reason_words(alert.reasons))
                or alert.get_source_display(),
                detail=alert.get_source_display(),
                outcome=outcome,
                outcome_class=OUTCOME_CLASS.get(alert.status, "hub-state"),
                badge=alert.get_level_display(),
                badge_class=f"risk risk-{alert.level}",
                url=reverse("alert-detail", args=[alert.pk]),
            )
        )
    return EntryPage(entries, alerts[0].total if alerts else 0)


def current_risk(user, household: Household) -> RiskSummary | None:
    """The household's risk level and why: the open warning's reasons, linked to it, or, with
    no warning open, the reasons of the last evaluation. None for a viewer of no warnings."""
    if not user.has_perm("monitoring.view_alert"):
        return None
    level = household.risk_level
    level_label = household.get_risk_level_display()
    alert = household_alert_in(user, household, ACTIVE_STATUSES)
    if alert is not None:
        return RiskSummary(
            level=level,
            level_label=level_label,
            reasons=reason_words(alert.reasons),
            url=reverse("alert-detail", args=[alert.pk]),
            status=alert.get_status_display(),
            opened_on=timezone.localdate(alert.opened_at),
        )
    return RiskSummary(
        level=level, level_label=level_label, reasons=reason_words(household.risk_reasons)
    )


def income_trend(user, household: Household) -> list[TrendPoint]:
    visits = latest_visits(user, household)[:TREND_VISITS]
    return [
        TrendPoint(visit.visited_on, visit.per_capita_income)
        for visit in reversed(visits)
        if visit.per_capita_income is not None
    ]


def monitoring_actions(user, household: Household) -> list[HubAction]:
    if not user.has_perm("monitoring.add_visit") or household.member_count == 0:
        return []
    actions = [
        HubAction(
            key="visit",
            label=_("Record a visit"),
            url=f"{reverse('visit-create')}?household={household.pk}",
            order=10,
            primary=True,
        )
    ]
    # While a case is open it carries the household (self_report_record refuses then).
    if not household.has_open_case:
        actions.append(
            HubAction(
                key="self_report",
                label=_("Household self-report"),
                url=reverse("self-report", args=[household.pk]),
                order=20,
            )
        )
    return actions


def register_sources() -> None:
    register(
        HubSource(
            key=VISIT,
            label=pgettext_lazy("household timeline", "Visits"),
            order=10,
            entries=visit_entries,
            actions=monitoring_actions,
            trend=income_trend,
        )
    )
    register(
        HubSource(
            key=ALERT,
            label=pgettext_lazy("household timeline", "Warnings"),
            order=20,
            entries=alert_entries,
            risk=current_risk,
        )
    )
