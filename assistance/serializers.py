"""What the assistance API shows and what it accepts.

These serializers only read and check the shape of a request; every write goes through the
services, the same ones the pages call. A measure shows its household as the least a partner
needs to find it (head's name, household number, village): never an ID number, a phone, a bank
account or a health detail, whoever asks.
"""

from collections.abc import Callable
from typing import Any, TypedDict

from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assistance import selectors
from assistance.models import (
    DELEGABLE_PERMISSIONS,
    Case,
    CaseCategory,
    CaseComment,
    CaseOrigin,
    CaseStatus,
    CaseStep,
    CivilAffairsDecision,
    CivilAffairsKind,
    CivilAffairsReferral,
    Decision,
    Delegation,
    Department,
    InfoCheckResult,
    Measure,
    MeasureKind,
    MeasureStatus,
    Need,
    NeedStatus,
    OfferKind,
    Partner,
    PartnerKind,
    PartnerOffer,
    ReferralStatus,
    RiskType,
    SocialAssistance,
    StepKind,
)
from core import regions
from core.api import BoundedListField
from core.masking import mask_phone


class IdBounds(TypedDict):
    """The range of a primary key the API takes, given as keyword arguments."""

    min_value: int
    max_value: int


ID: IdBounds = {"min_value": 1, "max_value": 2**62}


class MoneyBounds(TypedDict):
    """What every money field of the API takes, given as keyword arguments."""

    max_digits: int
    decimal_places: int
    min_value: int


MONEY: MoneyBounds = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
VERSION_HELP = _("The version you saw; a stale one is refused with 409")


def _named_enum(
    choices: type[models.TextChoices], name: str
) -> Callable[..., serializers.ChoiceField]:
    """A choice field documented as one named enum wherever it appears.

    Several choice sets share a field name here ("kind", "status"), and each appears in both a
    reading and a writing serializer; left to itself drf-spectacular would name them by a hash.
    """
    description = format_lazy(
        "\n".join(["* `{}` - {}"] * len(choices.choices)),
        *[part for pair in choices.choices for part in pair],
    )

    # Returned as a callable of keyword arguments: its choices are fixed here.
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices.choices, **kwargs)

    NamedChoiceField.__name__ = NamedChoiceField.__qualname__ = f"{choices.__name__}Field"
    schema = {"type": "string", "enum": list(choices.values), "description": description}
    return extend_schema_field(schema, component_name=name)(NamedChoiceField)


CaseStatusField = _named_enum(CaseStatus, "CaseStatusEnum")
StepKindField = _named_enum(StepKind, "StepKindEnum")
MeasureKindField = _named_enum(MeasureKind, "MeasureKindEnum")
MeasureStatusField = _named_enum(MeasureStatus, "MeasureStatusEnum")
PartnerKindField = _named_enum(PartnerKind, "PartnerKindEnum")
OfferKindField = _named_enum(OfferKind, "OfferKindEnum")
ReferralStatusField = _named_enum(ReferralStatus, "ReferralStatusEnum")
NeedStatusField = _named_enum(NeedStatus, "NeedStatusEnum")


def _version(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, help_text=VERSION_HELP, **kwargs)


# References ---------------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.display_name


class PartnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MemberRefSerializer(serializers.Serializer):
    """A member named, nothing more: no ID number, phone or health."""

    id = serializers.IntegerField()
    name = serializers.CharField()


# Cases --------------------------------------------------------------------------------------


class CaseHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    head_name = serializers.CharField()
    village_name = serializers.CharField(source="village.short_name")


class EligibilityItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    passed = serializers.BooleanField()
    # A declared field: DRF's metaclass takes it off the class, so it does not replace
    # Field.label at run time, whatever the stubs see.
    label = serializers.CharField()  # type: ignore[assignment]
    detail = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField(help_text=_("True when every item passed"))
    items = EligibilityItemSerializer(many=True)


class CaseStepSerializer(serializers.ModelSerializer):
    kind = StepKindField()
    overdue = serializers.SerializerMethodField(
        help_text=_("Waiting for a decision past its due date")
    )
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    # Declared because a read-only model field loses `blank`: "" (not decided yet) is a value.
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True, read_only=True)
    info_check_result = serializers.ChoiceField(
        choices=InfoCheckResult.choices, allow_blank=True, read_only=True
    )
    eligibility = EligibilityItemSerializer(
        source="eligibility_items",
        many=True,
        help_text=_("What the eligibility check said when elimination was proposed or approved"),
    )
    delegation = serializers.IntegerField(
        source="delegation_id",
        allow_null=True,
        read_only=True,
        help_text=_("The delegation the step was taken under, if it was not the actor's role's"),
    )

    class Meta:
        model = CaseStep
        fields = [
            "phase",
            "round",
            "position",
            "kind",
            "due_on",
            "due_days",
            "due_unit",
            "due_profile",
            "overdue",
            "decision",
            "actor",
            "decided_at",
            "comment",
            "info_check_result",
            "notice_starts_on",
            "notice_ends_on",
            "objections",
            "eligibility",
            "delegation",
        ]
        read_only_fields = fields

    def get_overdue(self, step) -> bool:
        # `is_current` is annotated by the view from the selectors' idea of the waiting steps.
        today = self.context.get("today") or timezone.localdate()
        return bool(getattr(step, "is_current", False)) and step.due_on < today


class NextStepPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text=_("The user, when the person is one (not the household)")
    )
    name = serializers.CharField()
    relation = serializers.CharField(
        help_text=_("How the person comes to the step: delegate, responsible or paired cadre")
    )


class NextStepSerializer(serializers.Serializer):
    kind = StepKindField(help_text=_("The step the case waits for"))
    due_on = serializers.DateField()
    role = serializers.ChoiceField(
        choices=["household", "village", "township", "county"],
        help_text=_("Who takes the step: the household itself, the village, township or county"),
    )
    role_label = serializers.CharField(help_text=_("The role in words"))
    person = NextStepPersonSerializer(allow_null=True, help_text=_("Who in person, where known"))
    available = serializers.BooleanField(
        help_text=_("Whether the requesting user may record the step now")
    )
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why not, in words (empty when available)")
    )
    hold = serializers.CharField(
        allow_blank=True,
        help_text=_(
            "What holds the step for everyone: not_posted, notice_running (empty when nothing)"
        ),
    )


class CivilAffairsSerializer(serializers.ModelSerializer):
    referred_by = UserRefSerializer()
    recorded_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = CivilAffairsReferral
        fields = [
            "kind",
            "referred_on",
            "referred_by",
            "decision",
            "decided_on",
            "amount",
            "note",
            "recorded_by",
            "version",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    household = CaseHouseholdSerializer()
    alert = serializers.IntegerField(source="alert_id", allow_null=True)
    proposed_by = UserRefSerializer()
    status = CaseStatusField()
    responsible = UserRefSerializer(allow_null=True)
    next_step = serializers.SerializerMethodField()
    civil_affairs = serializers.SerializerMethodField()
    steps = CaseStepSerializer(many=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "household",
            "origin",
            "alert",
            "category",
            "risk_types",
            "situation",
            "social_assistance",
            "civil_affairs",
            "status",
            "proposed_by",
            "proposed_on",
            "responsible",
            "enrolled_on",
            "eliminated_on",
            "closed_on",
            "close_reason",
            "elimination_round",
            "version",
            "next_step",
            "steps",
        ]
        read_only_fields = fields

    @extend_schema_field(CivilAffairsSerializer(allow_null=True))
    def get_civil_affairs(self, case) -> dict | None:
        """The case's referral to civil affairs and its decision, or null when never referred."""
        referral = getattr(case, "civil_affairs", None)  # select_related by the view
        return None if referral is None else CivilAffairsSerializer(referral).data

    @extend_schema_field(NextStepSerializer(allow_null=True))
    def get_next_step(self, case) -> dict | None:
        # Worked out for the whole page by the view (assistance.next_steps), from the waiting
        # steps the prefetch marks `is_current`.
        action = self.context.get("next_actions", {}).get(case.pk)
        if action is None:
            return None
        return {
            "kind": action.kind,
            "due_on": action.due_on,
            "role": action.level,
            "role_label": action.level_label,
            "person": {"id": action.person_id, "name": action.person, "relation": action.relation}
            if action.person
            else None,
            "available": action.available,
            "reason": action.reason,
            "hold": action.hold,
        }


class _CaseDescriptionSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=CaseCategory.choices)
    risk_types = BoundedListField(
        child=serializers.ChoiceField(choices=RiskType.choices), allow_empty=False, max_length=9
    )
    situation = serializers.CharField(max_length=5000)
    responsible = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("The cadre responsible for the case"), **ID
    )


class CaseProposeSerializer(_CaseDescriptionSerializer):
    household = serializers.IntegerField(**ID)
    origin = serializers.ChoiceField(choices=CaseOrigin.choices)
    alert = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The confirmed risk warning, when the case comes from one"),
        **ID,
    )
    social_assistance = serializers.ChoiceField(
        choices=SocialAssistance.choices,
        required=False,
        allow_null=True,
        help_text=_("Taken from the members' dibao and tekun when not given"),
    )
    civil_affairs = serializers.ChoiceField(
        choices=CivilAffairsKind.choices,
        required=False,
        allow_null=True,
        help_text=_("Refer the household to civil affairs for this at once"),
    )


class CaseUpdateSerializer(_CaseDescriptionSerializer):
    social_assistance = serializers.ChoiceField(choices=SocialAssistance.choices)
    version = _version()


class CivilAffairsReferSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CivilAffairsKind.choices)


class CivilAffairsDecisionSerializer(serializers.Serializer):
    version = _version()
    decision = serializers.ChoiceField(
        choices=CivilAffairsDecision.choices, help_text=_("approved or rejected")
    )
    decided_on = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class StepDecisionSerializer(serializers.Serializer):
    version = _version()
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("Required when rejected")
    )


class InfoCheckSerializer(StepDecisionSerializer):
    info_check_result = serializers.ChoiceField(choices=InfoCheckResult.choices)


class NoticeResultSerializer(StepDecisionSerializer):
    objections = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("Objections received")
    )


class NoticePostSerializer(serializers.Serializer):
    version = _version()
    starts_on = serializers.DateField(help_text=_("First day of the notice"))
    ends_on = serializers.DateField(
        help_text=_("Last day objections are taken; at least five days, both ends counted")
    )


class EliminationProposeSerializer(serializers.Serializer):
    version = _version()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class SuggestionSerializer(serializers.Serializer):
    measure_kind = MeasureKindField(source="kind")
    title = serializers.CharField()
    offer_kinds = serializers.ListField(
        child=OfferKindField(), help_text=_("Kinds of partner offer that can carry it")
    )
    department = serializers.CharField(help_text=_("The department that owns the measure"))
    typical_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    national = serializers.BooleanField(help_text=_("A national entry, not the region's own"))


# Partners and offers ------------------------------------------------------------------------


class PartnerSerializer(serializers.ModelSerializer):
    kind = PartnerKindField()
    area = serializers.CharField(source="area_id")
    area_name = serializers.CharField(source="area.short_name")
    # "" for a partner that is not a government department (see CaseStepSerializer.decision).
    department = serializers.ChoiceField(
        choices=Department.choices, allow_blank=True, read_only=True
    )
    contact_phone = serializers.SerializerMethodField(
        help_text=_(
            "Masked in lists; in full for one partner to its own users and to county officers."
        )
    )

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "kind",
            "department",
            "area",
            "area_name",
            "contact_name",
            "contact_phone",
            "address",
            "description",
            "is_active",
            "version",
        ]
        read_only_fields = fields

    def get_contact_phone(self, partner) -> str:
        request, view = self.context.get("request"), self.context.get("view")
        if request is None:
            return mask_phone(partner.contact_phone)
        listed = view is None or getattr(view, "action", "list") == "list"
        return selectors.partner_contact_phone(user=request.user, partner=partner, listed=listed)


class PartnerWriteSerializer(serializers.ModelSerializer):
    kind = PartnerKindField()
    area = serializers.RegexField(
        regions.CODE_PATTERN, help_text=_("12-digit code of the area served")
    )
    version = _version(required=False)

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "department",
            "area",
            "contact_name",
            "contact_phone",
            "address",
            "description",
            "is_active",
            "version",
        ]
        # The unique name per area is the service's to judge, under its transaction.
        validators: list = []


class PartnerOfferSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer()
    kind = OfferKindField()
    measure_kind = MeasureKindField()
    area = serializers.CharField(source="area_id")
    area_name = serializers.CharField(source="area.short_name")

    class Meta:
        model = PartnerOffer
        fields = [
            "id",
            "partner",
            "kind",
            "measure_kind",
            "title",
            "description",
            "area",
            "area_name",
            "quantity",
            "unit",
            "amount",
            "available_from",
            "available_until",
            "is_active",
            "version",
        ]
        read_only_fields = fields


class PartnerOfferWriteSerializer(serializers.ModelSerializer):
    kind = OfferKindField()
    measure_kind = MeasureKindField()
    partner = serializers.IntegerField(
        required=False, help_text=_("Required when creating; an offer stays with its partner"), **ID
    )
    area = serializers.RegexField(
        regions.CODE_PATTERN,
        required=False,
        allow_null=True,
        help_text=_("The partner's area if not given"),
    )
    amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    version = _version(required=False)

    class Meta:
        model = PartnerOffer
        fields = [
            "partner",
            "kind",
            "measure_kind",
            "title",
            "description",
            "area",
            "quantity",
            "unit",
            "amount",
            "available_from",
            "available_until",
            "is_active",
            "version",
        ]


class CaseSuggestionsSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
    offers = PartnerOfferSerializer(many=True, help_text=_("Open partner offers that fit"))


# Measures -----------------------------------------------------------------------------------


class MeasureHouseholdSerializer(serializers.Serializer):
    """The least of the household a partner needs to deliver: whom, and where."""

    head_name = serializers.CharField()
    village_name = serializers.CharField(source="village.short_name")


class MeasureSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id")
    household = MeasureHouseholdSerializer(source="case.household")
    kind = MeasureKindField()
    status = MeasureStatusField()
    partner = PartnerRefSerializer(allow_null=True)
    offer = serializers.IntegerField(source="offer_id", allow_null=True)
    responsible = UserRefSerializer()
    members = MemberRefSerializer(many=True)
    referral_status = ReferralStatusField(
        help_text=_("The partner's answer to the referral; empty for a measure without a partner")
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "case",
            "household",
            "kind",
            "title",
            "partner",
            "offer",
            "responsible",
            "members",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "planned_amount",
            "delivered_amount",
            "in_kind",
            "status",
            "result",
            "continues_after_case",
            "referral_status",
            "referred_at",
            "referral_due",
            "responded_at",
            "decline_reason",
            "version",
        ]
        read_only_fields = fields


class MeasureWriteSerializer(serializers.Serializer):
    case = serializers.IntegerField(
        required=False, help_text=_("Required when creating; a measure stays with its case"), **ID
    )
    kind = MeasureKindField()
    title = serializers.CharField(max_length=120)
    responsible = serializers.IntegerField(help_text=_("The cadre responsible"), **ID)
    planned_start = serializers.DateField()
    planned_end = serializers.DateField(required=False, allow_null=True)
    partner = serializers.IntegerField(required=False, allow_null=True, **ID)
    offer = serializers.IntegerField(required=False, allow_null=True, **ID)
    members = BoundedListField(
        child=serializers.IntegerField(**ID),
        required=False,
        max_length=30,
        help_text=_("Members of the household it is for"),
    )
    planned_amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    in_kind = serializers.CharField(required=False, allow_blank=True, max_length=200)
    continues_after_case = serializers.BooleanField(required=False)
    version = _version(required=False)


class MeasureDeliverySerializer(serializers.Serializer):
    version = _version()
    status = MeasureStatusField()
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_end = serializers.DateField(required=False, allow_null=True)
    delivered_amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    result = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("What came of it")
    )


class MeasureAnswerSerializer(serializers.Serializer):
    version = _version(required=False)


class MeasureDeclineSerializer(MeasureAnswerSerializer):
    reason = serializers.CharField(
        max_length=500, help_text=_("Why the partner cannot take the measure on")
    )


# The needs board ------------------------------------------------------------------------------


class NeedVillageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class NeedSerializer(serializers.ModelSerializer):
    """A need: the village and the need. Its case and the measure it became are shown to cadres;
    to a partner's users (context `board`) they are null, as is everything of the household."""

    kind = MeasureKindField()
    status = NeedStatusField()
    village = NeedVillageSerializer()
    claimed_by = PartnerRefSerializer(allow_null=True)
    case = serializers.IntegerField(
        source="case_id", allow_null=True, help_text=_("Null for partners")
    )
    measure = serializers.IntegerField(source="measure_id", allow_null=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "kind",
            "village",
            "quantity",
            "needed_by",
            "description",
            "status",
            "claimed_by",
            "claimed_at",
            "case",
            "measure",
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("board"):
            data["case"] = data["measure"] = None
        return data


class NeedWriteSerializer(serializers.Serializer):
    case = serializers.IntegerField(**ID)
    kind = MeasureKindField()
    quantity = serializers.CharField(max_length=60)
    needed_by = serializers.DateField()
    description = serializers.CharField(
        max_length=500, help_text=_("What is needed; no names, ID or phone numbers")
    )


class NeedVersionSerializer(serializers.Serializer):
    version = _version()


class NeedClaimSerializer(serializers.Serializer):
    version = _version(required=False)


class OverdueTownshipSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The township's 12-digit code."))
    name = serializers.CharField()
    count = serializers.IntegerField()


class OverdueStepKindSerializer(serializers.Serializer):
    kind = StepKindField()
    name = serializers.CharField(help_text=_("The step's name."))
    count = serializers.IntegerField()


class OverdueCountsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    total = serializers.IntegerField()
    by_township = OverdueTownshipSerializer(many=True)
    by_step = OverdueStepKindSerializer(many=True)


# Delegations and a case's conversation ---------------------------------------------------------


class DelegationSerializer(serializers.ModelSerializer):
    delegator = UserRefSerializer()
    delegate = UserRefSerializer()
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    revoked_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "delegator",
            "delegate",
            "permission",
            "region",
            "region_name",
            "starts_on",
            "ends_on",
            "reason",
            "created_at",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields


class DelegationCreateSerializer(serializers.Serializer):
    delegate = serializers.IntegerField(help_text=_("The id of the user who takes the steps"))
    permission = serializers.ChoiceField(choices=list(DELEGABLE_PERMISSIONS.items()))
    region = serializers.CharField(
        max_length=12, help_text=_("The code of the village or township")
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class CaseCommentSerializer(serializers.ModelSerializer):
    """A note: its author and the users it mentions by name only, nothing of the household."""

    author = UserRefSerializer()
    mentions = serializers.SerializerMethodField()

    class Meta:
        model = CaseComment
        fields = ["id", "author", "text", "created_at", "mentions"]
        read_only_fields = fields

    @extend_schema_field(UserRefSerializer(many=True))
    def get_mentions(self, comment) -> list[dict]:
        return [UserRefSerializer(mention.user).data for mention in comment.mentions.all()]


class CaseCommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
