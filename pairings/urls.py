from django.urls import path

from pairings import views

urlpatterns = [
    path("pairings/", views.pairing_overview, name="pairing-overview"),
    path("pairings/policy/", views.pairing_policy_edit, name="pairing-policy"),
    path("pairings/mine/", views.pairing_mine, name="pairing-mine"),
    path("households/<int:pk>/pairing/", views.pairing_assign, name="pairing-assign"),
    path("households/<int:pk>/contacts/new/", views.contact_create, name="contact-create"),
]
