import functools

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Permission
from django.forms.utils import pretty_name
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import users_managed_by
from core.admin import SensitiveLookupGuard

# A permission's name is stored in English when `migrate` creates it; the admin names the four
# model permissions in the reader's language and looks the others (Meta.permissions) up in the
# catalogue.
MODEL_PERMISSION_NAMES = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    content_type = permission.content_type
    model = content_type.model_class()
    verb, _separator, model_name = permission.codename.partition("_")
    if model is not None and verb in MODEL_PERMISSION_NAMES and model_name == content_type.model:
        name = MODEL_PERMISSION_NAMES[verb] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    app_name = apps.get_app_config(content_type.app_label).verbose_name
    return f"{app_name} | {name}"


class LabelsInReadersLanguage:
    """Fieldset titles that libraries give as plain English, and permission names, in the
    reader's language (accounts/third_party.py holds their translations)."""

    def get_fieldsets(self, request, obj=None):
        return [
            (gettext(name) if isinstance(name, str) else name, options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
            formfield.queryset = formfield.queryset.select_related("content_type")
        return formfield


admin.site.site_header = _("Dixian administration")
admin.site.site_title = _("Dixian administration")
admin.site.index_title = _("Records and settings")


# The apps listed before this one in INSTALLED_APPS have registered their admins by now (Django
# imports the admin modules in that order): auth's groups, knox's tokens, axes' login records,
# django-otp's devices. Each is registered again with the guard, so that no ModelAdmin filters
# by a sensitive field through its relations (core/admin.py), and speaks the reader's language.
def _titled(method, name: str):
    """A library's column method whose title would be its English name (axes' "status")."""

    @functools.wraps(method)
    def titled(self, obj):
        return method(self, obj)

    titled.short_description = _(pretty_name(name))  # type: ignore[attr-defined]
    return titled


for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, SensitiveLookupGuard):
        _class = type(_model_admin)
        _bases = (SensitiveLookupGuard, LabelsInReadersLanguage, _class)
        _columns = {
            name: _titled(getattr(_class, name), name)
            for name in getattr(_class, "list_display", ())
            if isinstance(name, str)
            and callable(getattr(_class, name, None))
            and not hasattr(getattr(_class, name), "short_description")
        }
        admin.site.unregister(_model)
        admin.site.register(_model, type(_class.__name__, _bases, _columns))


@admin.register(User)
class UserAdmin(SensitiveLookupGuard, LabelsInReadersLanguage, DjangoUserAdmin):
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
