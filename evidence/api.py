"""The API of attached files: a record's files (GET) and attaching one (POST, multipart), and a
file's download. Scope and role are checked before the body is read."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import client_address
from core.api import DixianAutoSchema, RolePermission
from evidence import selectors, services
from evidence.models import Evidence
from evidence.registry import OWNER_KINDS, owner_kind
from evidence.responses import file_response
from evidence.serializers import EvidenceAttachSerializer, EvidenceSerializer

SCOPED = [permissions.IsAuthenticated, RolePermission]
# The URLconf is read after every app's ready(), so the owner kinds are all registered here.
KIND = OpenApiParameter(
    "kind",
    str,
    OpenApiParameter.PATH,
    enum=sorted(OWNER_KINDS),
    description="What the record is: a visit, a warning's home verification, a case step or "
    "a measure's delivery.",
)


@extend_schema_view(get=extend_schema(parameters=[KIND]))
class EvidenceListApi(generics.ListAPIView):
    """The files attached to one record: `kind` is visit, alert (its home verification),
    case_step or measure (its delivery); `owner_id` is that record's id. POST attaches a file
    (multipart/form-data: `file`, optional `description`)."""

    serializer_class = EvidenceSerializer
    permission_classes = SCOPED
    parser_classes = [MultiPartParser]
    schema = DixianAutoSchema()
    permission_model = "evidence.evidence"
    ordering = "id"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "swagger_fake_view", False):
            return
        # The record before the body: another region's record is "not found", whoever asks.
        kind = owner_kind(self.kwargs["kind"])
        if kind is None:
            raise NotFound
        owner_id = self.kwargs["owner_id"]
        if selectors.owner_visible(user=request.user, kind=kind, owner_id=owner_id) is None:
            raise NotFound
        if request.method == "POST" and not selectors.may_attach(
            user=request.user, kind=kind.key, owner_id=owner_id
        ):
            raise PermissionDenied

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["sees_location"] = selectors.sees_location(self.request.user)
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evidence.objects.none()
        return selectors.evidence_of_owner(
            user=self.request.user, kind=self.kwargs["kind"], owner_id=self.kwargs["owner_id"]
        )

    @extend_schema(
        request={"multipart/form-data": EvidenceAttachSerializer},
        responses={201: EvidenceSerializer},
    )
    def post(self, request, *args, **kwargs):
        serializer = EvidenceAttachSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            evidence = services.evidence_attach(
                actor=request.user,
                owner_kind_key=self.kwargs["kind"],
                owner_id=self.kwargs["owner_id"],
                upload=serializer.validated_data["file"],
                description=serializer.validated_data["description"],
            )
        except DjangoValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        return Response(self.get_serializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFileApi(APIView):
    """The attached file itself. Every download is recorded in the audit trail."""

    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "evidence.evidence"

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, of the type the upload was found to be."
            )
        }
    )
    def get(self, request, pk):
        evidence = selectors.evidence_get(user=request.user, pk=pk)
        response = file_response(evidence)  # a file storage lost is no download to record
        services.evidence_download_record(
            actor=request.user, evidence=evidence, address=client_address(request)
        )
        return response
