"""`/api/v1/work-records/`: each working-age member's work, month by month."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from accounts.models import Role
from core.api import DixianAutoSchema, RolePermission, scoped_choices
from households.selectors import households_visible_to, members_visible_to
from livelihoods.models import IncomeBand, Sector, WorkPlace, WorkRecord, WorkSource, WorkStatus
from livelihoods.selectors import work as selectors
from livelihoods.services import work as services

SCOPED = [permissions.IsAuthenticated, RolePermission]


class WorkRecordSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    visit = serializers.IntegerField(source="visit_id", read_only=True, allow_null=True)
    # Said of work only, blank otherwise: declared so that the schema admits the blank.
    place = serializers.ChoiceField(choices=WorkPlace.choices, read_only=True, allow_blank=True)
    sector = serializers.ChoiceField(choices=Sector.choices, read_only=True, allow_blank=True)
    income_band = serializers.ChoiceField(
        choices=IncomeBand.choices, read_only=True, allow_blank=True
    )

    class Meta:
        model = WorkRecord
        fields = [
            "id",
            "household",
            "household_number",
            "member",
            "member_name",
            "month",
            "status",
            "place",
            "sector",
            "employer",
            "income_band",
            "working_since",
            "source",
            "visit",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class _DetailsSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=WorkStatus.choices)
    place = serializers.ChoiceField(choices=WorkPlace.choices, required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    employer = serializers.CharField(max_length=100, required=False, allow_blank=True)
    income_band = serializers.ChoiceField(
        choices=IncomeBand.choices, required=False, allow_blank=True
    )
    working_since = serializers.DateField(required=False, allow_null=True)


class WorkRecordWriteSerializer(_DetailsSerializer):
    """A member's work in a month (any day of the month names it)."""

    member = serializers.IntegerField(min_value=1, max_value=2**62)
    month = serializers.DateField()
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text=_(
            "The version of the month's record you correct; if it has changed since, 409 and "
            "nothing is written"
        ),
    )


class WorkRecordCorrectSerializer(_DetailsSerializer):
    status = serializers.ChoiceField(choices=WorkStatus.choices, required=False)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class WorkRecordFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    member = django_filters.ModelChoiceFilter(queryset=scoped_choices(members_visible_to))
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = WorkRecord
        fields = ["household", "member", "month_from", "month_to", "status"]


class WorkRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Monthly work of members aged 16–64. POST records a member's month; the same month sent
    again with the same content answers the stored record (200), with other content it corrects
    it only with the record's `version` (else 409). Department systems (API accounts) post them
    too. PATCH corrects a record with its `version`."""

    serializer_class = WorkRecordSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "livelihoods.workrecord"
    filterset_class = WorkRecordFilter
    ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.work_records_visible_to(self.request.user).select_related(
            "household", "member"
        )

    @extend_schema(
        request=WorkRecordWriteSerializer,
        responses={201: WorkRecordSerializer, 200: WorkRecordSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = WorkRecordWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        source = WorkSource.API if request.user.role == Role.API_CLIENT else WorkSource.FORM
        record, created = services.work_record_save(
            actor=request.user, member_id=data.pop("member"), source=source, **data
        )
        return Response(
            WorkRecordSerializer(self.get_queryset().get(pk=record.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=WorkRecordCorrectSerializer, responses=WorkRecordSerializer)
    def partial_update(self, request, *args, **kwargs):
        record = self.get_object()
        serializer = WorkRecordCorrectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.work_record_correct(
            actor=request.user, record=record, version=data.pop("version"), **data
        )
        return Response(WorkRecordSerializer(self.get_queryset().get(pk=record.pk)).data)
