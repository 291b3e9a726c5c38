"""`/api/v1/insurance-claims/`: prevention insurance (防贫保险) claims and their decisions."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DixianAutoSchema, RolePermission, scoped_choices
from households.selectors import households_visible_to
from livelihoods.api import money_field
from livelihoods.models import ClaimCause, ClaimStatus, InsuranceClaim
from livelihoods.selectors import insurance as selectors
from livelihoods.services import insurance as services

SCOPED = [permissions.IsAuthenticated, RolePermission]
DECISIONS = [
    (ClaimStatus.PAID, ClaimStatus.PAID.label),
    (ClaimStatus.REFUSED, ClaimStatus.REFUSED.label),
]


class InsuranceClaimSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = InsuranceClaim
        fields = [
            "id",
            "household",
            "household_number",
            "insurer",
            "cause",
            "claimed_on",
            "amount_claimed",
            "status",
            "amount_paid",
            "decided_on",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class InsuranceClaimCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=2**62)
    insurer = serializers.CharField(max_length=100)
    cause = serializers.ChoiceField(choices=ClaimCause.choices)
    claimed_on = serializers.DateField()
    amount_claimed = money_field()


class InsuranceClaimDecideSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DECISIONS)
    decided_on = serializers.DateField()
    amount_paid = money_field(required=False, allow_null=True)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The claim's version you started from; 409 if it has changed since"),
    )


class InsuranceClaimFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))

    class Meta:
        model = InsuranceClaim
        fields = ["household", "status", "cause"]


class InsuranceClaimViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Prevention insurance claims. POST records a claim (the same claim sent again answers the
    stored one, 200); `decide` records the insurer's answer: paid (no more than claimed) or
    refused."""

    serializer_class = InsuranceClaimSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "livelihoods.insuranceclaim"
    permission_verbs = {"decide": "change"}
    filterset_class = InsuranceClaimFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.claims_visible_to(self.request.user).select_related("household")

    @extend_schema(
        request=InsuranceClaimCreateSerializer,
        responses={201: InsuranceClaimSerializer, 200: InsuranceClaimSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = InsuranceClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        claim, created = services.claim_create(
            actor=request.user, household_id=data.pop("household"), **data
        )
        return Response(
            InsuranceClaimSerializer(self.get_queryset().get(pk=claim.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=InsuranceClaimDecideSerializer, responses=InsuranceClaimSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, *args, **kwargs):
        claim = self.get_object()
        serializer = InsuranceClaimDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.claim_decide(actor=request.user, claim=claim, **serializer.validated_data)
        return Response(InsuranceClaimSerializer(self.get_queryset().get(pk=claim.pk)).data)
