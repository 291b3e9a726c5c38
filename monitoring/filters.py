"""The API lists' filters. A filter that names a row takes it among the rows the user may see
(core.api.scoped_choices): outside the region, an id is as unknown as one that does not exist."""

import django_filters

from accounts.selectors import users_visible_to
from core.api import scoped_choices
from households.selectors import households_visible_to
from monitoring.models import Alert, Visit


class VisitFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    visitor = django_filters.ModelChoiceFilter(queryset=scoped_choices(users_visible_to))

    class Meta:
        model = Visit
        fields = {"household": ["exact"], "visited_on": ["gte", "lte"], "visitor": ["exact"]}


class AlertFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    assignee = django_filters.ModelChoiceFilter(queryset=scoped_choices(users_visible_to))

    class Meta:
        model = Alert
        fields = {
            "status": ["exact"],
            "level": ["exact"],
            "household": ["exact"],
            "assignee": ["exact"],
        }
