from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import QuerySet

from core.admin import GuardedModelAdmin
from households import selectors
from households.models import Household, Member, Region, SensitiveAccess


class ScopedAdmin(GuardedModelAdmin):
    """The admin sees what the selectors let the user see, like every other door."""

    # Each admin's selector: the rows the user may see, as every other door reads them.
    selector: ClassVar[Callable[[Any], QuerySet] | None] = None

    def get_queryset(self, request):
        return type(self).selector(request.user)


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    selector = selectors.regions_visible_to
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False  # regions come from the national statistics codes only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyRegistryAdmin(ScopedAdmin):
    """Registry rows are changed through the services (scope, locks, history), not the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyRegistryAdmin):
    selector = selectors.households_visible_to
    list_display = ["number", "head_name", "village", "poverty_status", "risk_level"]
    list_filter = ["poverty_status", "risk_level"]
    search_fields = ["number", "head_name"]
    exclude = ["phone", "bank_account"]
    list_select_related = ["village"]


@admin.register(Member)
class MemberAdmin(ReadOnlyRegistryAdmin):
    selector = selectors.members_visible_to
    list_display = ["name", "household", "relation", "id_number_masked", "status"]
    list_filter = ["relation", "status"]
    search_fields = ["name"]
    exclude = ["id_number_encrypted", "phone", "health", "disability", "health_note", "birth_date"]
    list_select_related = ["household"]

    def lookup_allowed(self, lookup, value, request):
        # ?birth_date__gte=… halves the range each time: the birth date, and with the mask the
        # whole ID number, in a dozen requests.
        if lookup.split("__")[0] == "birth_date":
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(ReadOnlyRegistryAdmin):
    selector = selectors.accesses_visible_to
    list_display = ["at", "user", "household", "member", "reason", "channel"]
    list_select_related = ["user", "household", "member"]
