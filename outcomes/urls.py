from django.urls import path

from outcomes import views

urlpatterns = [
    path("outcomes/", views.outcomes_page, name="outcomes"),
]
