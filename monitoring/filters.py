"""The API lists' filters. A filter that names a row takes it among the rows the user may see
(core.api.scoped_choices): outside the region, an id is as unknown as one that does not exist."""

import datetime

import django_filters
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.selectors import users_visible_to
from core.api import scoped_choices
from households.selectors import households_visible_to, under_region
from monitoring.models import ACTIVE_STATUSES, Alert, AlertStatus, Visit

# The quick filters of the warning queue (one tap each): the value of `quick` and its label.
QUICK_FILTERS = {
    "mine": _("Assigned to me"),
    "unassigned": _("Unassigned"),
    "to_confirm": _("Awaiting confirmation"),
}
# "Open longer than N days": the page offers these N; the API takes any from 1 to 3650.
OLDER_THAN_CHOICES = (7, 14, 30)


class VisitFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    visitor = django_filters.ModelChoiceFilter(queryset=scoped_choices(users_visible_to))

    class Meta:
        model = Visit
        fields = {"household": ["exact"], "visited_on": ["gte", "lte"], "visitor": ["exact"]}


def _text(value: str) -> str:
    """A text filter's value, stripped; "" for one PostgreSQL cannot compare (a NUL byte)."""
    value = value.strip()
    return "" if "\x00" in value else value


@extend_schema_field(OpenApiTypes.STR)
class TextFilter(django_filters.Filter):
    """A text filter on a plain forms.Field, so that a NUL byte is left out rather than refused."""


@extend_schema_field(OpenApiTypes.BOOL)
class FlagFilter(django_filters.Filter):
    """A flag that filters when it is 1 or true and is ignored otherwise, on the page and the API
    alike (the warning queue's links carry `active=1`, `mine=1`)."""


class AlertFilter(django_filters.FilterSet):
    """The warnings' filters, for the warning queue page (and its Excel export) and the API.

    The text filters take django-filter's plain Filter (a forms.Field, where a CharFilter's field
    would refuse a NUL byte): such a value is left out on the page and through the API alike.
    """

    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    assignee = django_filters.ModelChoiceFilter(queryset=scoped_choices(users_visible_to))
    village = TextFilter(method="filter_village")
    reason = TextFilter(method="filter_reason")
    region = TextFilter(
        method="filter_region",
        validators=[RegexValidator(r"\A[0-9]{1,12}\Z", _("A region code is 2 to 12 digits."))],
    )
    active = FlagFilter(method="filter_active")
    mine = FlagFilter(method="filter_mine")
    # 未分配: no one is assigned yet.
    unassigned = FlagFilter(method="filter_unassigned")
    # 待确认: verified at home (核实中), waiting for a cadre to confirm or dismiss the risk.
    to_confirm = FlagFilter(method="filter_to_confirm")
    # 超过 N 天: opened more than N days ago (and, in the queue, still open).
    older_than = django_filters.NumberFilter(
        method="filter_older_than", min_value=1, max_value=3650, label=_("Open longer than (days)")
    )
    # Warnings opened within a period (days in the county's time zone): the dashboard's
    # "warnings opened" of a month or a period.
    opened_from = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__gte")
    opened_to = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__lte")

    class Meta:
        model = Alert
        fields = {
            "status": ["exact"],
            "level": ["exact"],
            "household": ["exact"],
            "assignee": ["exact"],
        }

    def filter_village(self, queryset, name, value):
        village = _text(value)
        return queryset.filter(village=village) if village else queryset

    def filter_reason(self, queryset, name, value):
        reason = _text(value)
        return queryset.filter(reason_codes__contains=[reason]) if reason else queryset

    def filter_region(self, queryset, name, value):
        # A full region code stands for its area; a shorter string of digits is a prefix.
        return under_region(queryset, value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(status__in=ACTIVE_STATUSES) if value in ("1", "true") else queryset

    def filter_mine(self, queryset, name, value):
        if value not in ("1", "true"):
            return queryset
        user = getattr(self.request, "user", None)
        return queryset.filter(assignee=user) if user is not None else queryset.none()

    def filter_unassigned(self, queryset, name, value):
        if value not in ("1", "true"):
            return queryset
        return queryset.filter(assignee__isnull=True)

    def filter_to_confirm(self, queryset, name, value):
        if value not in ("1", "true"):
            return queryset
        return queryset.filter(status=AlertStatus.VERIFYING)

    def filter_older_than(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(opened_at__lt=timezone.now() - datetime.timedelta(days=int(value)))
