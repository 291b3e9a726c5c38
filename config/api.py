"""What every API view shares: one error body, and service errors mapped onto it."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, permissions, status
from rest_framework.serializers import as_serializer_error

from config.exceptions import EditConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record was changed by someone else.")
    default_code = "conflict"


class DixianExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' body for every error, including those the services raise.

    Services raise Django's ValidationError and PermissionDenied so that pages can use them too;
    here they become the same 400 and 403 bodies a serializer error would give.
    """

    def convert_known_exceptions(self, exc):
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(as_serializer_error(exc))
        if isinstance(exc, DjangoPermissionDenied):
            return exceptions.PermissionDenied(str(exc) or None)
        if isinstance(exc, EditConflict):
            return Conflict(exc.message)
        return super().convert_known_exceptions(exc)


class RolePermission(permissions.BasePermission):
    """The Django model permission a request needs; region scope is the selectors' job.

    A view names its model as "app.model" and may map its extra actions to a verb.
    """

    verbs = {
        "GET": "view",
        "HEAD": "view",
        "OPTIONS": "view",
        "POST": "add",
        "PUT": "change",
        "PATCH": "change",
    }

    def has_permission(self, request, view):
        app_label, model = view.permission_model.split(".")
        verb = getattr(view, "permission_verbs", {}).get(getattr(view, "action", None))
        verb = verb or self.verbs.get(request.method)
        return bool(verb) and request.user.has_perm(f"{app_label}.{verb}_{model}")
