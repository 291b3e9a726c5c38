"""Micro-credit pages: a loan with its schedule and a payment form, a new loan from the
household's page. Forms check the shape; the services decide and say why they refuse."""

import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import EditConflict
from core.forms import add_service_errors, data_select
from households.selectors import household_get
from livelihoods.forms import measure_field, set_measure_choices
from livelihoods.models.credit import (
    MAX_PRINCIPAL,
    MAX_TERM_MONTHS,
    OPEN_STATUSES,
    InterestPayer,
    RepaymentMethod,
)
from livelihoods.selectors import credit as selectors
from livelihoods.services import credit as services


def _date_input() -> forms.DateInput:
    # ISO in the value: a date input shows nothing for a localised one.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


MONEY_INPUT = {"inputmode": "decimal", "min": "0", "step": "0.01", "class": "money"}


class LoanForm(forms.Form):
    borrower = forms.TypedChoiceField(label=gettext_lazy("borrower"), coerce=int)
    lender = forms.CharField(label=gettext_lazy("lending bank"), max_length=60)
    principal = forms.DecimalField(
        label=gettext_lazy("principal (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_PRINCIPAL,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    term_months = forms.IntegerField(
        label=gettext_lazy("term (months)"), min_value=1, max_value=MAX_TERM_MONTHS
    )
    annual_rate = forms.DecimalField(
        label=gettext_lazy("annual interest rate (%)"),
        max_digits=5,
        decimal_places=3,
        min_value=0,
        max_value=24,
    )
    interest_payer = forms.ChoiceField(
        label=gettext_lazy("interest paid by"),
        choices=InterestPayer.choices,
        initial=InterestPayer.SUBSIDY,
    )
    method = forms.ChoiceField(
        label=gettext_lazy("repayment method"), choices=RepaymentMethod.choices
    )
    disbursed_on = forms.DateField(label=gettext_lazy("disbursed on"), widget=_date_input())
    # Only the household's own micro-credit measures are offered; the service refuses any
    # other (another household's, another kind) whatever is sent.
    measure = measure_field()

    def __init__(self, *args, members=(), measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].choices = [(m.pk, m.name) for m in members]
        self.fields["borrower"].widget = data_select()
        self.fields["borrower"].widget.choices = self.fields["borrower"].choices
        set_measure_choices(self.fields["measure"], measures)


class PaymentForm(forms.Form):
    """The key is made when the form is shown: a form sent twice records one payment."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    amount = forms.DecimalField(
        label=gettext_lazy("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    paid_on = forms.DateField(label=gettext_lazy("repaid on"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        self.initial.setdefault("paid_on", timezone.localdate())


class ExtendForm(forms.Form):
    months = forms.IntegerField(
        label=gettext_lazy("extended by (months)"),
        min_value=1,
        max_value=services.MAX_EXTENSION_MONTHS,
    )
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class WriteOffForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MarkOverdueForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("what the bank or the household said"), max_length=200
    )


# The loan's actions besides a payment: the form, the service and what it says when done.
LOAN_ACTIONS = {
    "extend": (ExtendForm, services.loan_extend, gettext_lazy("The loan is extended.")),
    "write_off": (
        WriteOffForm,
        services.loan_write_off,
        gettext_lazy("The loan is written off and closed."),
    ),
    "mark_overdue": (
        MarkOverdueForm,
        services.loan_mark_overdue,
        gettext_lazy("The loan is reported overdue; the warning rules will weigh it."),
    ),
}


def _loan_page(request, loan, payment_form=None, status=200, bound=None):
    """The loan page; `bound` is the one action form sent back with its errors, by key."""
    today = timezone.localdate()
    user = request.user
    overdue_days = selectors.overdue_days(loan, today)
    is_open = loan.status in OPEN_STATUSES
    may_change = is_open and user.has_perm("livelihoods.change_microloan")
    shown = {
        "extend": may_change and loan.extended_on is None,
        "write_off": may_change,
        # Reported once a spell: a loan whose spell is signalled already has nothing to add.
        "mark_overdue": is_open
        and overdue_days > 0
        and loan.overdue_signal_id is None
        and user.has_perm("livelihoods.add_loanpayment"),
    }
    actions = {}
    for key, (form_class, _service, _done) in LOAN_ACTIONS.items():
        if bound and key in bound:
            actions[key] = bound[key]
        elif shown[key]:
            actions[key] = form_class(initial={"version": loan.version})
    return render(
        request,
        "livelihoods/credit/loan_detail.html",
        {
            "loan": loan,
            "instalments": list(selectors.live_instalments(loan)),
            "balance": selectors.balance_of(loan, today),
            "overdue_days": overdue_days,
            "payments": selectors.payments_visible_to(user).filter(loan=loan)[:50],
            "today": today,
            "is_open": is_open,
            "can_pay": user.has_perm("livelihoods.add_loanpayment"),
            "form": payment_form or PaymentForm(),
            "actions": actions,
            "open_action": next(iter(bound), "") if bound else "",
        },
        status=status,
    )


@login_required
@permission_required("livelihoods.view_microloan", raise_exception=True)
def loan_detail(request, pk):
    loan = selectors.loan_get(user=request.user, pk=pk)
    return _loan_page(request, loan, PaymentForm())


def _loan_action(request, pk, key):
    """Send one of the loan's actions through its service (the API's); refused, the page shows
    the form again with why, and nothing is written."""
    loan = selectors.loan_get(user=request.user, pk=pk)
    if request.method != "POST":
        return redirect("loan-page", loan.pk)
    form_class, service, done = LOAN_ACTIONS[key]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, loan_id=loan.pk, **form.cleaned_data)
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, str(done))
            return redirect("loan-page", loan.pk)
    loan = selectors.loan_get(user=request.user, pk=pk)
    return _loan_page(request, loan, status=400, bound={key: form})


@login_required
@permission_required("livelihoods.change_microloan", raise_exception=True)
def loan_extend(request, pk):
    return _loan_action(request, pk, "extend")


@login_required
@permission_required("livelihoods.change_microloan", raise_exception=True)
def loan_write_off(request, pk):
    return _loan_action(request, pk, "write_off")


@login_required
@permission_required("livelihoods.add_loanpayment", raise_exception=True)
def loan_mark_overdue(request, pk):
    return _loan_action(request, pk, "mark_overdue")


@login_required
@permission_required("livelihoods.add_loanpayment", raise_exception=True)
def loan_pay(request, pk):
    loan = selectors.loan_get(user=request.user, pk=pk)
    if request.method != "POST":
        return redirect("loan-page", loan.pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.loan_pay(actor=request.user, loan_id=loan.pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect("loan-page", loan.pk)
    return _loan_page(request, loan, form, status=400)


@login_required
@permission_required("livelihoods.add_microloan", raise_exception=True)
def loan_create(request, pk):
    household = household_get(user=request.user, pk=pk)
    members = selectors.borrowers_of(household)
    measures = list(selectors.credit_measures_of(request.user, household).order_by("-pk"))
    # Opened from a measure's page: that measure is chosen (if it is one of the household's).
    chosen = request.GET.get("measure", "")
    initial = {
        "disbursed_on": timezone.localdate(),
        "measure": next((m.pk for m in measures if str(m.pk) == chosen), None),
    }
    form = LoanForm(request.POST or None, members=members, measures=measures, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            loan = services.loan_create(
                actor=request.user,
                household_id=household.pk,
                borrower_id=data.pop("borrower"),
                measure_id=data.pop("measure") or None,
                **data,
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The loan and its repayment schedule are recorded."))
            return redirect("loan-page", loan.pk)
    return render(
        request,
        "livelihoods/credit/loan_form.html",
        {"household": household, "form": form},
        status=400 if form.errors else 200,
    )
