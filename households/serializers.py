from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from households.masking import mask_account, mask_phone
from households.models import Household, Member, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class MemberSerializer(serializers.ModelSerializer):
    """A member as everyone sees it: sensitive fields masked or left out."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()
    disability = serializers.SerializerMethodField()
    health_note = serializers.SerializerMethodField()
    sensitive_masked = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            "name",
            "id_number",
            "sex",
            "birth_date",
            *Member.FACT_FIELDS,
            "version",
            "sensitive_masked",
        ]
        read_only_fields = fields

    def get_phone(self, member) -> str:
        return mask_phone(member.phone)

    # Health details are withheld entirely (null) until unmasked: a partial value would leak.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_health(self, member):
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_disability(self, member):
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_health_note(self, member):
        return None

    def get_sensitive_masked(self, member) -> bool:
        return True


class MemberWriteSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        write_only=True, required=False, max_length=32, help_text=_("18-character ID number")
    )
    household = serializers.IntegerField()
    version = serializers.IntegerField(required=False, help_text=_("Required when updating"))

    class Meta:
        model = Member
        fields = [
            "household",
            "name",
            "id_number",
            *Member.FACT_FIELDS,
            "version",
        ]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": [_("This field is required.")]})
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": [_("This field is required.")]})
        return attrs


class HouseholdSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.short_name", read_only=True)
    phone = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "village",
            "village_name",
            "address",
            "phone",
            "bank_account",
            "poverty_status",
            "poverty_exit_year",
            "head_name",
            "member_count",
            "risk_level",
            "risk_score",
            "per_capita_income",
            "last_visit_on",
            "next_visit_due",
            "version",
            "members",
        ]
        read_only_fields = fields

    def get_phone(self, household) -> str:
        return mask_phone(household.phone)

    def get_bank_account(self, household) -> str:
        return mask_account(household.bank_account)


class HouseholdWriteSerializer(serializers.ModelSerializer):
    village = serializers.CharField(max_length=12)
    number = serializers.CharField(max_length=20, required=False)
    version = serializers.IntegerField(required=False, help_text=_("Required when updating"))

    class Meta:
        model = Household
        fields = [
            "number",
            "village",
            "address",
            "phone",
            "bank_account",
            "poverty_status",
            "poverty_exit_year",
            "version",
        ]
        # Uniqueness is the service's to judge, under its lock, not the serializer's.
        extra_kwargs = {"number": {"validators": []}}

    def validate(self, attrs):
        if self.instance is not None:
            if "version" not in attrs:
                raise serializers.ValidationError({"version": [_("This field is required.")]})
            if "number" in attrs:
                raise serializers.ValidationError(
                    {"number": [_("A household number cannot be changed.")]}
                )
        return attrs


class UnmaskRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("Why the full data is needed"))
    member = serializers.IntegerField(required=False)


class UnmaskedMemberSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    health = serializers.CharField()
    disability = serializers.CharField()
    health_note = serializers.CharField()


class UnmaskedHouseholdSerializer(serializers.Serializer):
    household_id = serializers.IntegerField()
    phone = serializers.CharField()
    bank_account = serializers.CharField()
    members = UnmaskedMemberSerializer(many=True)


class IdNumberLookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32)
