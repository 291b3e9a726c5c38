"""Delegations of steps and a case's conversation through the REST door."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assistance import selectors
from assistance.api.common import SCOPED
from assistance.models import CaseComment
from assistance.serializers import (
    CaseCommentCreateSerializer,
    CaseCommentSerializer,
    DelegationCreateSerializer,
    DelegationSerializer,
)
from assistance.services import comments as comment_services
from assistance.services import delegations as delegation_services
from core.api import DixianAutoSchema


class DelegationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Delegations of a role's steps in a village or township to a named user for a period.

    County officers and township cadres give and revoke them; field staff and auditors see those
    of their region, and everyone the ones they hold or gave."""

    serializer_class = DelegationSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.delegation"
    permission_verbs = {"create": "add", "revoke": "add"}
    ordering = "-id"

    def get_queryset(self):
        return selectors.delegations_visible_to(self.request.user)

    @extend_schema(request=DelegationCreateSerializer, responses={201: DelegationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = DelegationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        delegation = delegation_services.delegation_create(
            actor=request.user,
            delegate_id=data["delegate"],
            permission=data["permission"],
            region_code=data["region"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
        )
        fresh = self.get_queryset().get(pk=delegation.pk)
        return Response(DelegationSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DelegationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        delegation = delegation_services.delegation_revoke(
            actor=request.user, delegation=self.get_object()
        )
        return Response(DelegationSerializer(self.get_queryset().get(pk=delegation.pk)).data)


class CaseCommentListApi(generics.ListAPIView):
    """A case's conversation, oldest note first. Read and written by everyone who may see the
    case, and by the partners with a measure on it; a note names no ID number, phone or bank
    account, and its authors and mentions by name only."""

    serializer_class = CaseCommentSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.casecomment"
    ordering = "id"

    def case(self):
        return selectors.case_in_conversation(user=self.request.user, pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, built without a case
            return CaseComment.objects.none()
        return selectors.case_comments(self.case())

    @extend_schema(request=CaseCommentCreateSerializer, responses={201: CaseCommentSerializer})
    def post(self, request, *args, **kwargs):
        case = self.case()
        serializer = CaseCommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comment_services.comment_post(
            actor=request.user, case=case, text=serializer.validated_data["text"]
        )
        fresh = selectors.case_comments(case).get(pk=comment.pk)
        return Response(CaseCommentSerializer(fresh).data, status=status.HTTP_201_CREATED)


__all__ = ["CaseCommentListApi", "DelegationViewSet"]
