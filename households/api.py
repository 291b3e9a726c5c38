from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import regions
from core.api import DixianAutoSchema, RolePermission
from core.pagination import KeysetPagination
from households import selectors, services
from households.filters import (
    HouseholdFilter,
    HouseholdOrderingFilter,
    MemberFilter,
    RegionFilter,
)
from households.history import life_event_rows
from households.serializers import (
    HOUSEHOLD_COLUMNS,
    HouseholdMergeSerializer,
    HouseholdSerializer,
    HouseholdSplitSerializer,
    HouseholdWriteSerializer,
    IdNumberLookupSerializer,
    LifeEventSerializer,
    MemberMoveSerializer,
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
    lookup_value_regex = regions.CODE_REGEX
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
    """Households under the user's region, with their members (sensitive fields masked).

    In `number` order (the default) they are listed by village, then household number, which
    for a household that never moved is its number's order. A household that moves to another
    village while a system walks the pages may be passed over or listed twice, as with any order
    on a value that changes (`risk_score`): a system that must see each household exactly once
    walks again after the walk."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = DixianAutoSchema()
    permission_model = "households.household"
    permission_verbs = {
        "unmask": "view",
        "life_events": "view",
        "split": "add",
        "merge": "change",
    }
    filterset_class = HouseholdFilter
    filter_backends = [*viewsets.GenericViewSet.filter_backends, HouseholdOrderingFilter]
    ordering_fields = ["number", "risk_score", "last_visit_on", "next_visit_due"]
    ordering = "number"
    # Named, not inherited from the settings: list() reads its members where it reads its page.
    pagination_class = KeysetPagination

    def get_queryset(self):
        households = selectors.households_listed(self.request.user).select_related("village")
        if self.action == "list":
            # The page's members are read once for it (list); its rows only as deep as shown.
            return households.only(*HOUSEHOLD_COLUMNS)
        return households.prefetch_related("members")

    def list(self, request, *args, **kwargs):
        households = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # The members of the whole page in one query, as plain rows (selectors.masked_member_rows),
        # read where the page's households were read (the replica for a department system).
        with self.paginator.reads(request):
            members = selectors.masked_member_rows([household.pk for household in households])
        context = {**self.get_serializer_context(), "members_of": members}
        serializer = HouseholdSerializer(households, many=True, context=context)
        return self.get_paginated_response(serializer.data)

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

    @extend_schema(
        responses={200: LifeEventSerializer(many=True)},
        description=str(_("The household's life events, newest first.")),
    )
    @action(detail=True, methods=["get"], url_path="life-events", pagination_class=None)
    def life_events(self, request, *args, **kwargs):
        household = self.get_object()
        rows = life_event_rows(
            selectors.household_life_events(household=household)[:200], viewer=request.user
        )
        return Response(LifeEventSerializer(rows, many=True).data)

    @extend_schema(
        request=HouseholdSplitSerializer,
        responses={201: HouseholdSerializer},
        description=str(
            _(
                "分户: the members named set up a new household in the same village, numbered "
                "next in its series. This household keeps at least one member and a head."
            )
        ),
    )
    @action(detail=True, methods=["post"])
    def split(self, request, *args, **kwargs):
        household = self.get_object()
        serializer = HouseholdSplitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        split_off = services.household_split(
            actor=request.user,
            household=household,
            member_ids=data["members"],
            head_id=data["head"],
            new_head_id=data.get("new_head"),
            changed_on=data.get("changed_on"),
            address=data.get("address"),
        )
        return Response(
            HouseholdSerializer(self.get_queryset().get(pk=split_off.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=HouseholdMergeSerializer,
        responses={200: HouseholdSerializer},
        description=str(
            _(
                "合户: the members of another household of the same village join this one, "
                "which keeps its head. The other household is left with nobody in it."
            )
        ),
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, *args, **kwargs):
        household = self.get_object()
        serializer = HouseholdMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.household_merge(
            actor=request.user,
            household=household,
            other_household_id=data["other_household"],
            head_relation=data["head_relation"],
            changed_on=data.get("changed_on"),
        )
        return Response(HouseholdSerializer(self.get_queryset().get(pk=household.pk)).data)


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
    permission_verbs = {"lookup": "view", "move": "change"}
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
        for name in ("version", "changed_on", "new_head"):
            data.pop(name, None)
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
            actor=request.user,
            member=member,
            version=version,
            new_head_id=changes.pop("new_head", None),
            **changes,
        )
        return Response(MemberSerializer(member).data)

    @extend_schema(
        request=MemberMoveSerializer,
        responses={201: MemberSerializer},
        description=str(
            _(
                "The member moves to another household (marriage, a child setting up house). "
                "The member's row here is closed as moved out and keeps its history; the answer "
                "is the member's new row in the new household."
            )
        ),
    )
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        member = self.get_object()
        serializer = MemberMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.member_move(
            actor=request.user,
            member=member,
            version=data["version"],
            household_id=data["household"],
            relation=data["relation"],
            changed_on=data.get("changed_on"),
            new_head_id=data.get("new_head"),
        )
        return Response(MemberSerializer(moved).data, status=status.HTTP_201_CREATED)

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
