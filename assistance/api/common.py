"""What the assistance API views share."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.exceptions import ValidationError

from core.api import RolePermission

SCOPED = [permissions.IsAuthenticated, RolePermission]


def require(data: dict, *names: str) -> None:
    """Fields a partial serializer leaves optional but this request needs."""
    missing = {name: [_("This field is required.")] for name in names if data.get(name) is None}
    if missing:
        raise ValidationError(missing)
