"""The measure catalogue through the REST door: the national entries and the region's own, read
by everyone who reads cases; a county officer adds and changes the county's own."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from assistance import selectors
from assistance.api.common import SCOPED
from assistance.models import Department, PolicyMeasure, RiskType
from assistance.serializers import MeasureKindField, OfferKindField
from assistance.services import policy_measures
from core.api import BoundedListField, DixianAutoSchema


class PolicyMeasureSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", allow_null=True, read_only=True)
    kind = MeasureKindField(read_only=True)
    offer_kinds = serializers.ListField(child=OfferKindField(), read_only=True)
    title = serializers.SerializerMethodField()
    national = serializers.SerializerMethodField()

    class Meta:
        model = PolicyMeasure
        fields = [
            "id",
            "region",
            "national",
            "risk_type",
            "kind",
            "title",
            "department",
            "typical_amount",
            "offer_kinds",
            "is_active",
            "version",
        ]
        read_only_fields = fields

    def get_title(self, row) -> str:
        # A national entry is the catalogue's own words, in the reader's language.
        return gettext(row.title) if row.region_id is None else row.title

    @extend_schema_field(serializers.BooleanField())
    def get_national(self, row) -> bool:
        return row.region_id is None


class PolicyMeasureWriteSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=12, help_text=_("The county (or city, province)"))
    risk_type = serializers.ChoiceField(choices=RiskType.choices)
    kind = MeasureKindField()
    title = serializers.CharField(max_length=120)
    department = serializers.ChoiceField(choices=Department.choices, required=False, default="")
    typical_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    offer_kinds = BoundedListField(child=OfferKindField(), required=False, max_length=5)
    is_active = serializers.BooleanField(required=False, default=True)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Required when changing one")
    )


class PolicyMeasureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The measure catalogue a case's suggestions come from: national entries (`national`,
    unchangeable here) and each region's own. POST adds the county's own measure; PATCH changes
    one of them (with its `version`)."""

    serializer_class = PolicyMeasureSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.policymeasure"
    permission_verbs = {"create": "change", "update": "change", "partial_update": "change"}
    filterset_fields = {"risk_type": ["exact"], "kind": ["exact"]}
    ordering = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.policy_measures_visible_to(self.request.user)

    @staticmethod
    def _save(request, data: dict, *, pk=None, version=None):
        return policy_measures.policy_measure_save(
            actor=request.user,
            region_code=data["region"],
            risk_type=data["risk_type"],
            kind=data["kind"],
            title=data["title"],
            department=data.get("department", ""),
            typical_amount=data.get("typical_amount"),
            offer_kinds=data.get("offer_kinds", []),
            is_active=data.get("is_active", True),
            pk=pk,
            version=version,
        )

    @extend_schema(request=PolicyMeasureWriteSerializer, responses={201: PolicyMeasureSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PolicyMeasureWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = self._save(request, serializer.validated_data)
        return Response(PolicyMeasureSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PolicyMeasureWriteSerializer, responses=PolicyMeasureSerializer)
    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        current = {
            "region": row.region_id,
            "risk_type": row.risk_type,
            "kind": row.kind,
            "title": row.title,
            "department": row.department,
            "typical_amount": row.typical_amount,
            "offer_kinds": row.offer_kinds,
            "is_active": row.is_active,
        }
        serializer = PolicyMeasureWriteSerializer(data={**current, **request.data}, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {**current, **serializer.validated_data}
        if data.get("version") is None:
            raise serializers.ValidationError({"version": [_("This field is required.")]})
        saved = self._save(request, data, pk=row.pk, version=data["version"])
        return Response(PolicyMeasureSerializer(saved).data)
