"""The rows each list page shows, with its filters, for its export: the very selectors the
pages use, so an export can never show what its page would not."""

from django.db.models import QuerySet

from assistance import selectors as assistance_selectors
from core.pagination import keyset_ordering
from households import selectors as household_selectors
from households.filters import HouseholdPageFilter
from households.models import Household
from monitoring import selectors as monitoring_selectors
from spreadsheets.models import ExportJob, ImportJob


def household_rows(request) -> QuerySet:
    filterset = HouseholdPageFilter(
        request.GET,
        queryset=household_selectors.households_listed(request.user).select_related("village"),
        request=request,
    )
    households = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    # In the page's own order (the filter's `ordering`, else the number), ties broken as the
    # page breaks them (core.pagination: by id), so the sheet lists the rows as the page does.
    return households.order_by(*keyset_ordering(Household, households.query.order_by))


def visit_rows(request) -> QuerySet:
    return monitoring_selectors.visits_listed(request.user, request.GET)


def alert_rows(request) -> QuerySet:
    return monitoring_selectors.alerts_listed(request.user, request.GET)


def case_rows(request) -> QuerySet:
    return assistance_selectors.cases_listed(request.user, request.GET)


def measure_rows(request) -> QuerySet:
    return assistance_selectors.measures_listed(request.user, request.GET)


def partner_rows(request) -> QuerySet:
    return assistance_selectors.partners_listed(request.user, request.GET)


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """A user's own import jobs, of the region the user has now: nobody else's, ever (a job
    carries its file's counts and problems, which name the region's households)."""
    if not user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(owner=user, region_id=user.region_id)


def export_jobs_visible_to(user) -> QuerySet[ExportJob]:
    """A user's own exports, while the user's role, region, partner and superuser flag are
    those they asked with: nobody else's, ever (a file holds a region's households)."""
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(owner=user, scope_key=ExportJob.scope_of(user))
