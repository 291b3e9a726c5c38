"""What every API view shares: one error body, service errors mapped onto it, and a schema
that documents every error the views can answer."""

import json
import re
from collections import Counter, defaultdict
from typing import ClassVar

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.openapi import AutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from inflection import camelize
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error

from core.errors import EditConflict, IdLookupLimitReached


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record was changed by someone else.")
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class DixianExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' body for every error, including those the services raise.

    Services raise Django's ValidationError and PermissionDenied so that pages can use them too;
    here they become the same 400 and 403 bodies a serializer error would give.
    """

    def convert_known_exceptions(self, exc):
        if isinstance(exc, IdLookupLimitReached):
            return exceptions.Throttled(detail=str(exc.message))
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(as_serializer_error(exc))
        if isinstance(exc, DjangoPermissionDenied):
            return exceptions.PermissionDenied(str(exc) or None)
        if isinstance(exc, EditConflict):
            return Conflict(exc.message)
        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE, or with too many fields, while
        # DRF reads it; a page answers 400 for these, an API view answered 500.
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge(
                _("The request body is larger than %(size)d bytes.")
                % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
            )
        if isinstance(exc, SuspiciousOperation):
            return exceptions.ParseError(_("The request could not be read."))
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


# Fields ----------------------------------------------------------------------------------------


class BoundedListField(serializers.ListField):
    """A ListField that must name its `max_length`, and checks it before any element.

    DRF's ListField validates every element and only then runs its length validator: a
    250 KB `risk_types` list cost 9 s of checking to be refused. (A nested serializer's
    `many=True, max_length=…` already checks the length first.)
    """

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if (
            isinstance(data, list | tuple)  # what JSON gives; the parent refuses the rest
            and self.max_length is not None  # always given (__init__)
            and len(data) > self.max_length
        ):
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


# Filters ---------------------------------------------------------------------------------------


def scoped_choices(selector):
    """The queryset of a ModelChoiceFilter: the rows the request's user may see.

    django-filter calls it with the request. A filter over every row answered `?household=1`
    (someone else's) with an empty list and `?household=999999` with 400: an oracle for which
    ids exist outside the user's region. Scoped, both are the same 400.
    """

    def queryset(request):
        return selector(getattr(request, "user", None) or AnonymousUser())

    return queryset


class _StrictBooleanWidget(BooleanWidget):
    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        value = super().value_from_datadict(data, files, name)
        # Something else than true/false/1/0 goes on to the field, which refuses it.
        return raw if value is None and raw not in (None, "") else value


class _StrictBooleanField(forms.NullBooleanField):
    default_error_messages = {"invalid": _("Enter a valid value.")}

    def to_python(self, value):
        if isinstance(value, str) and value:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class StrictBooleanFilter(filters.BooleanFilter):
    """true or false; anything else is a 400. django-filter's own BooleanFilter ignores a value
    it cannot read (`?is_active=yes` listed every partner, active or not)."""

    field_class = _StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _StrictBooleanWidget)
        super().__init__(*args, **kwargs)


# The schema ---------------------------------------------------------------------------------------


class Error409Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("conflict", "conflict")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse409Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    # DRF's metaclass takes declared fields out of the class, so this field does not replace
    # Serializer.errors at run time; the stubs see only the class attribute.
    errors = Error409Serializer(many=True)  # type: ignore[assignment]


# drf-standardized-errors names the error of a list's item "events.INDEX.kind" and of a dict's
# key "items.INDEX.KEY", while the body says "events.2.kind": the schema gets a pattern instead.
_PLACEHOLDERS = {"INDEX": r"\d+", "KEY": r"[^.]+"}


def _attr_pattern(attr: str) -> str | None:
    parts = attr.split(".")
    if not any(part in _PLACEHOLDERS for part in parts):
        return None
    return "^" + r"\.".join(_PLACEHOLDERS.get(part, re.escape(part)) for part in parts) + "$"


# The codes of the services' ValidationErrors ("invalid" when they name none); the fuzz test
# (tests/api/test_schemathesis.py) fails on a code missing here.
SERVICE_ERROR_CODES = frozenset(
    {
        "invalid",
        "case_exists",
        "case_open",
        "category_mismatch",
        "answered",
        "area",
        "closed",
        "declined",
        "duplicate_person",
        "expired",
        "final",
        "household_out_of_scope",
        "no_step",
        "not_claimed",
        "not_posted",
        "notice_running",
        "out_of_order",
        "registered_elsewhere",
        "taken",
        "village_out_of_scope",
        "wrong_state",
    }
)


class DixianAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, with the errors it cannot see from a view's declaration:

    - a paginated list refuses a page size out of range and a cursor it did not make (400 on
      `page_size` and `cursor`, core/pagination.py);
    - a write that carries the `version` the client saw answers 409 when the record moved on;
    - an error inside a list or a dict names its index or key (`risk_types.0`), which the
      schema describes by a pattern rather than by the placeholder `risk_types.INDEX`;
    - a POST that answers a list (a batch of signals) answers it whole, not as a page;
    - the actions a view names in `id_lookup_actions` answer 429 past the look-up allowance.

    Views take it as `schema = DixianAutoSchema()`.
    """

    def _should_add_http429_error_response(self) -> bool:
        # A view's actions that search the registry by ID number and count against the user's
        # hourly allowance (households/services.py) answer 429 past it, as a throttle would.
        counted = getattr(self.view, "id_lookup_actions", ())
        return getattr(self.view, "action", None) in counted or (
            super()._should_add_http429_error_response()
        )

    def _get_paginator(self):
        # Only a GET list is paginated; a POST answering a list (a batch's results) is not.
        return super()._get_paginator() if self.method == "GET" else None

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        extra = super()._get_extra_validation_errors()
        if self._is_paginated_list():
            for name in ("page_size", "cursor"):
                extra[name] = {*extra.get(name, ()), "invalid"}
        return extra

    def _get_validation_error_codes_by_field(self, data_fields) -> dict[str, set[str]]:
        codes = super()._get_validation_error_codes_by_field(data_fields)
        if self.method in ("PUT", "PATCH", "POST") and codes:
            # The services check what a serializer cannot (scope, state, the rules between
            # fields) and raise Django's ValidationError on a field or on the whole request.
            for attr in [*codes, "non_field_errors"]:
                if not _attr_pattern(attr or ""):
                    codes[attr] = {*codes.get(attr, ()), *SERVICE_ERROR_CODES}
        return codes

    def _takes_version(self) -> bool:
        if self.method not in ("PUT", "PATCH", "POST"):
            return False
        serializer = self.get_request_serializer()
        if isinstance(serializer, type) and issubclass(serializer, serializers.Serializer):
            serializer = serializer()
        return "version" in getattr(serializer, "fields", {})

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction == "response" and "409" not in responses and self._takes_version():
            responses["409"] = self._get_response_for_code(ErrorResponse409Serializer, "409")
        return responses

    def _get_serializer_for_validation_error_response(self):
        # One error shape per operation: `attr` one of its fields (a pattern, which also covers
        # the indexed ones) and `code` one of the codes any of them gives. drf-standardized-errors
        # makes a component per field instead, each with its own enums: 540 components, two
        # thirds of a 1 MB schema, and a union of near-identical classes in a generated client.
        codes_by_field = self._get_validation_error_codes_by_field(
            self._determine_fields_with_error_codes()
        )
        attrs = sorted(attr or "" for attr in codes_by_field)
        codes = sorted(set().union(*codes_by_field.values()))
        alternatives = "|".join(
            (_attr_pattern(attr) or f"^{re.escape(attr)}$")[1:-1] for attr in attrs
        )
        camelized = camelize(self.get_operation_id())  # the library's own component names

        @extend_schema_field({"type": "string", "pattern": f"^(?:{alternatives})$"})
        class AttrField(serializers.CharField):
            pass

        @extend_schema_field({"type": "string", "enum": codes})
        class CodeField(serializers.CharField):
            pass

        class ErrorSerializer(serializers.Serializer):
            code = CodeField()
            detail = serializers.CharField()
            attr = AttrField()

            class Meta:
                # The suffix keeps drf-standardized-errors' enum hook off its per-operation enum.
                ref_name = f"{camelized}ErrorComponent"

        class ValidationErrorSerializer(serializers.Serializer):
            type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
            # A declared field leaves the class (DRF's metaclass); the stubs see it replace
            # Serializer.errors.
            errors = ErrorSerializer(many=True)  # type: ignore[assignment]

            class Meta:
                ref_name = f"{camelized}ValidationError"

        return ValidationErrorSerializer


def shared_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: an error response that reads the same on many
    operations (401, 403, 404, 405, 406, 415, 500 with their translated examples) is written once
    under components/responses and referred to; a third of the schema was these copies."""
    operations = [
        operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "responses" in operation
    ]

    def key(response) -> str:
        return json.dumps(response, sort_keys=True, default=str)  # texts are lazy translations

    variants: dict[str, Counter] = defaultdict(Counter)
    for operation in operations:
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")) and code != "400":
                variants[code][key(response)] += 1
    shared = {}
    for code, counts in variants.items():
        text, uses = counts.most_common(1)[0]
        if uses > 1:
            shared[text] = f"Error{code}"
    components = result.setdefault("components", {}).setdefault("responses", {})
    for operation in operations:
        for code, response in operation["responses"].items():
            name = shared.get(key(response))
            if name:
                components.setdefault(name, response)
                operation["responses"][code] = {"$ref": f"#/components/responses/{name}"}
    return result


def parameters_without_titles(result, generator, request, public):
    """drf-spectacular post-processing hook: a filter's schema carries its label as `title`
    ("脱贫状态"), which a client generator turns into a class name; the label stays in the
    parameter's description."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                schema.pop("title", None)
                schema.get("items", {}).pop("title", None)  # a multiple choice
    return result


class SchemaApi(SpectacularAPIView):
    """The OpenAPI description, for signed-in users and API clients only.

    It changes only with the code, and building it takes seconds and rendering it as YAML about
    one more, so each process builds it once per API version and language (its texts are
    translated) and renders it once per format. Anonymous callers get 401 before any of that:
    the description is a megabyte, and answering it to anyone stalled the login page.
    """

    permission_classes = [permissions.IsAuthenticated]
    _built: ClassVar[dict[tuple[str | None, str], dict]] = {}
    _rendered: ClassVar[dict[tuple[str | None, str, type], bytes]] = {}

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request, *args, **kwargs):
        # The language is the request's, which LocaleMiddleware picks among the site's own;
        # drf-spectacular's `?lang=` would activate any string, each a new entry to build.
        return self._get_schema_response(request)

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        renderer = request.accepted_renderer
        key = (version, get_language())
        if (*key, type(renderer)) not in self._rendered:
            if key not in self._built:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                self._built[key] = generator.get_schema(request=request, public=self.serve_public)
            # Rendered for the format's own media type, so that `Accept` parameters (an indent)
            # make no new entries.
            self._rendered[(*key, type(renderer))] = renderer.render(
                self._built[key], renderer.media_type, self.get_renderer_context()
            )
        content_type = renderer.media_type
        if renderer.charset:
            content_type += f"; charset={renderer.charset}"
        response = HttpResponse(self._rendered[(*key, type(renderer))], content_type=content_type)
        filename = self._get_filename(request, version)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        patch_vary_headers(response, ["Accept"])
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # An error (401 above all) in the API's JSON error body, whichever format was asked for.
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
