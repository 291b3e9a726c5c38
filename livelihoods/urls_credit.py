"""The micro-credit pages (livelihoods/views/credit.py)."""

from django.urls import path

from livelihoods.views import credit

urlpatterns = [
    path("loans/<int:pk>/", credit.loan_detail, name="loan-page"),
    path("loans/<int:pk>/pay/", credit.loan_pay, name="loan-pay"),
    path("loans/<int:pk>/extend/", credit.loan_extend, name="loan-extend"),
    path("loans/<int:pk>/write-off/", credit.loan_write_off, name="loan-write-off"),
    path("loans/<int:pk>/mark-overdue/", credit.loan_mark_overdue, name="loan-mark-overdue"),
    path("households/<int:pk>/loans/new/", credit.loan_create, name="loan-create"),
]
