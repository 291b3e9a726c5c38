from django.urls import path, re_path

from spreadsheets import views

urlpatterns = [
    path("households/import/", views.registry_import, name="registry-import"),
    path("households/import/<int:pk>/", views.registry_import_job, name="registry-import-job"),
    path(
        "households/import/<int:pk>/confirm/",
        views.registry_import_job_confirm,
        name="registry-import-job-confirm",
    ),
    path(
        "households/import/<int:pk>/cancel/",
        views.registry_import_job_cancel,
        name="registry-import-job-cancel",
    ),
    path("households/import/template.xlsx", views.template_download, name="registry-template"),
    path("civil-affairs/rosters/import/", views.roster_import, name="civil-affairs-roster-import"),
    path(
        "civil-affairs/rosters/<int:pk>/export.xlsx",
        views.roster_export,
        name="civil-affairs-roster-export",
    ),
    path("livelihoods/work/import/", views.work_import, name="work-import"),
    re_path(
        r"^export/(?P<kind>households|visits|alerts|cases|measures|partners)\.xlsx$",
        views.list_export,
        name="list-export",
    ),
    path("export/jobs/<int:pk>/", views.list_export_job, name="list-export-job"),
    path(
        "export/jobs/<int:pk>/download/",
        views.list_export_download,
        name="list-export-download",
    ),
]
