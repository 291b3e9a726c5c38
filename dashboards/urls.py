from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("more/", views.more, name="more"),
]
