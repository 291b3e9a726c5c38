"""`/api/v1/plans/`: household development plans (一户一策), scoped to the user's region.

Read: the list (filters household, status, review_overdue) and each plan with its goals,
commitments and reviews. Write, for the roles that may: a draft with its goals (each goal's
commitments nested in it, so none is without its goal), more goals or commitments on a draft,
the household's agreement, a review on a visit, the close. Every write to a plan carries the
plan's `version`; a plan changed since answers 409 and nothing is written."""

import django_filters
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DixianAutoSchema, RolePermission, StrictBooleanFilter, scoped_choices
from development.models import (
    CommitmentRating,
    ConsentMethod,
    DevelopmentPlan,
    GoalArea,
    GoalRating,
    Party,
    PlanCommitment,
    PlanGoal,
    PlanReview,
    PlanStatus,
    ReviewItem,
)
from development.selectors import plans as selectors
from development.services import plans as services
from households.selectors import households_visible_to

MAX_ID = 2**62
MAX_VERSION = 2**31 - 1


class PlanFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    review_overdue = StrictBooleanFilter(method="filter_overdue")

    class Meta:
        model = DevelopmentPlan
        fields = ["household", "status", "review_overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status": PlanStatus.AGREED, "next_review_due__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


# Read ------------------------------------------------------------------------------------------


class GoalReadSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)

    class Meta:
        model = PlanGoal
        fields = ["id", "area", "description", "target", "target_date", "member"]
        read_only_fields = fields


class CommitmentReadSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal_id", read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)
    measure = serializers.IntegerField(source="measure_id", read_only=True, allow_null=True)

    class Meta:
        model = PlanCommitment
        fields = ["id", "goal", "party", "description", "member", "measure", "due"]
        read_only_fields = fields


class ReviewItemReadSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal_id", read_only=True, allow_null=True)
    commitment = serializers.IntegerField(source="commitment_id", read_only=True, allow_null=True)

    class Meta:
        model = ReviewItem
        fields = ["goal", "commitment", "rating", "reason"]
        read_only_fields = fields


class ReviewReadSerializer(serializers.ModelSerializer):
    visit = serializers.IntegerField(source="visit_id", read_only=True)
    reviewed_by = serializers.IntegerField(source="reviewed_by_id", read_only=True)
    items = ReviewItemReadSerializer(many=True, read_only=True)

    class Meta:
        model = PlanReview
        fields = ["id", "visit", "reviewed_by", "reviewed_on", "notes", "items"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True)
    consent_member = serializers.IntegerField(
        source="consent_member_id", read_only=True, allow_null=True
    )
    # Empty until agreed: text rather than the write side's enum, which has no "".
    consent_method = serializers.CharField(
        read_only=True, help_text=_("How the household agreed (empty until it has)")
    )

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "household",
            "household_number",
            "case",
            "status",
            "agreed_on",
            "consent_member",
            "consent_method",
            "consent_witness",
            "next_review_due",
            "closed_on",
            "close_reason",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    goals = GoalReadSerializer(many=True, read_only=True)
    commitments = CommitmentReadSerializer(many=True, read_only=True)
    reviews = ReviewReadSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "goals", "commitments", "reviews"]
        read_only_fields = fields


# Write -----------------------------------------------------------------------------------------


class CommitmentInSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=Party.choices)
    description = serializers.CharField(max_length=300)
    member = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    measure = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    due = serializers.DateField(required=False, allow_null=True)


class GoalInSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=GoalArea.choices)
    description = serializers.CharField(max_length=300)
    target = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    target_date = serializers.DateField(required=False, allow_null=True)
    member = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    commitments = CommitmentInSerializer(many=True, required=False, max_length=20, default=list)  # type: ignore[call-arg]


class PlanCreateSerializer(serializers.Serializer):
    """A draft plan for a household of your region, with its goals and their commitments."""

    household = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    case = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    goals = GoalInSerializer(many=True, required=False, max_length=20, default=list)  # type: ignore[call-arg]


class GoalAddSerializer(GoalInSerializer):
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)


class CommitmentAddSerializer(CommitmentInSerializer):
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)
    goal = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The plan's goal it serves (required)"),
        min_value=1,
        max_value=MAX_ID,
    )


class AgreeSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)
    member = serializers.IntegerField(
        help_text=_("The adult member who agreed"), min_value=1, max_value=MAX_ID
    )
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    witness = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    agreed_on = serializers.DateField(required=False, allow_null=True)


class RatingSerializer(serializers.Serializer):
    goal = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    commitment = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    rating = serializers.ChoiceField(
        choices=sorted({*GoalRating.values, *CommitmentRating.values}),
        help_text=_("A goal: reached, on_track or behind; a commitment: kept, partly or not_kept"),
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if bool(attrs.get("goal")) == bool(attrs.get("commitment")):
            raise serializers.ValidationError(_("Name either a goal or a commitment."))
        return attrs


class ReviewSerializer(serializers.Serializer):
    visit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    ratings = RatingSerializer(many=True, max_length=200)  # type: ignore[call-arg]
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)
    reason = serializers.CharField(max_length=300)


def _commitment(actor, plan, goal_id, data):
    services.commitment_save(
        actor=actor,
        plan_id=plan.pk,
        version=None,
        goal_id=goal_id,
        party=data["party"],
        description=data["description"],
        member_id=data.get("member"),
        measure_id=data.get("measure"),
        due=data.get("due"),
    )


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Household development plans (一户一策) of your region, with their goals, commitments and
    reviews. A review on a visit sent again is the review already recorded (200)."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = DixianAutoSchema()
    permission_model = "development.developmentplan"
    permission_verbs = {
        "goals": "change",
        "commitments": "change",
        "agree": "agree",
        "review": "change",
        "close": "close",
    }
    filterset_class = PlanFilter
    ordering = "-id"

    def get_queryset(self):
        plans = selectors.plans_visible_to(self.request.user).select_related("household")
        if self.action == "list":
            return plans
        return selectors.with_contents(plans)

    def get_serializer_class(self):
        return PlanSerializer if self.action == "list" else PlanDetailSerializer

    def _answer(self, plan, code=status.HTTP_200_OK):
        return Response(PlanDetailSerializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            plan = services.plan_create(
                actor=request.user, household_id=data["household"], case_id=data.get("case")
            )
            for goal_data in data["goals"]:
                goal = services.goal_save(
                    actor=request.user,
                    plan_id=plan.pk,
                    version=None,
                    area=goal_data["area"],
                    description=goal_data["description"],
                    target=goal_data["target"],
                    target_date=goal_data.get("target_date"),
                    member_id=goal_data.get("member"),
                )
                for commitment in goal_data["commitments"]:
                    _commitment(request.user, plan, goal.pk, commitment)
        return self._answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=GoalAddSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def goals(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = GoalAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            goal = services.goal_save(
                actor=request.user,
                plan_id=plan.pk,
                version=data["version"],
                area=data["area"],
                description=data["description"],
                target=data["target"],
                target_date=data.get("target_date"),
                member_id=data.get("member"),
            )
            for commitment in data["commitments"]:
                _commitment(request.user, plan, goal.pk, commitment)
        return self._answer(plan)

    @extend_schema(request=CommitmentAddSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def commitments(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = CommitmentAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.commitment_save(
            actor=request.user,
            plan_id=plan.pk,
            version=data["version"],
            goal_id=data.get("goal"),
            party=data["party"],
            description=data["description"],
            member_id=data.get("member"),
            measure_id=data.get("measure"),
            due=data.get("due"),
        )
        return self._answer(plan)

    @extend_schema(request=AgreeSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = AgreeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.plan_agree(
            actor=request.user,
            plan_id=plan.pk,
            version=data["version"],
            member_id=data["member"],
            method=data["method"],
            witness=data["witness"],
            agreed_on=data.get("agreed_on"),
        )
        return self._answer(plan)

    @extend_schema(
        request=ReviewSerializer, responses={201: PlanDetailSerializer, 200: PlanDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ratings = {
            (f"goal-{row['goal']}" if row.get("goal") else f"commitment-{row['commitment']}"): (
                row["rating"],
                row["reason"],
            )
            for row in data["ratings"]
        }
        _review, created = services.plan_review(
            actor=request.user,
            plan_id=plan.pk,
            visit_id=data["visit"],
            ratings=ratings,
            notes=data["notes"],
        )
        return self._answer(plan, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=CloseSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.plan_close(actor=request.user, plan_id=plan.pk, **serializer.validated_data)
        return self._answer(plan)
