from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import users_managed_by
from core.admin import SensitiveLookupGuard

# The apps listed before this one in INSTALLED_APPS have registered their admins by now (Django
# imports the admin modules in that order): auth's groups, knox's tokens, axes' login records,
# django-otp's devices. Each is registered again with the guard, so that no ModelAdmin filters
# by a sensitive field through its relations (core/admin.py).
for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, SensitiveLookupGuard):
        _class = type(_model_admin)
        admin.site.unregister(_model)
        admin.site.register(_model, type(_class.__name__, (SensitiveLookupGuard, _class), {}))


@admin.register(User)
class UserAdmin(SensitiveLookupGuard, DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role and region"), {"fields": ["role", "region", "partner"]}),
    ]
    raw_id_fields = ["region", "partner"]

    def get_queryset(self, request):
        # A county officer manages the accounts of their own county, not of others.
        queryset = super().get_queryset(request).select_related("region")
        return users_managed_by(request.user, queryset)
