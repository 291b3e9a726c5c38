import datetime
from typing import cast

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from core.api import BoundedListField
from core.masking import age_this_year, mask_account, mask_phone
from households import layer_words
from households.history import TIMELINE_KIND_CHOICES
from households.models import Household, Member, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


# DRF field classes whose representation of a model value is the value itself (a str, an int, a
# bool, a choice's own value), and those whose representation is its ISO date.
_AS_IS = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.BooleanField,
)


# DRF's `to_representation`, planned once per serializer instead of once per field per row.
#
# DRF's generic field walk (`get_attribute` resolving each source path, an isinstance check per
# value, a generator of readable fields per row) cost 14 ms of CPU for a page of 50 households
# with 200 members; planned, 4.5 ms (bench database, `process_time`). The plan reads a plain
# model field straight from its attribute, a date through `isoformat()`, a method field through
# its method and a nested list through its child's plan; every other field goes through DRF's
# own code unchanged. The output is DRF's, byte for byte (tests/households/test_serializers.py
# compares the two).
# (A comment, not a docstring: drf-spectacular would print a docstring into the schema of
# every serializer that takes the mixin.)
class FastReadMixin:
    _read_specs: dict = {}  # serializer class -> its plan, without the instance's bindings

    @classmethod
    def _spec(cls, fields) -> list:
        """How each readable field is read, worked out once per class from DRF's own fields
        (these serializers never change their fields per request)."""
        model = cls.Meta.model
        spec = []
        for field in fields:
            name, source = field.field_name, field.source
            first = source.split(".")[0]
            try:
                model_field = model._meta.get_field(first) if source != "*" else None
            except Exception:  # a property or a method: DRF's own path
                model_field = None
            as_is = isinstance(field, _AS_IS) and not getattr(field, "coerce_to_string", False)
            if isinstance(field, serializers.SerializerMethodField):
                spec.append((name, "method", field.method_name))
            elif isinstance(field, serializers.ListSerializer) and isinstance(
                field.child, FastReadMixin
            ):
                spec.append((name, "many", source))
            elif model_field is None:
                spec.append((name, "drf", name))
            elif "." in source:
                # A value across a required foreign key (village.short_name): never None on the
                # way, so DRF's None handling has nothing to do.
                hops = source.split(".")
                plain = (
                    len(hops) == 2
                    and model_field.many_to_one
                    and not model_field.null
                    and type(field) is serializers.CharField
                )
                spec.append((name, "path", tuple(hops)) if plain else (name, "drf", name))
            elif type(field) is serializers.PrimaryKeyRelatedField and field.pk_field is None:
                spec.append((name, "as_is", model_field.attname))
            elif not model_field.is_relation and as_is:
                spec.append((name, "as_is", model_field.attname))
            elif not model_field.is_relation and type(field) is serializers.DateField:
                spec.append((name, "date", model_field.attname))
            else:
                spec.append((name, "drf", name))
        return spec

    def _plan(self) -> list:
        plan = getattr(self, "_read_plan", None)
        if plan is not None:
            return plan
        spec = FastReadMixin._read_specs.get(type(self))
        if spec is None:
            spec = FastReadMixin._read_specs[type(self)] = self._spec(list(self._readable_fields))
        plan = []
        for name, kind, how in spec:
            if kind == "method":
                how = getattr(self, how)
            elif kind == "many":
                # Rows the view read for the whole page (context "<source>_of": pk -> rows),
                # else the instance's own related rows.
                context = cast(serializers.BaseSerializer, self).context
                how = (how, self.fields[name].child, context.get(f"{how}_of"))
            elif kind == "drf":
                how = self.fields[name]
            plan.append((name, kind, how))
        self._read_plan = plan
        return plan

    def to_representation(self, instance):
        result = {}
        for name, kind, how in self._plan():
            if kind == "as_is":
                result[name] = getattr(instance, how)
            elif kind == "date":
                value = getattr(instance, how)
                # DRF refuses a datetime in a DateField; keep that path for it.
                if value is not None and type(value) is not datetime.date:
                    value = self.fields[name].to_representation(value)
                    result[name] = value
                else:
                    result[name] = None if value is None else value.isoformat()
            elif kind == "method":
                result[name] = how(instance)
            elif kind == "path":
                value = getattr(getattr(instance, how[0]), how[1])
                result[name] = None if value is None else str(value)
            elif kind == "many":
                source, child, given = how
                rows = given[instance.pk] if given is not None else getattr(instance, source).all()
                result[name] = [child.to_representation(row) for row in rows]
            else:
                try:
                    attribute = how.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                result[name] = None if check is None else how.to_representation(attribute)
        return result


class MemberSerializer(FastReadMixin, serializers.ModelSerializer):
    """A member as everyone sees it: sensitive fields masked or left out."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()
    disability = serializers.SerializerMethodField()
    health_note = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    sensitive_masked = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            "name",
            "id_number",
            "sex",
            "age",
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

    # Never the birth date: it is the 8 digits the ID mask hides, and rebuilds the whole number.
    @extend_schema_field(
        serializers.IntegerField(
            help_text=_(
                "Age reached this calendar year (the year minus the birth year). The birth date "
                "is shown only by the recorded unmasking."
            )
        )
    )
    def get_age(self, member) -> int:
        return age_this_year(member.birth_date, today=self._today)

    @cached_property
    def _today(self) -> datetime.date:
        # Once per serializer, not once per member: timezone.localdate() reads the settings and
        # the clock, a fifth of a 50-household page's serializing when called per member.
        return timezone.localdate()

    def get_sensitive_masked(self, member) -> bool:
        return True


class MemberWriteSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        write_only=True, required=False, max_length=32, help_text=_("18-character ID number")
    )
    # Write-only: the member's household is a Household, which an IntegerField cannot render.
    household = serializers.IntegerField(write_only=True)
    version = serializers.IntegerField(required=False, help_text=_("Required when updating"))
    changed_on = serializers.DateField(
        write_only=True,
        required=False,
        help_text=_(
            "When updating: the day a death, a move, an illness or another change happened; "
            "today if not given"
        ),
    )
    new_head = serializers.IntegerField(
        write_only=True,
        required=False,
        help_text=_("When the head dies or moves out: the member who becomes head"),
    )

    class Meta:
        model = Member
        fields = [
            "household",
            "name",
            "id_number",
            *Member.FACT_FIELDS,
            "version",
            "changed_on",
            "new_head",
        ]
        # One active head per household, one active membership per person: the services judge
        # them and say so in the policy's words (DRF's own check of the constraints would answer
        # "The fields household must make a unique set").
        validators: list = []

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": [_("This field is required.")]})
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": [_("This field is required.")]})
        return attrs


class LayerReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_(
            "tekun_member, dibao_member, below_dibao, below_edge, rigid_spending or monitored"
        )
    )
    text = serializers.CharField(help_text=_("The reason in words, with its figures"))


class HouseholdSerializer(FastReadMixin, serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.short_name", read_only=True)
    phone = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()
    members = MemberSerializer(many=True, read_only=True)
    layer_reasons = serializers.SerializerMethodField()

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
            "income_sharers",
            "risk_level",
            "risk_score",
            "layer",
            "layer_reasons",
            "per_capita_income",
            "last_visit_on",
            "next_visit_due",
            "version",
            "members",
        ]
        read_only_fields = fields

    def get_phone(self, household) -> str:
        return mask_phone(household.phone)

    @extend_schema_field(LayerReasonSerializer(many=True))
    def get_layer_reasons(self, household) -> list[dict]:
        return [
            {"code": str(reason.get("code", "")), "text": layer_words.reason_text(reason)}
            for reason in household.layer_reasons or ()
            if isinstance(reason, dict)
        ]

    def get_bank_account(self, household) -> str:
        return mask_account(household.bank_account)


# The household's columns HouseholdSerializer reads (with its village's name): a list reads only
# these (households/api.py). The rest of the wide row (the risk reasons' JSON, the engine's dates
# and flags, the timestamps) was a third of the list's reading, for nothing it sends.
# A method field reads the column of its own name (phone, bank_account, layer_reasons); one that
# reads another column must add it here, or each row reads it in a query of its own.
_HOUSEHOLD_FIELDS = {field.name for field in Household._meta.concrete_fields}
HOUSEHOLD_COLUMNS = (
    *(name for name in HouseholdSerializer.Meta.fields if name in _HOUSEHOLD_FIELDS),
    "village__name",
)


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
        extra_kwargs: dict[str, dict] = {"number": {"validators": []}}

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
    birth_date = serializers.DateField()
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


class LifeEventSerializer(serializers.Serializer):
    """One row of a household's timeline. The other household (where a member came from or went
    to, the household split off or merged in) is given only if the reader may see it."""

    occurred_on = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=TIMELINE_KIND_CHOICES,
        help_text=_("A health or disability event is given as health_changed, never its kind"),
    )
    kind_label = serializers.CharField(source="label", help_text=_("The event in words"))
    member = serializers.CharField(help_text=_("The member's name, empty for the household"))
    other_household = serializers.CharField(
        help_text=_("The other household's number, or 'another household' outside your region")
    )


class MemberMoveSerializer(serializers.Serializer):
    household = serializers.IntegerField(help_text=_("The household the member moves to"))
    relation = serializers.ChoiceField(
        choices=Member.Relation.choices, help_text=_("Relation to the head of the new household")
    )
    version = serializers.IntegerField()
    changed_on = serializers.DateField(
        required=False, help_text=_("The day the member moved; today if not given")
    )
    new_head = serializers.IntegerField(
        required=False,
        help_text=_("When the head moves out: the member who becomes head of the old household"),
    )


class HouseholdSplitSerializer(serializers.Serializer):
    members = BoundedListField(
        child=serializers.IntegerField(),
        max_length=30,
        help_text=_("The members who set up the new household"),
    )
    head = serializers.IntegerField(help_text=_("The new household's head, one of `members`"))
    new_head = serializers.IntegerField(
        required=False,
        help_text=_("When the head leaves: the member who becomes head of this household"),
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    changed_on = serializers.DateField(required=False)


class HouseholdMergeSerializer(serializers.Serializer):
    other_household = serializers.IntegerField(
        help_text=_("The household of the same village whose members join this one")
    )
    # A CharField, not a second enum of the relations in the schema; the service checks it.
    head_relation = serializers.CharField(
        max_length=12,
        default=Member.Relation.OTHER,
        help_text=_(
            "The other household's head's relation to this household's head (a `relation` "
            "value other than head)"
        ),
    )
    changed_on = serializers.DateField(required=False)
