from django.urls import path

from households import views

urlpatterns = [
    path("households/", views.household_list, name="household-list"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/unmask/", views.household_unmask, name="household-unmask"),
    path("households/<int:pk>/history/", views.household_history, name="household-history"),
    path("households/<int:pk>/members/new/", views.member_create, name="member-create"),
    path("households/<int:pk>/split/", views.household_split, name="household-split"),
    path("households/<int:pk>/merge/", views.household_merge, name="household-merge"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("members/<int:pk>/move/", views.member_move, name="member-move"),
]
