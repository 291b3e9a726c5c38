from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _api_error(status: int, code: str, detail: str) -> JsonResponse:
    # The same body drf-standardized-errors gives, for URLs that never reach a DRF view.
    kind = "client_error" if status < 500 else "server_error"
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status
    )


def not_found(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _api_error(500, "error", _("A server error occurred."))
    return defaults.server_error(request)
