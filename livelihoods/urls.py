from django.urls import path

from livelihoods.views import continuing, household, records

urlpatterns = [
    path(
        "households/<int:pk>/livelihood/",
        household.household_livelihood,
        name="household-livelihood",
    ),
    path("households/<int:pk>/work/", household.work_month, name="work-month"),
    path("households/<int:pk>/posts/new/", household.post_create, name="welfare-post-create"),
    path("households/<int:pk>/claims/new/", household.claim_create, name="insurance-claim-create"),
    path("livelihoods/posts/<int:pk>/", records.post_change, name="welfare-post-edit"),
    path(
        "livelihoods/posts/<int:pk>/payments/new/",
        records.post_payment_create,
        name="post-payment-create",
    ),
    path(
        "households/<int:pk>/industry/new/", records.support_create, name="industry-support-create"
    ),
    path("livelihoods/industry/<int:pk>/", records.support_change, name="industry-support-edit"),
    path(
        "livelihoods/industry/<int:pk>/payments/new/",
        records.industry_payment_create,
        name="industry-payment-create",
    ),
    path(
        "livelihoods/claims/<int:pk>/decide/", records.claim_decide, name="insurance-claim-decide"
    ),
    path("livelihoods/links/", records.partner_links, name="partner-links"),
    path("livelihoods/continuing/", continuing.continuing_list, name="continuing-measures"),
]
