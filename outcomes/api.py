"""GET /api/v1/outcomes/ (a region's summary and breakdowns, as the page shows them) and
GET /api/v1/outcomes/cases/ (each case's outcome, keyset pages)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_utils import get_form_fields_with_error_codes
from rest_framework import exceptions, generics, permissions
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import APIView

from core import regions
from core.api import DixianAutoSchema, RolePermission
from outcomes import selectors
from outcomes.forms import OutcomesFilterForm
from outcomes.serializers import CaseOutcomeSerializer, OutcomesSerializer

SCOPED = [permissions.IsAuthenticated, RolePermission]

PARAMETERS = [
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        pattern=f"^{regions.CODE_REGEX}$",
        description=_("A region code within the user's region (default: the user's region)."),
    ),
    OpenApiParameter(
        "eliminated_from",
        OpenApiTypes.DATE,
        description=_("Only cases whose risk was eliminated on or after this day."),
    ),
    OpenApiParameter(
        "eliminated_to",
        OpenApiTypes.DATE,
        description=_("Only cases whose risk was eliminated on or before this day."),
    ),
]


class OutcomesSchema(DixianAutoSchema):
    """The 400 of the outcomes: their query is a Django form (outcomes/forms.py)."""

    def _should_add_validation_error_response(self) -> bool:
        return True

    def _determine_fields_with_error_codes(self):
        return get_form_fields_with_error_codes(OutcomesFilterForm(None, user=None))

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        extra = super()._get_extra_validation_errors()
        extra["region"] = {*extra.get("region", ()), "outside_region"}
        extra["eliminated_to"] = {*extra.get("eliminated_to", ()), "before_start"}
        return extra


def _checked(request) -> OutcomesFilterForm:
    """The query read by the form, or the API's 400 naming each field."""
    form = OutcomesFilterForm(request.query_params, user=request.user)
    if not form.is_valid():
        raise exceptions.ValidationError(
            {
                field: [
                    ErrorDetail(" ".join(error.messages), code=error.code or "invalid")
                    for error in errors
                ]
                for field, errors in form.errors.as_data().items()
            }
        )
    return form


class OutcomesApi(APIView):
    """The outcomes of assistance in a region: the summary (cases, income known 12 months
    after, median change of income per person, re-entry within a year, members working 3 and
    6 months after a job measure), and the same figures per area one level down, per partner
    and per kind of measure (with measures planned against delivered). The figures of the
    outcomes page, from the same selector."""

    permission_classes = SCOPED
    permission_model = "outcomes.outcomes"
    schema = OutcomesSchema()

    @extend_schema(parameters=PARAMETERS, responses=OutcomesSerializer)
    def get(self, request, *args, **kwargs):
        form = _checked(request)
        outcomes = selectors.outcomes_get(
            request.user, today=timezone.localdate(), **form.filters()
        )
        return Response(OutcomesSerializer(outcomes).data)


class OutcomeCaseListApi(generics.ListAPIView):
    """Each enrolled case of the region (and period) with its outcome, by id."""

    permission_classes = SCOPED
    permission_model = "outcomes.outcomes"
    schema = OutcomesSchema()
    serializer_class = CaseOutcomeSerializer
    filter_backends: list = []
    ordering = "id"

    def get_queryset(self):
        form = _checked(self.request)
        return selectors.outcome_case_rows(self.request.user, **form.filters())

    @extend_schema(parameters=PARAMETERS)
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.case_outcomes_page(request.user, list(page), today=timezone.localdate())
        return self.get_paginated_response(CaseOutcomeSerializer(rows, many=True).data)
