"""Pages of referrals and the needs board: partners answer and claim, cadres publish and confirm.

Each action is a POST from the partner's home, the board or the case page; an error is said on
the page it came from (a message), and nothing is written.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from assistance import selectors
from assistance.forms import DeclineForm, NeedForm, ReferralPolicyForm, VersionForm
from assistance.services import needs as need_services
from assistance.services import referrals as referral_services
from assistance.services.needs import NeedData
from core.errors import EditConflict
from core.forms import add_service_errors


def _back(request, default: str) -> HttpResponseRedirect:
    """Back to the page the form was on (a local address only), else `default`."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


def _say(request, error: ValidationError | EditConflict) -> None:
    if isinstance(error, EditConflict):
        messages.error(request, str(error))
        return
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


@login_required
@require_POST
@permission_required("assistance.answer_referral", raise_exception=True)
def measure_accept(request, pk):
    measure = selectors.measure_get(user=request.user, pk=pk)
    try:
        referral_services.measure_accept(actor=request.user, measure=measure)
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, _("Accepted: the measure is now yours to deliver."))
    return _back(request, reverse("home"))


@login_required
@require_POST
@permission_required("assistance.answer_referral", raise_exception=True)
def measure_decline(request, pk):
    measure = selectors.measure_get(user=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, reverse("home"))
    try:
        referral_services.measure_decline(
            actor=request.user, measure=measure, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, _("Declined: the cadres will find another partner."))
    return _back(request, reverse("home"))


@login_required
@permission_required("assistance.view_need", raise_exception=True)
def need_list(request):
    """The board: a partner's area's open needs and its claims; a cadre's region's needs."""
    is_partner = request.user.role == Role.PARTNER
    return render(
        request,
        "assistance/need_list.html",
        {
            "needs": selectors.needs_listed(request.user, request.GET)[:200],
            "is_partner": is_partner,
            "can_claim": is_partner and request.user.has_perm("assistance.claim_need"),
            # A cadre confirms a claim on the case's page: each need links there.
            "case_links": not is_partner and request.user.has_perm("assistance.view_case"),
        },
    )


@login_required
@require_POST
@permission_required("assistance.add_need", raise_exception=True)
def need_publish(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = NeedForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("case-detail", pk=case.pk)
    try:
        need_services.need_publish(
            actor=request.user, data=NeedData.from_data({**form.cleaned_data, "case": case.pk})
        )
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, _("The need is on the board for partners to claim."))
    return redirect("case-detail", pk=case.pk)


@login_required
@require_POST
@permission_required("assistance.claim_need", raise_exception=True)
def need_claim(request, pk):
    need = selectors.need_get(user=request.user, pk=pk)
    try:
        need_services.need_claim(actor=request.user, need=need)
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, _("Claimed: the cadre will confirm it."))
    return _back(request, reverse("need-list"))


def _cadre_action(request, pk, service, done: str):
    need = selectors.need_get(user=request.user, pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            service(actor=request.user, need=need, version=form.cleaned_data["version"])
        except (ValidationError, EditConflict) as error:
            _say(request, error)
        else:
            messages.success(request, done)
    return redirect("case-detail", pk=need.case_id)


@login_required
@require_POST
@permission_required("assistance.change_need", raise_exception=True)
def need_confirm(request, pk):
    return _cadre_action(
        request, pk, need_services.need_confirm, _("Confirmed: the need is now a measure.")
    )


@login_required
@require_POST
@permission_required("assistance.change_need", raise_exception=True)
def need_withdraw(request, pk):
    return _cadre_action(request, pk, need_services.need_withdraw, _("The need is off the board."))


def need_form_initial() -> dict:
    return {"needed_by": timezone.localdate() + datetime.timedelta(days=14)}


@login_required
@permission_required("assistance.change_referralpolicy", raise_exception=True)
def referral_policy_edit(request):
    """How long the partners of the officer's own county have to answer a referral, in working
    or calendar days (the national row is the system administrator's, in the admin)."""
    rows = selectors.referral_policies_visible_to(request.user).order_by("region_id")
    own = next((row for row in rows if row.region_id == request.user.region_id), None)
    limit = selectors.referral_limit(request.user.region_id or "")
    initial = {"days": limit.days, "unit": limit.unit, "version": own.version if own else None}
    form = ReferralPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral_services.referral_policy_save(
                actor=request.user, region_code=request.user.region_id, **form.cleaned_data
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The days to answer a referral are saved."))
            return redirect("referral-policy")
    return render(
        request,
        "assistance/referral_policy.html",
        {"form": form, "rows": rows, "limit": limit},
    )
