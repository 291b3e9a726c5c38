"""The API lists' filters; a filter naming a row takes it among the rows the user may see."""

import django_filters

from accounts.selectors import users_visible_to
from core.api import StrictBooleanFilter, scoped_choices
from households.selectors import households_visible_to
from pairings.models import Contact, Pairing


class PairingFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    cadre = django_filters.ModelChoiceFilter(queryset=scoped_choices(users_visible_to))
    open = StrictBooleanFilter(field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = Pairing
        fields = ["household", "cadre", "open"]


class ContactFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    cadre = django_filters.ModelChoiceFilter(queryset=scoped_choices(users_visible_to))

    class Meta:
        model = Contact
        fields = {"household": ["exact"], "cadre": ["exact"], "contacted_on": ["gte", "lte"]}
