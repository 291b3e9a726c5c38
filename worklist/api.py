"""GET /api/v1/tasks/: the signed-in user's tasks, filtered, one bounded page at a time."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_utils import get_form_fields_with_error_codes
from rest_framework import exceptions, permissions
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DixianAutoSchema
from worklist import selectors
from worklist.forms import MAX_PAGE, PAGE_SIZE, TaskFilterForm
from worklist.kinds import KINDS, KINDS_BY_CODE
from worklist.serializers import TaskListSerializer

PARAMETERS = [
    OpenApiParameter(
        "kind",
        OpenApiTypes.STR,
        enum=[kind.code for kind in KINDS],
        many=True,
        explode=True,
        description=_("Only these kinds (repeat the parameter for several)."),
    ),
    OpenApiParameter(
        "overdue",
        OpenApiTypes.BOOL,
        description=_("true: only overdue tasks; false: only those not yet overdue."),
    ),
    OpenApiParameter(
        "due_before", OpenApiTypes.DATE, description=_("Only tasks due on or before this day.")
    ),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        pattern=r"^[0-9]{2,12}$",
        description=_("A region code (or code prefix) within the user's region."),
    ),
    OpenApiParameter(
        "page",
        OpenApiTypes.INT,
        description=format_lazy(_("Page number, 1 to {max}."), max=MAX_PAGE),
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=format_lazy(
            _("Tasks a page, 1 to {max} (default {default})."),
            max=selectors.MAX_PAGE_SIZE,
            default=PAGE_SIZE,
        ),
    ),
]


class TaskListSchema(DixianAutoSchema):
    """The 400 of the task list: its query parameters are a Django form (worklist/forms.py),
    which drf-standardized-errors reads for the codes as it reads a django-filter set's."""

    def _should_add_validation_error_response(self) -> bool:
        return True

    def _determine_fields_with_error_codes(self):
        return get_form_fields_with_error_codes(TaskFilterForm(None, user=None))

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        return {**super()._get_extra_validation_errors(), "region": {"invalid", "outside_region"}}


def _refusal(form: TaskFilterForm) -> exceptions.ValidationError:
    """The form's errors as the API's 400, each with its code."""
    return exceptions.ValidationError(
        {
            field: [
                ErrorDetail(" ".join(error.messages), code=error.code or "invalid")
                for error in errors
            ]
            for field, errors in form.errors.as_data().items()
        }
    )


class TaskListApi(APIView):
    """Everything the user must act on, derived from the records: visits due, warnings to
    assign, verify or confirm, case steps for the user's role, department signals to review,
    cases whose risk elimination may be applied for, measures ending. Earliest due first."""

    permission_classes = [permissions.IsAuthenticated]
    schema = TaskListSchema()

    @extend_schema(parameters=PARAMETERS, responses=TaskListSerializer)
    def get(self, request, *args, **kwargs):
        form = TaskFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise _refusal(form)
        page = selectors.task_page(
            request.user,
            **form.filters(),
            number=form.chosen_page(),
            size=form.chosen_size(),
        )
        data = {
            "counts": {
                code: {"kind_label": str(KINDS_BY_CODE[code].label), **counted}
                for code, counted in page.counts.items()
            },
            "count": page.count,
            "page": page.number,
            "pages": page.pages,
            "results": [task.__dict__ for task in page.tasks],
        }
        return Response(TaskListSerializer(data).data)
