from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Role and region"), {"fields": ["role", "region", "partner"]}),
    ]
    raw_id_fields = ["region", "partner"]

    def get_queryset(self, request):
        # A county officer manages the accounts of their own county, not of others.
        queryset = super().get_queryset(request).select_related("region")
        prefix = request.user.scope_prefix
        if prefix is None:
            return queryset.none()
        return queryset.filter(region__code__startswith=prefix) if prefix else queryset
