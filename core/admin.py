"""What every ModelAdmin of Dixian derives from: the admin never filters, searches or sorts by a
sensitive field (core/masking.py SENSITIVE_FIELDS).

Hiding a field from the admin's pages is not enough: the changelist applies any query-string
lookup on the model's own fields (`?phone__startswith=184`, `?health=serious`) and answers with
the rows that match, which reads the hidden value a digit at a time. Django refuses lookups that
cross relations unless a list filter names them; this refuses every path that names a sensitive
field, local or across relations, with Django's DisallowedModelAdminLookup (a 400 page).
"""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F

from core.masking import names_sensitive_field


def _names_of(order_field) -> list[str]:
    """The field paths an ordering (a path, or an expression such as F("phone").desc()) uses."""
    if isinstance(order_field, str):
        return [order_field]
    if hasattr(order_field, "flatten"):
        # F keeps its path in `name`, which django-stubs does not declare.
        return [node.name for node in order_field.flatten() if isinstance(node, F)]  # type: ignore[attr-defined]
    return []


def orders_by_sensitive_field(order_field) -> bool:
    return any(names_sensitive_field(name) for name in _names_of(order_field))


class GuardedChangeList(ChangeList):
    """`?o=3` sorts by the fourth column whatever sortable_by says; a sensitive column is not
    sorted by (sorting reveals the order of values the page does not show)."""

    def get_ordering_field(self, field_name):
        order_field = super().get_ordering_field(field_name)
        if order_field is not None and orders_by_sensitive_field(order_field):
            return None
        return order_field


if TYPE_CHECKING:
    # The guard is only ever mixed into a ModelAdmin; mypy checks it as one.
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class SensitiveLookupGuard(_ModelAdmin):
    """Mixed into every ModelAdmin (tests/security/test_admin_lookups.py checks that they all
    have it, our own and the ones third-party apps register, accounts/admin.py)."""

    def lookup_allowed(self, lookup, value, request=None):
        if names_sensitive_field(lookup):
            return False  # the changelist answers DisallowedModelAdminLookup: 400
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return [name for name in fields if not names_sensitive_field(name)]

    def get_ordering(self, request):
        ordering = super().get_ordering(request) or ()
        return [field for field in ordering if not orders_by_sensitive_field(field)]

    def get_sortable_by(self, request):
        # Only the column headers: GuardedChangeList refuses the ordering itself.
        return [
            name
            for name in super().get_sortable_by(request)
            if not orders_by_sensitive_field(_column_ordering(self, name))
        ]

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if changelist is ChangeList:
            return GuardedChangeList
        if issubclass(changelist, GuardedChangeList):
            return changelist
        # An admin's own ChangeList (none today) keeps what it does, with the guard first.
        return type(changelist.__name__, (GuardedChangeList, changelist), {})

    def check(self, **kwargs):
        """Declaring a sensitive field in search_fields, ordering, list_filter or date_hierarchy
        is an error at start-up (`manage.py check`), not a silently dropped setting."""
        errors = super().check(**kwargs)
        declared: list[tuple[str, list]] = [
            ("search_fields", list(self.search_fields or ())),
            ("ordering", list(self.ordering or ())),
            ("list_filter", [_filter_path(item) for item in self.list_filter or ()]),
            ("date_hierarchy", [self.date_hierarchy] if self.date_hierarchy else []),
        ]
        for option, paths in declared:
            for path in paths:
                if path and orders_by_sensitive_field(path):
                    errors.append(
                        checks.Error(
                            f"{option} names the sensitive field {path!r}.",
                            hint="Sensitive fields are listed in core/masking.py.",
                            obj=type(self),
                            id="households.E101",
                        )
                    )
        return errors


def _column_ordering(model_admin, name):
    """What a list_display column sorts by: its field, or its admin_order_field."""
    if isinstance(name, str):
        if "__" in name:
            return name
        try:
            return model_admin.model._meta.get_field(name).name
        except FieldDoesNotExist:
            attr = getattr(model_admin, name, None) or getattr(model_admin.model, name, None)
    else:
        attr = name
    if isinstance(attr, property):
        attr = attr.fget
    return getattr(attr, "admin_order_field", None)


def _filter_path(item) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, (list, tuple)):
        return item[0]
    return getattr(item, "parameter_name", "") or ""  # a SimpleListFilter class


class GuardedModelAdmin(SensitiveLookupGuard, admin.ModelAdmin):
    pass
