from django.urls import path

from self_reports import views

urlpatterns = [
    # The public pages: no login (a village's QR code leads here).
    path("report/status/", views.public_report_status, name="public-report-status"),
    path("report/<str:code>/", views.public_report, name="public-report"),
    path("report/<str:code>/code/", views.public_report_code, name="public-report-code"),
    # The cadres' pages.
    path("self-reports/", views.own_report_list, name="own-report-list"),
    path("self-reports/<int:pk>/", views.own_report_detail, name="own-report-detail"),
    path("self-reports/<int:pk>/accept/", views.own_report_accept, name="own-report-accept"),
    path("self-reports/<int:pk>/decide/", views.own_report_decide, name="own-report-decide"),
    path("self-reports/poster/<str:code>/", views.own_report_poster, name="own-report-poster"),
]
