from django.urls import path

from development.views import card, plans

urlpatterns = [
    path("households/<int:pk>/plan/new/", plans.plan_create, name="plan-create"),
    path("households/<int:pk>/card/", card.household_card, name="household-card"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/goal/", plans.goal_edit, name="plan-goal"),
    path("plans/<int:pk>/commitment/", plans.commitment_edit, name="plan-commitment"),
    path("plans/<int:pk>/agree/", plans.plan_agree, name="plan-agree"),
    path("plans/<int:pk>/review/", plans.plan_review, name="plan-review"),
    path("plans/<int:pk>/close/", plans.plan_close, name="plan-close"),
]
