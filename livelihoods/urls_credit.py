"""The micro-credit pages (livelihoods/views/credit.py)."""

from django.urls import path

from livelihoods.views import credit

urlpatterns = [
    path("loans/<int:pk>/", credit.loan_detail, name="loan-page"),
    path("loans/<int:pk>/pay/", credit.loan_pay, name="loan-pay"),
    path("households/<int:pk>/loans/new/", credit.loan_create, name="loan-create"),
]
