import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from households.models import Household, Member, PovertyStatus, RiskLevel


class HouseholdFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(
        label=_("Region code"),
        method="filter_region",
        validators=[
            RegexValidator(r"^\d{2,12}$", _("A region code is 2 to 12 digits.")),
        ],
    )
    poverty_status = django_filters.ChoiceFilter(
        label=_("Poverty status"), choices=PovertyStatus.choices
    )
    risk_level = django_filters.MultipleChoiceFilter(
        label=_("Risk level"), choices=RiskLevel.choices
    )
    q = django_filters.CharFilter(label=_("Name or household number"), method="filter_text")

    class Meta:
        model = Household
        fields = ["region", "poverty_status", "risk_level", "q"]

    def filter_region(self, queryset, name, value):
        # A full 12-digit code means everything under that region; a shorter value is a prefix.
        from households.regions import is_region_code, prefix_of

        prefix = prefix_of(value) if is_region_code(value) and value.strip("0") else value
        return queryset.filter(village__code__startswith=prefix)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(number__startswith=value)
        member_named = Member.objects.filter(household=OuterRef("pk"), name__contains=value)
        return queryset.filter(Q(head_name__contains=value) | Q(Exists(member_named)))
