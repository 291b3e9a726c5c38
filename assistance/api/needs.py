"""The needs board (需求清单) through the REST door: cadres publish, confirm and withdraw;
partners read the board of their area and claim (认领)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.models import Role
from assistance import selectors
from assistance.api.common import SCOPED, StrictChoiceFilter
from assistance.models import MeasureKind, Need, NeedStatus
from assistance.serializers import (
    NeedClaimSerializer,
    NeedSerializer,
    NeedVersionSerializer,
    NeedWriteSerializer,
)
from assistance.services import needs as need_services
from assistance.services.needs import NeedData
from core.api import DixianAutoSchema


class NeedFilter(filters.FilterSet):
    status = StrictChoiceFilter(label=_("Status"), choices=NeedStatus.choices)
    kind = StrictChoiceFilter(label=_("Kind"), choices=MeasureKind.choices)

    class Meta:
        model = Need
        fields = ["status", "kind"]


class NeedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Needs of monitored households. Cadres see those of their region with the case; a
    partner's users see the open needs of their partner's area and those it claimed, by village
    and need only (no household, number or name)."""

    serializer_class = NeedSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.need"
    # Partners claim; the services check assistance.claim_need and assistance.change_need.
    permission_verbs = {"claim": "view", "confirm": "change", "withdraw": "change"}
    filterset_class = NeedFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.needs_visible_to(self.request.user).select_related("village", "claimed_by")

    def get_serializer_context(self):
        user = getattr(self.request, "user", None)
        # A partner's users read the board: no case, no measure, nothing of the household.
        return {
            **super().get_serializer_context(),
            "board": getattr(user, "role", "") == Role.PARTNER,
        }

    def get_object(self):
        try:
            return super().get_object()
        except (NotFound, Http404):
            raise NotFound(
                _("This need is not on your board: it is outside your area, or it is gone.")
            ) from None

    def shown(self, need: Need, status_code: int = status.HTTP_200_OK) -> Response:
        shown = self.get_serializer(self.get_queryset().get(pk=need.pk))
        return Response(shown.data, status=status_code)

    @extend_schema(request=NeedWriteSerializer, responses={201: NeedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = NeedWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need = need_services.need_publish(
            actor=request.user, data=NeedData.from_data(serializer.validated_data)
        )
        return self.shown(need, status.HTTP_201_CREATED)

    @extend_schema(
        request=NeedClaimSerializer,
        responses=NeedSerializer,
        description=_("认领: a partner's user claims the need for its partner."),
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, *args, **kwargs):
        need = self.get_object()
        serializer = NeedClaimSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need_services.need_claim(
            actor=request.user, need=need, version=serializer.validated_data.get("version")
        )
        return self.shown(need)

    @extend_schema(
        request=NeedVersionSerializer,
        responses=NeedSerializer,
        description=_("A cadre confirms the claim: the need becomes a measure of the case."),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        need = self.get_object()
        serializer = NeedVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need_services.need_confirm(
            actor=request.user, need=need, version=serializer.validated_data["version"]
        )
        return self.shown(need)

    @extend_schema(
        request=NeedVersionSerializer,
        responses=NeedSerializer,
        description=_("A cadre takes the need off the board."),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        need = self.get_object()
        serializer = NeedVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need_services.need_withdraw(
            actor=request.user, need=need, version=serializer.validated_data["version"]
        )
        return self.shown(need)
