"""The capacity weights over the API, as the rule settings are (`/api/v1/rules/`): a county's
and the national default, read by whoever reads rule settings, set by a county officer."""

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from core.api import DixianAutoSchema, RolePermission
from monitoring import selectors
from monitoring.engine.capacity import COMPONENTS, WEIGHTS_TOTAL
from monitoring.models import CapacityWeights
from monitoring.services.capacity import capacity_weights_save


class CapacityWeightsSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region_id", max_length=12, allow_null=True, required=False
    )
    labour = serializers.IntegerField(min_value=0, max_value=WEIGHTS_TOTAL)
    skills = serializers.IntegerField(min_value=0, max_value=WEIGHTS_TOTAL)
    work = serializers.IntegerField(min_value=0, max_value=WEIGHTS_TOTAL)
    participation = serializers.IntegerField(min_value=0, max_value=WEIGHTS_TOTAL)
    commitments = serializers.IntegerField(min_value=0, max_value=WEIGHTS_TOTAL)
    credit = serializers.IntegerField(min_value=0, max_value=WEIGHTS_TOTAL)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("The version you read, to refuse a lost update")
    )

    class Meta:
        model = CapacityWeights
        fields = ["id", "region", *COMPONENTS, "note", "version"]
        read_only_fields = ["id"]
        validators: list = []


class CapacityWeightsViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The weights of the self-development capacity's components, by region. POST sets a
    region's (whole numbers summing to exactly 100); they count from the next measuring."""

    serializer_class = CapacityWeightsSerializer
    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = DixianAutoSchema()
    permission_model = "monitoring.capacityweights"
    permission_verbs = {"create": "change"}
    ordering = "-id"

    def get_queryset(self):
        return selectors.policy_rows_visible_to(CapacityWeights.objects.all(), self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = CapacityWeightsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = capacity_weights_save(
            actor=request.user,
            region_code=data.get("region_id"),
            weights={code: data[code] for code in COMPONENTS},
            note=data.get("note", ""),
            version=data.get("version"),
        )
        return Response(CapacityWeightsSerializer(row).data, status=status.HTTP_201_CREATED)
