"""`/api/v1/industry-supports/`: industry subsidies and links with enterprises or cooperatives
(产业奖补, 联农带农), and what the partners paid. A partner's users see their own links only."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DixianAutoSchema, RolePermission, scoped_choices
from households.selectors import households_visible_to
from livelihoods.api import money_field
from livelihoods.models import IndustryPayment, IndustrySupport, SupportKind
from livelihoods.selectors import industry as selectors
from livelihoods.services import industry as services

SCOPED = [permissions.IsAuthenticated, RolePermission]


class IndustrySupportSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    partner = serializers.IntegerField(source="partner_id", read_only=True, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default="")
    measure = serializers.IntegerField(source="measure_id", read_only=True, allow_null=True)

    class Meta:
        model = IndustrySupport
        fields = [
            "id",
            "household",
            "household_number",
            "kind",
            "partner",
            "partner_name",
            "amount",
            "starts_on",
            "ends_on",
            "measure",
            "note",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class IndustrySupportCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=2**62)
    kind = serializers.ChoiceField(choices=SupportKind.choices)
    partner = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    amount = money_field()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    measure = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class IndustrySupportChangeSerializer(serializers.Serializer):
    """What is sent changes; what is left out stays. null clears an end date, a partner (of a
    subsidy) or the measure."""

    partner = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True
    )
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)
    amount = money_field(required=False)
    measure = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The support's version you started from; 409 if it has changed since"),
    )


class IndustryPaymentSerializer(serializers.ModelSerializer):
    amount = money_field()
    paid_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = IndustryPayment
        fields = ["id", "paid_on", "amount", "note", "idempotency_key", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "idempotency_key": {
                "required": False,
                "allow_blank": True,
                "max_length": 64,
                "help_text": _(
                    "Made by the sender (a partner system's transaction id): the same key "
                    "posted again is the same payment, counted once. Without one, the same day "
                    "and amount posted again is taken for the same payment"
                ),
            },
        }


class IndustrySupportFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))

    class Meta:
        model = IndustrySupport
        fields = ["household", "kind"]


class IndustrySupportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Industry support of households. A link (wages, dividends, purchase orders, land rent)
    names its enterprise or cooperative. `payments` lists what was paid (GET) and records a
    payment (POST; the same idempotency key sent again answers the stored payment, and without
    a key the same day and amount does). A partner's
    users see and record the payments of their own links only."""

    serializer_class = IndustrySupportSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "livelihoods.industrysupport"
    filterset_class = IndustrySupportFilter
    ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.supports_visible_to(self.request.user).select_related(
            "household", "partner"
        )

    def get_permissions(self):
        if self.action == "payments":
            self.permission_model = "livelihoods.industrypayment"
        return super().get_permissions()

    @extend_schema(
        request=IndustrySupportCreateSerializer, responses={201: IndustrySupportSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = IndustrySupportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        support = services.support_create(
            actor=request.user,
            household_id=data.pop("household"),
            partner_id=data.pop("partner", None),
            measure_id=data.pop("measure", None),
            **data,
        )
        return Response(
            IndustrySupportSerializer(self.get_queryset().get(pk=support.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=IndustrySupportChangeSerializer, responses=IndustrySupportSerializer)
    def partial_update(self, request, *args, **kwargs):
        support = self.get_object()
        serializer = IndustrySupportChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for field in ("partner", "measure"):
            if field in data:
                data[f"{field}_id"] = data.pop(field)
        services.support_change(actor=request.user, support=support, **data)
        return Response(IndustrySupportSerializer(self.get_queryset().get(pk=support.pk)).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=IndustryPaymentSerializer(many=True),
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        request=IndustryPaymentSerializer,
        responses={201: IndustryPaymentSerializer, 200: IndustryPaymentSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def payments(self, request, *args, **kwargs):
        support = self.get_object()
        if request.method == "GET":
            rows = selectors.industry_payments_of(support)
            return Response(IndustryPaymentSerializer(rows, many=True).data)
        serializer = IndustryPaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment, created = services.industry_payment_record(
            actor=request.user, support=support, **serializer.validated_data
        )
        return Response(
            IndustryPaymentSerializer(payment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
