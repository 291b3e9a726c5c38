from django.urls import path

from dashboards import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
