from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from core.api import DixianAutoSchema, RolePermission
from households import selectors, services
from households.filters import HouseholdFilter, MemberFilter, RegionFilter
from households.serializers import (
    HouseholdSerializer,
    HouseholdWriteSerializer,
    IdNumberLookupSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    RegionSerializer,
    UnmaskedHouseholdSerializer,
    UnmaskRequestSerializer,
)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative regions under the user's own region."""

    serializer_class = RegionSerializer
    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = DixianAutoSchema()
    permission_model = "households.region"
    lookup_field = "code"
    lookup_value_regex = r"\d{12}"
    filterset_class = RegionFilter
    ordering = "code"

    def get_queryset(self):
        return selectors.regions_visible_to(self.request.user)


class HouseholdViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Households under the user's region, with their members (sensitive fields masked)."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = DixianAutoSchema()
    permission_model = "households.household"
    permission_verbs = {"unmask": "view"}
    filterset_class = HouseholdFilter
    filter_backends = [*viewsets.GenericViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["number", "risk_score", "last_visit_on", "next_visit_due"]
    ordering = "number"

    def get_queryset(self):
        return (
            selectors.households_visible_to(self.request.user)
            .select_related("village")
            .prefetch_related("members")
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return HouseholdWriteSerializer
        return HouseholdSerializer

    @extend_schema(responses={201: HouseholdSerializer})
    def create(self, request, *args, **kwargs):
        serializer = HouseholdWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        household = services.household_create(
            actor=request.user, village_code=data.pop("village"), **data
        )
        return Response(
            HouseholdSerializer(self.get_queryset().get(pk=household.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: HouseholdSerializer})
    def update(self, request, *args, **kwargs):
        household = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = HouseholdWriteSerializer(household, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        services.household_update(
            actor=request.user, household=household, version=version, **changes
        )
        return Response(HouseholdSerializer(self.get_queryset().get(pk=household.pk)).data)

    @extend_schema(
        request=UnmaskRequestSerializer,
        responses={200: UnmaskedHouseholdSerializer},
        description=str(
            _("Full ID numbers, phones and health details. Every call is recorded with its reason.")
        ),
    )
    @action(detail=True, methods=["post"])
    def unmask(self, request, *args, **kwargs):
        household = self.get_object()
        serializer = UnmaskRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unmasked = services.sensitive_unmask(
            actor=request.user,
            household=household,
            reason=serializer.validated_data["reason"],
            member_id=serializer.validated_data.get("member"),
            channel="api",
        )
        return Response(UnmaskedHouseholdSerializer(unmasked).data)


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Household members under the user's region. ID numbers are accepted, never returned."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = DixianAutoSchema()
    permission_model = "households.member"
    permission_verbs = {"lookup": "view"}
    # Each searches the registry by ID number, within the user's hourly allowance (429 past it).
    id_lookup_actions = ("lookup", "create", "update", "partial_update")
    filterset_class = MemberFilter
    ordering = "id"

    def get_queryset(self):
        return selectors.members_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return MemberWriteSerializer
        return MemberSerializer

    @extend_schema(responses={201: MemberSerializer})
    def create(self, request, *args, **kwargs):
        serializer = MemberWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        member = services.member_create(
            actor=request.user, household_id=data.pop("household"), **data
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: MemberSerializer})
    def update(self, request, *args, **kwargs):
        member = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = MemberWriteSerializer(member, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        member = services.member_update(
            actor=request.user, member=member, version=version, **changes
        )
        return Response(MemberSerializer(member).data)

    @extend_schema(
        request=IdNumberLookupSerializer,
        responses={200: MemberSerializer},
        description=str(
            _(
                "Find a person by ID number. The number goes in the body, never in a URL. "
                "404 if unknown; 400 'registered elsewhere' if outside your region. Every "
                "look-up is recorded; past DIXIAN_ID_LOOKUP_PER_HOUR in an hour, 429."
            )
        ),
    )
    @action(detail=False, methods=["post"])
    def lookup(self, request, *args, **kwargs):
        serializer = IdNumberLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.member_find_by_id_number(
            actor=request.user, id_number=serializer.validated_data["id_number"]
        )
        if member is None:
            raise NotFound(_("No person with this ID number is registered."))
        return Response(MemberSerializer(member).data)
