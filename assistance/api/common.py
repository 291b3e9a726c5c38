"""What the assistance API views share."""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import fields as django_filters_fields
from django_filters import rest_framework as filters
from rest_framework import permissions
from rest_framework.exceptions import ValidationError

from core.api import RolePermission

SCOPED = [permissions.IsAuthenticated, RolePermission]


def require(data: dict, *names: str) -> None:
    """Fields a partial serializer leaves optional but this request needs."""
    missing = {name: [_("This field is required.")] for name in names if data.get(name) is None}
    if missing:
        raise ValidationError(missing)


class _GivenEmpty(str):
    """What `?kind=` reads as: a value given empty, which is not one of the choices."""


class _StrictSelect(forms.Select):
    def value_from_datadict(self, data, files, name):
        if name in data and data.get(name) == "":
            return _GivenEmpty("")
        return super().value_from_datadict(data, files, name)


class _StrictChoiceField(django_filters_fields.ChoiceField):
    def validate(self, value):
        if isinstance(value, _GivenEmpty):
            raise DjangoValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            )
        super().validate(value)

    def to_python(self, value):
        return value if isinstance(value, _GivenEmpty) else super().to_python(value)


class StrictChoiceFilter(filters.ChoiceFilter):
    """One of the choices, or absent; `?kind=` is a 400 as the schema's enum says, where
    django-filter's ChoiceFilter would list everything."""

    field_class = _StrictChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _StrictSelect)
        super().__init__(*args, **kwargs)
