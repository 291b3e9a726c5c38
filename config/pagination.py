from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: page 2,000 costs what page 1 costs.

    A page size over the limit is refused with an error rather than silently cut, so that a
    department system never believes it received everything.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"

    def get_ordering(self, request, queryset, view):
        # Views without an OrderingFilter name their order in `ordering`, like DRF's own views.
        if getattr(view, "ordering", None) and not any(
            hasattr(backend, "get_ordering") for backend in getattr(view, "filter_backends", [])
        ):
            return (view.ordering,) if isinstance(view.ordering, str) else tuple(view.ordering)
        return super().get_ordering(request, queryset, view)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Page size must be a whole number from 1 to %(max)d.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)
