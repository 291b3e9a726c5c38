from django.urls import path

from livelihoods.views import continuing, household

urlpatterns = [
    path(
        "households/<int:pk>/livelihood/",
        household.household_livelihood,
        name="household-livelihood",
    ),
    path("households/<int:pk>/work/", household.work_month, name="work-month"),
    path("households/<int:pk>/posts/new/", household.post_create, name="welfare-post-create"),
    path("households/<int:pk>/claims/new/", household.claim_create, name="insurance-claim-create"),
    path("livelihoods/continuing/", continuing.continuing_list, name="continuing-measures"),
]
