"""The rows each list page shows, with its filters, for its export.

Households reuse the page's own FilterSet. The other lists filter in their views; the same
filters are repeated here, reading the same query parameters, on the same scoped selectors.
"""

from django.db.models import QuerySet

from accounts.models import Role
from assistance import selectors as assistance_selectors
from assistance.models import CaseCategory, CaseStatus, MeasureStatus
from households import selectors as household_selectors
from households.filters import HouseholdPageFilter
from monitoring import selectors as monitoring_selectors
from monitoring.models import Alert


def household_rows(request) -> QuerySet:
    filterset = HouseholdPageFilter(
        request.GET,
        queryset=household_selectors.households_visible_to(request.user).select_related("village"),
        request=request,
    )
    households = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return households.order_by("number")


def visit_rows(request) -> QuerySet:
    visits = monitoring_selectors.visits_visible_to(request.user).select_related(
        "household__village", "visitor"
    )
    if request.GET.get("mine"):
        visits = visits.filter(visitor=request.user)
    return visits.order_by("-visited_on", "-id")


def alert_rows(request) -> QuerySet:
    alerts = monitoring_selectors.alert_queue(request.user)
    village, reason, status = (request.GET.get(key, "") for key in ("village", "reason", "status"))
    if village:
        alerts = alerts.filter(household__village__code=village)
    if reason:
        alerts = alerts.filter(reason_codes__contains=[reason])
    if status in dict(Alert._meta.get_field("status").choices):
        alerts = alerts.filter(status=status)
    if request.GET.get("mine"):
        alerts = alerts.filter(assignee=request.user)
    return alerts


def case_rows(request) -> QuerySet:
    user = request.user
    show = request.GET.get("show", "awaiting")
    if show == "awaiting":
        cases = assistance_selectors.cases_awaiting(user)
    else:
        cases = assistance_selectors.cases_with_next_step(
            assistance_selectors.cases_visible_to(user)
        )
        if show == "open":
            cases = cases.filter(status__in=(CaseStatus.IDENTIFYING, CaseStatus.ENROLLED))
        elif show == "eliminating":
            cases = cases.filter(status=CaseStatus.ELIMINATING)
        elif show == "closed":
            cases = cases.filter(status__in=(CaseStatus.ELIMINATED, CaseStatus.REJECTED))
    category = request.GET.get("category", "")
    if category in CaseCategory.values:
        cases = cases.filter(category=category)
    query = request.GET.get("q", "").strip()
    if query.isdigit():
        cases = cases.filter(household__number__startswith=query)
    elif query:
        cases = cases.filter(household__head_name__contains=query)
    return cases.select_related("household__village", "responsible").order_by(
        "next_due_on", "-proposed_on", "-id"
    )


def measure_rows(request) -> QuerySet:
    measures = assistance_selectors.measures_visible_to(request.user).select_related(
        "case__household__village", "partner", "responsible"
    )
    status = request.GET.get("status", "")
    if status in MeasureStatus.values:
        measures = measures.filter(status=status)
    if request.GET.get("mine") and request.user.role != Role.PARTNER:
        measures = measures.filter(responsible=request.user)
    return measures.order_by("status", "planned_start", "id")


def partner_rows(request) -> QuerySet:
    partners = assistance_selectors.partners_visible_to(request.user).select_related("area")
    query = request.GET.get("q", "").strip()
    if query:
        partners = partners.filter(name__contains=query)
    return partners.order_by("kind", "name")
