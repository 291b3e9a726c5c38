"""GET /api/v1/tasks/: the signed-in user's tasks, filtered, one bounded page at a time."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions
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
        pattern=r"^\d{2,12}$",
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


class TaskListApi(APIView):
    """Everything the user must act on, derived from the records: visits due, warnings to
    assign, verify or confirm, case steps for the user's role, department signals to review,
    cases whose risk elimination may be applied for, measures ending. Earliest due first."""

    permission_classes = [permissions.IsAuthenticated]
    schema = DixianAutoSchema()

    @extend_schema(parameters=PARAMETERS, responses=TaskListSerializer)
    def get(self, request, *args, **kwargs):
        form = TaskFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {field: list(messages) for field, messages in form.errors.items()}
            )
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
