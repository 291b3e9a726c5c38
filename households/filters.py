import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter

from core.api import scoped_choices
from households.models import Household, Layer, Member, PovertyStatus, Region, RiskLevel
from households.selectors import (
    household_ordering,
    households_visible_to,
    looks_like_id_number,
    number_search,
    regions_visible_to,
    under_region,
)


class RegionFilter(django_filters.FilterSet):
    # A region outside the user's is as unknown as one that does not exist (core.api).
    parent = django_filters.ModelChoiceFilter(queryset=scoped_choices(regions_visible_to))

    class Meta:
        model = Region
        fields = {"level": ["exact"], "parent": ["exact"], "code": ["startswith"]}


class MemberFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))

    class Meta:
        model = Member
        fields = {"household": ["exact"], "relation": ["exact"], "status": ["exact"]}


class HouseholdOrderingFilter(OrderingFilter):
    """DRF's ordering filter for the household API, with "number" read as household_ordering
    says (the keyset pages ask this filter for the order, so they position on both fields)."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        return list(household_ordering(ordering)) if ordering else ordering


class HouseholdFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(
        label=_("Region code"),
        method="filter_region",
        validators=[
            RegexValidator(r"\A[0-9]{2,12}\Z", _("A region code is 2 to 12 digits.")),
        ],
    )
    poverty_status = django_filters.ChoiceFilter(
        label=_("Poverty status"), choices=PovertyStatus.choices
    )
    # No DISTINCT: the levels are a column of the household itself, so no row can repeat, and a
    # DISTINCT over every column made a township's list sort 100,000 rows (150 ms, bench/paths.py).
    risk_level = django_filters.MultipleChoiceFilter(
        label=_("Risk level"), choices=RiskLevel.choices, distinct=False
    )
    layer = django_filters.MultipleChoiceFilter(
        label=_("Layer"), choices=Layer.choices, distinct=False
    )
    q = django_filters.CharFilter(
        label=_("Name, household number or ID number"), method="filter_text"
    )
    # Households whose next visit was due before a day: the dashboard's "overdue visits" as of
    # the day its figures were counted.
    due_before = django_filters.DateFilter(
        label=_("Visit due before"), field_name="next_visit_due", lookup_expr="lt"
    )

    class Meta:
        model = Household
        fields = ["q", "region", "poverty_status", "risk_level", "layer", "due_before"]

    def filter_region(self, queryset, name, value):
        # A full 12-digit code means everything under that region; a shorter value is a prefix.
        return under_region(queryset, value, as_range=True)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if looks_like_id_number(value):
            # An ID number is searched through its keyed hash, in a POST body only
            # (households.views.household_search): one in a query string matches nothing.
            return queryset.none()
        if value.isdigit():
            return number_search(queryset, value)
        member_named = Member.objects.filter(household=OuterRef("pk"), name__contains=value)
        return queryset.filter(Q(head_name__contains=value) | Q(Exists(member_named)))


class HouseholdPageFilter(HouseholdFilter):
    """The same filters on the list page: regions picked by name, levels as check boxes, and the
    orders a cadre works through (the API's `ordering` values, so a link can be shared)."""

    # Each order ends in the household id (core.pagination adds it) and NULLs sort last
    # ascending, as PostgreSQL and the keyset pages sort them: never-visited households come
    # after every visited one, households without a due date after every due one.
    ORDERINGS = [
        ("number", _("Household number")),
        ("-risk_score", _("Highest risk score first")),
        ("last_visit_on", _("Earliest last visit first")),
        ("next_visit_due", _("Next visit due soonest first")),
    ]
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=ORDERINGS, method="filter_ordering", empty_label=None
    )

    class Meta(HouseholdFilter.Meta):
        fields = [*HouseholdFilter.Meta.fields, "ordering"]

    def __init__(self, data=None, *args, request, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        areas = regions_visible_to(request.user).filter(level__in=["township", "village"])
        # The villages and townships are data (tests/page_language.py).
        self.form.fields["region"].widget = forms.Select(
            attrs={"translate": "no"},
            choices=[("", _("All my region"))]
            + [
                (
                    area.prefix,
                    area.short_name if area.level == "township" else f"— {area.short_name}",
                )
                for area in areas.order_by("code").only("code", "name", "level")
            ],
        )
        self.form.fields["risk_level"].widget = forms.CheckboxSelectMultiple(
            choices=RiskLevel.choices
        )
        self.form.fields["layer"].widget = forms.CheckboxSelectMultiple(choices=Layer.choices)

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*household_ordering([value]))
