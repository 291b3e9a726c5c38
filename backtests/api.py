"""The backtest API: the runs of the caller's region; POST starts one (202, queued)."""

import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from backtests import selectors, services
from backtests.models import BacktestRun
from core.api import DixianAutoSchema, RolePermission


class BacktestRunSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    figures = serializers.JSONField(read_only=True)
    proposed = serializers.JSONField(read_only=True)

    class Meta:
        model = BacktestRun
        fields = [
            "id",
            "region",
            "period_start",
            "period_end",
            "horizon_months",
            "proposed",
            "status",
            "months_done",
            "months_total",
            "figures",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "seconds",
        ]
        read_only_fields = fields


class BacktestStartSerializer(serializers.Serializer):
    region = serializers.RegexField(r"\A[0-9]{6,12}\Z", help_text="620423 or a 12-digit code")
    period_start = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="2025-01")
    period_end = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="2026-10")
    horizon_months = serializers.IntegerField(min_value=1, max_value=services.MAX_HORIZON)
    proposed = serializers.JSONField(required=False, allow_null=True)

    def _month(self, value: str):
        year, month = (int(part) for part in value.split("-"))
        try:
            return datetime.date(year, month, 1)
        except ValueError:
            raise serializers.ValidationError(services.month_error()) from None

    def validate_period_start(self, value):
        return self._month(value)

    def validate_period_end(self, value):
        return self._month(value)


class BacktestRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Backtests of the early warning over the caller's region; POST starts one (queued on the
    scans queue; read the run back until its status is done)."""

    serializer_class = BacktestRunSerializer
    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = DixianAutoSchema()
    permission_model = "backtests.backtestrun"
    ordering = "-id"

    def get_queryset(self):
        return selectors.runs_visible_to(self.request.user)

    @extend_schema(request=BacktestStartSerializer, responses={202: BacktestRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = BacktestStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = services.backtest_start(
            actor=request.user,
            region_code=data["region"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            horizon_months=data["horizon_months"],
            proposed=data.get("proposed"),
        )
        return Response(BacktestRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
