from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DixianAutoSchema, RolePermission
from pairings import selectors, services
from pairings.filters import ContactFilter, PairingFilter
from pairings.serializers import (
    ContactSerializer,
    PairingAssignSerializer,
    PairingEndSerializer,
    PairingSerializer,
)

SCOPED = [permissions.IsAuthenticated, RolePermission]


class PairingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who looks after each household (帮扶责任人). Creating a pairing for a household that has
    one hands it over: the old pairing ends with its reason, and its contacts stay. A new pairing
    carries the `version` of the household's open pairing it was decided on (0 if none); if the
    household's pairing has changed since (someone else handed it over or ended it), 409 and
    nothing is written."""

    serializer_class = PairingSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "pairings.pairing"
    permission_verbs = {"end": "change"}
    filterset_class = PairingFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.pairings_visible_to(self.request.user).select_related("household", "cadre")

    @extend_schema(request=PairingAssignSerializer, responses={201: PairingSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PairingAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        pairing = services.pairing_assign(
            actor=request.user,
            household_id=data.pop("household"),
            cadre_id=data.pop("cadre"),
            **data,
        )
        return Response(
            PairingSerializer(self.get_queryset().get(pk=pairing.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PairingEndSerializer, responses=PairingSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, *args, **kwargs):
        pairing = self.get_object()
        serializer = PairingEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.pairing_end(actor=request.user, pairing=pairing, **serializer.validated_data)
        return Response(PairingSerializer(self.get_queryset().get(pk=pairing.pk)).data)


class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The contact log of paired households (走访, 电话, 微信): what was discussed, follow-ups.
    A contact sent again with the same `client_uuid` returns the stored one (200) instead of
    recording a second one; the same `client_uuid` with another household or other content is
    refused (400)."""

    serializer_class = ContactSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "pairings.contact"
    filterset_class = ContactFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.contacts_visible_to(self.request.user).select_related("cadre")

    @extend_schema(responses={201: ContactSerializer, 200: ContactSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ContactSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        contact, created = services.contact_record(
            actor=request.user, household_id=data.pop("household_id"), **data
        )
        return Response(
            ContactSerializer(self.get_queryset().get(pk=contact.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
