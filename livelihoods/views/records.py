"""The forms of a household's posts, industry support and claims once they exist: a month's pay
of a post, a link's payment (a partner's users for their own links), a claim's decision; and a
partner's own links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import Role
from assistance.models import MeasureKind
from assistance.selectors import partners_visible_to
from core.errors import EditConflict
from core.forms import add_service_errors
from households.selectors import household_get
from livelihoods.forms import (
    ClaimDecisionForm,
    IndustryPaymentForm,
    IndustrySupportChangeForm,
    IndustrySupportForm,
    PostPaymentForm,
    WelfarePostChangeForm,
)
from livelihoods.models.industry import LINKING_PARTNER_KINDS
from livelihoods.selectors import industry as industry_selectors
from livelihoods.selectors import insurance as insurance_selectors
from livelihoods.selectors import posts as post_selectors
from livelihoods.selectors.common import household_measures
from livelihoods.services import industry as industry_services
from livelihoods.services import insurance as insurance_services
from livelihoods.services import posts as post_services


def _form_page(request, form, *, title, household=None, subject=""):
    return render(
        request,
        "livelihoods/record_form.html",
        {"form": form, "title": title, "household": household, "subject": subject},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("livelihoods.add_postpayment", raise_exception=True)
def post_payment_create(request, pk):
    post = post_selectors.post_get(user=request.user, pk=pk)
    form = PostPaymentForm(request.POST or None, initial={"amount": post.monthly_pay})
    if request.method == "POST" and form.is_valid():
        try:
            post_services.post_payment_record(actor=request.user, post=post, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The month's pay is recorded."))
            return redirect("household-livelihood", post.household_id)
    return _form_page(
        request, form, title=_("Record a month's pay"), household=post.household, subject=post.title
    )


@login_required
@permission_required("livelihoods.add_industrysupport", raise_exception=True)
def support_create(request, pk):
    household = household_get(user=request.user, pk=pk)
    partners = partners_visible_to(request.user).filter(kind__in=LINKING_PARTNER_KINDS)
    form = IndustrySupportForm(
        request.POST or None,
        partners=partners.order_by("name"),
        measures=household_measures(request.user, household, MeasureKind.INDUSTRY),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            industry_services.support_create(
                actor=request.user,
                household_id=household.pk,
                partner_id=data.pop("partner"),
                measure_id=data.pop("measure"),
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Industry support recorded."))
            return redirect("household-livelihood", household.pk)
    return _form_page(request, form, title=_("Add industry support"), household=household)


@login_required
@permission_required("livelihoods.change_industrysupport", raise_exception=True)
def support_change(request, pk):
    """Correct a support: partner, amount, period, note, and the industry measure of the
    household's case it was given under."""
    support = industry_selectors.support_get(user=request.user, pk=pk)
    household = household_get(user=request.user, pk=support.household_id)
    partners = partners_visible_to(request.user).filter(kind__in=LINKING_PARTNER_KINDS)
    form = IndustrySupportChangeForm(
        request.POST or None,
        partners=partners.order_by("name"),
        measures=household_measures(request.user, household, MeasureKind.INDUSTRY),
        initial={
            "partner": support.partner_id,
            "amount": support.amount,
            "starts_on": support.starts_on,
            "ends_on": support.ends_on,
            "measure": support.measure_id,
            "note": support.note,
            "version": support.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            industry_services.support_change(
                actor=request.user,
                support=support,
                partner_id=data.pop("partner"),
                measure_id=data.pop("measure"),
                **data,
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The industry support is saved."))
            return redirect("household-livelihood", household.pk)
    return _form_page(
        request,
        form,
        title=_("Change the industry support"),
        household=household,
        subject=support.get_kind_display(),
    )


@login_required
@permission_required("livelihoods.add_industrypayment", raise_exception=True)
def industry_payment_create(request, pk):
    support = industry_selectors.support_get(user=request.user, pk=pk)
    form = IndustryPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            industry_services.industry_payment_record(
                actor=request.user, support=support, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The payment is recorded."))
            if request.user.role == Role.PARTNER:
                return redirect("partner-links")
            return redirect("household-livelihood", support.household_id)
    return _form_page(
        request,
        form,
        title=_("Record a payment to the household"),
        subject=f"{support.household.number} · {support.get_kind_display()}",
    )


@login_required
@permission_required("livelihoods.change_insuranceclaim", raise_exception=True)
def claim_decide(request, pk):
    claim = insurance_selectors.claim_get(user=request.user, pk=pk)
    form = ClaimDecisionForm(request.POST or None, initial={"version": claim.version})
    if request.method == "POST" and form.is_valid():
        try:
            insurance_services.claim_decide(actor=request.user, claim=claim, **form.cleaned_data)
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The insurer's decision is recorded."))
            return redirect("household-livelihood", claim.household_id)
    return _form_page(
        request,
        form,
        title=_("Record the insurer's decision"),
        household=claim.household,
        subject=claim.get_cause_display(),
    )


@login_required
@permission_required("livelihoods.view_industrysupport", raise_exception=True)
def partner_links(request):
    """联农带农: the links the user's region (or, for a partner's users, their own) has, with
    the last payment; each with its payment form for those who may record one."""
    supports = (
        industry_selectors.supports_visible_to(request.user)
        .select_related("household", "partner")
        .order_by("-starts_on", "-id")[:500]
    )
    return render(
        request,
        "livelihoods/partner_links.html",
        {
            "supports": supports,
            "can_pay": request.user.has_perm("livelihoods.add_industrypayment"),
        },
    )


@login_required
@permission_required("livelihoods.change_welfarepost", raise_exception=True)
def post_change(request, pk):
    """The task 公益岗位到期 is done here: renewed (a later end) or its end confirmed."""
    post = post_selectors.post_get(user=request.user, pk=pk)
    form = WelfarePostChangeForm(
        request.POST or None,
        initial={
            "ends_on": post.ends_on,
            "renewed": post.renewed,
            "monthly_pay": post.monthly_pay,
            "confirm_end": post.end_confirmed_on is not None,
            "measure": post.measure_id,
            "version": post.version,
        },
        measures=household_measures(request.user, post.household, MeasureKind.PUBLIC_POST),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            post_services.post_change(
                actor=request.user, post=post, measure_id=data.pop("measure"), **data
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The post is saved."))
            return redirect("household-livelihood", post.household_id)
    return _form_page(
        request,
        form,
        title=_("Renew or close the post"),
        household=post.household,
        subject=f"{post.title} · {post.member.name}",
    )
