"""Measures through the REST door: planned by cadres, delivered by partners."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assistance import selectors
from assistance.api.common import SCOPED, StrictChoiceFilter, require
from assistance.models import Measure, MeasureKind, MeasureStatus, ReferralStatus
from assistance.serializers import (
    MeasureAnswerSerializer,
    MeasureDeclineSerializer,
    MeasureDeliverySerializer,
    MeasureSerializer,
    MeasureWriteSerializer,
)
from assistance.services import measures as measure_services
from assistance.services import referrals as referral_services
from assistance.services.measures import MeasurePlan
from core.api import DixianAutoSchema


class MeasureFilter(filters.FilterSet):
    status = StrictChoiceFilter(label=_("Status"), choices=MeasureStatus.choices)
    kind = StrictChoiceFilter(label=_("Kind"), choices=MeasureKind.choices)
    case = filters.NumberFilter(label=_("Case id"), field_name="case_id")
    partner = filters.NumberFilter(label=_("Partner id"), field_name="partner_id")
    referral_status = StrictChoiceFilter(
        label=_("Referral"), choices=[c for c in ReferralStatus.choices if c[0]]
    )

    class Meta:
        model = Measure
        fields = ["status", "kind", "case", "partner", "referral_status"]


class MeasureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Assistance measures. Cadres plan them; partners see those given to them and record what
    was delivered. A measure names its household by head, number and village only."""

    serializer_class = MeasureSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.measure"
    # Partners and cadres record delivery; the service checks assistance.record_delivery.
    # Partners answer referrals; the service checks assistance.answer_referral.
    permission_verbs = {"delivery": "view", "accept": "view", "decline": "view"}
    filterset_class = MeasureFilter
    ordering = "-id"

    def get_queryset(self):
        return (
            selectors.measures_visible_to(self.request.user)
            .select_related("case__household__village", "partner", "responsible")
            .prefetch_related("members")
        )

    def shown(self, measure: Measure, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(
            MeasureSerializer(self.get_queryset().get(pk=measure.pk)).data, status=status_code
        )

    @extend_schema(request=MeasureWriteSerializer, responses={201: MeasureSerializer})
    def create(self, request, *args, **kwargs):
        serializer = MeasureWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(data, "case")
        case = selectors.cases_visible_to(request.user).filter(pk=data["case"]).first()
        if case is None:
            raise ValidationError({"case": [_("No such case in your region.")]})
        measure = measure_services.measure_create(
            actor=request.user, case=case, plan=MeasurePlan.from_data(data)
        )
        return self.shown(measure, status.HTTP_201_CREATED)

    @extend_schema(request=MeasureWriteSerializer, responses=MeasureSerializer)
    def update(self, request, *args, **kwargs):
        measure = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = MeasureWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(data, "version")
        if data.get("case", measure.case_id) != measure.case_id:
            raise ValidationError({"case": [_("A measure stays with its case.")]})
        current = {
            "kind": measure.kind,
            "title": measure.title,
            "responsible": measure.responsible_id,
            "planned_start": measure.planned_start,
            "planned_end": measure.planned_end,
            "partner": measure.partner_id,
            "offer": measure.offer_id,
            "members": [member.pk for member in measure.members.all()],
            "planned_amount": measure.planned_amount,
            "in_kind": measure.in_kind,
            "continues_after_case": measure.continues_after_case,
        }
        merged = {**current, **data} if partial else dict(data)
        measure_services.measure_update(
            actor=request.user,
            measure=measure,
            version=data["version"],
            plan=MeasurePlan.from_data(merged),
        )
        return self.shown(measure)

    @extend_schema(request=MeasureWriteSerializer, responses=MeasureSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(
        request=MeasureDeliverySerializer,
        responses=MeasureSerializer,
        description=_(
            "Record what was actually done: by the partner that provides it, or a cadre."
        ),
    )
    @action(detail=True, methods=["post"])
    def delivery(self, request, *args, **kwargs):
        measure = self.get_object()
        serializer = MeasureDeliverySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure_services.measure_record_delivery(
            actor=request.user, measure=measure, **serializer.validated_data
        )
        return self.shown(measure)

    @extend_schema(
        request=MeasureAnswerSerializer,
        responses=MeasureSerializer,
        description=_("The partner takes the referred measure on (its own users only)."),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        measure = self.get_object()
        serializer = MeasureAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_services.measure_accept(
            actor=request.user, measure=measure, version=serializer.validated_data.get("version")
        )
        return self.shown(measure)

    @extend_schema(
        request=MeasureDeclineSerializer,
        responses=MeasureSerializer,
        description=_(
            "The partner declines the referred measure with a reason; it goes back to the cadres."
        ),
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        measure = self.get_object()
        serializer = MeasureDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_services.measure_decline(
            actor=request.user,
            measure=measure,
            reason=serializer.validated_data["reason"],
            version=serializer.validated_data.get("version"),
        )
        return self.shown(measure)
