from django.urls import path

from evidence import views

urlpatterns = [
    path(
        "evidence/<str:kind>/<int:owner_id>/attach/",
        views.evidence_attach,
        name="evidence-attach",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
