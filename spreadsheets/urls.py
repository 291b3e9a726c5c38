from django.urls import path, re_path

from spreadsheets import views

urlpatterns = [
    path("households/import/", views.registry_import, name="registry-import"),
    path(
        "households/import/confirm/",
        views.registry_import_confirm,
        name="registry-import-confirm",
    ),
    path("households/import/template.xlsx", views.template_download, name="registry-template"),
    re_path(
        r"^export/(?P<kind>households|visits|alerts|cases|measures|partners)\.xlsx$",
        views.list_export,
        name="list-export",
    ),
]
