"""The shapes of GET /api/v1/outcomes/ and /api/v1/outcomes/cases/ (read-only)."""

from rest_framework import serializers


def _money() -> serializers.DecimalField:
    """Yuan with two decimals; null when not known."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class JobsSerializer(serializers.Serializer):
    months = serializers.IntegerField(help_text="3 or 6: the month after the measure's start.")
    members = serializers.IntegerField(help_text="Members whose month has come.")
    working = serializers.IntegerField()
    not_working = serializers.IntegerField()
    not_recorded = serializers.IntegerField(help_text="No work record that month.")
    not_yet = serializers.IntegerField(help_text="Members whose month has not come.")


class FiguresSerializer(serializers.Serializer):
    cases = serializers.IntegerField(help_text="Enrolled cases counted.")
    eliminated = serializers.IntegerField()
    due_12 = serializers.IntegerField(
        help_text="Eliminated long enough ago for the 12-month visit's window to have closed."
    )
    known_12 = serializers.IntegerField(help_text="Of due_12, with an income 12 months after.")
    known_12_share = serializers.FloatField(allow_null=True)
    changes_12 = serializers.IntegerField(
        help_text="Cases with an income at enrolment and 12 months after."
    )
    median_change_12 = _money()
    old_enough = serializers.IntegerField(help_text="Eliminated 365 days ago or more.")
    reentered = serializers.IntegerField(help_text="Of old_enough, enrolled again within a year.")
    reentry_rate = serializers.FloatField(allow_null=True)
    jobs = JobsSerializer(many=True)


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = FiguresSerializer()


class DeliverySerializer(serializers.Serializer):
    planned = serializers.IntegerField(help_text="All the measures (planned, under way, done).")
    delivered = serializers.IntegerField()
    stopped = serializers.IntegerField()
    delivered_share = serializers.FloatField(allow_null=True)
    planned_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    delivered_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    with_deadline = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True)


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The partner's id (empty: no partner) or the kind.")
    name = serializers.CharField()
    delivery = DeliverySerializer()
    figures = FiguresSerializer(help_text="The outcomes of the households served.")


class OutcomesSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    eliminated_from = serializers.DateField(allow_null=True)
    eliminated_to = serializers.DateField(allow_null=True)
    as_of = serializers.DateField()
    summary = FiguresSerializer()
    child_level = serializers.CharField(allow_null=True)
    areas = AreaSerializer(many=True)
    partners = GroupSerializer(many=True)
    kinds = GroupSerializer(many=True)


class IncomeSerializer(serializers.Serializer):
    day = serializers.DateField(allow_null=True, help_text="The day it is measured around.")
    value = _money()
    state = serializers.ChoiceField(choices=["known", "not_yet", "no_visit"])


class CaseOutcomeSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    village_code = serializers.CharField()
    enrolled_on = serializers.DateField()
    eliminated_on = serializers.DateField(allow_null=True)
    at_enrolment = IncomeSerializer()
    at_elimination = IncomeSerializer()
    after_6_months = IncomeSerializer()
    after_12_months = IncomeSerializer()
    change_12_months = _money()
    reentry = serializers.ChoiceField(choices=["yes", "no", "not_yet", "not_eliminated"])
    reentered_on = serializers.DateField(allow_null=True)
    jobs = JobsSerializer(many=True)
