"""Partners and their offers through the REST door."""

import dataclasses

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assistance import selectors
from assistance.api.common import SCOPED, require
from assistance.models import Department, MeasureKind, OfferKind, Partner, PartnerKind, PartnerOffer
from assistance.serializers import (
    PartnerOfferSerializer,
    PartnerOfferWriteSerializer,
    PartnerSerializer,
    PartnerWriteSerializer,
)
from assistance.services import partners as partner_services
from assistance.services.partners import OfferData, PartnerData
from core.api import DixianAutoSchema, StrictBooleanFilter


def _as_sent(instance: Partner | PartnerOffer, data_class) -> dict:
    """A partner's or an offer's values under the names a request uses: what a PATCH keeps."""
    values = {
        field.name: getattr(instance, field.name)
        for field in dataclasses.fields(data_class)
        if field.name != "area_code"
    }
    return {**values, "area": instance.area_id}


class PartnerFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=PartnerKind.choices)
    department = filters.ChoiceFilter(label=_("Department"), choices=Department.choices)
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = Partner
        fields = ["kind", "department", "is_active"]


class PartnerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partners (帮扶主体) serving the user's region; a partner's own users see only it."""

    serializer_class = PartnerSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.partner"
    filterset_class = PartnerFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.partners_visible_to(self.request.user).select_related("area")

    @extend_schema(request=PartnerWriteSerializer, responses={201: PartnerSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PartnerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partner = partner_services.partner_create(
            actor=request.user, data=PartnerData.from_data(serializer.validated_data)
        )
        return Response(
            PartnerSerializer(partner, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PartnerWriteSerializer, responses=PartnerSerializer)
    def update(self, request, *args, **kwargs):
        partner = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = PartnerWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(data, "version")
        merged = {**_as_sent(partner, PartnerData), **data} if partial else dict(data)
        updated = partner_services.partner_update(
            actor=request.user,
            partner=partner,
            version=data["version"],
            data=PartnerData.from_data(merged),
        )
        return Response(PartnerSerializer(updated, context=self.get_serializer_context()).data)

    @extend_schema(request=PartnerWriteSerializer, responses=PartnerSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


class PartnerOfferFilter(filters.FilterSet):
    partner = filters.NumberFilter(label=_("Partner id"), field_name="partner_id")
    kind = filters.ChoiceFilter(label=_("Kind"), choices=OfferKind.choices)
    measure_kind = filters.ChoiceFilter(label=_("Kind of measure"), choices=MeasureKind.choices)
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = PartnerOffer
        fields = ["partner", "kind", "measure_kind", "is_active"]


class PartnerOfferViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """What partners offer: jobs, training seats, funds, goods and services, while they last."""

    serializer_class = PartnerOfferSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.partneroffer"
    filterset_class = PartnerOfferFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.offers_visible_to(self.request.user).select_related("partner", "area")

    @extend_schema(request=PartnerOfferWriteSerializer, responses={201: PartnerOfferSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PartnerOfferWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(data, "partner")
        offer = partner_services.offer_create(
            actor=request.user, partner_id=data["partner"], data=OfferData.from_data(data)
        )
        return Response(PartnerOfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PartnerOfferWriteSerializer, responses=PartnerOfferSerializer)
    def update(self, request, *args, **kwargs):
        offer = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = PartnerOfferWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(data, "version")
        if data.get("partner", offer.partner_id) != offer.partner_id:
            raise ValidationError({"partner": [_("An offer stays with its partner.")]})
        merged = {**_as_sent(offer, OfferData), **data} if partial else dict(data)
        updated = partner_services.offer_update(
            actor=request.user,
            offer=offer,
            version=data["version"],
            data=OfferData.from_data(merged),
        )
        return Response(PartnerOfferSerializer(updated).data)

    @extend_schema(request=PartnerOfferWriteSerializer, responses=PartnerOfferSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)
