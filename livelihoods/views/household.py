"""A household's livelihood page, and its month of work recorded on a visit (or by hand)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import MeasureKind
from core.errors import EditConflict
from core.forms import add_service_errors
from households.selectors import household_get, household_members_active
from livelihoods.forms import InsuranceClaimForm, MemberMonthForm, WelfarePostForm
from livelihoods.models import WorkSource
from livelihoods.selectors import industry as industry_selectors
from livelihoods.selectors import insurance as insurance_selectors
from livelihoods.selectors import posts as post_selectors
from livelihoods.selectors import work as work_selectors
from livelihoods.selectors.common import first_of_month, household_measures
from livelihoods.services import insurance as insurance_services
from livelihoods.services import posts as post_services
from livelihoods.services import work as work_services
from monitoring.selectors import visits_visible_to


@login_required
@permission_required("livelihoods.view_workrecord", raise_exception=True)
def household_livelihood(request, pk):
    """Members' last twelve months of work, posts, industry links and insurance claims."""
    household = household_get(user=request.user, pk=pk)
    today = timezone.localdate()
    user = request.user
    return render(
        request,
        "livelihoods/household_livelihood.html",
        {
            "household": household,
            "months": work_selectors.twelve_months(today),
            "grid": work_selectors.household_grid(household, today),
            "posts": post_selectors.posts_visible_to(user)
            .filter(household=household)
            .select_related("member"),
            "supports": industry_selectors.supports_visible_to(user)
            .filter(household=household)
            .select_related("partner"),
            "claims": insurance_selectors.claims_visible_to(user).filter(household=household),
            "can_record_work": user.has_perm("livelihoods.add_workrecord"),
            "can_add_post": user.has_perm("livelihoods.add_welfarepost"),
            "can_add_claim": user.has_perm("livelihoods.add_insuranceclaim"),
            "can_pay_post": user.has_perm("livelihoods.add_postpayment"),
            "can_change_post": user.has_perm("livelihoods.change_welfarepost"),
            "can_add_support": user.has_perm("livelihoods.add_industrysupport"),
            "can_change_support": user.has_perm("livelihoods.change_industrysupport"),
            "can_pay_support": user.has_perm("livelihoods.add_industrypayment"),
            "can_decide_claim": user.has_perm("livelihoods.change_insuranceclaim"),
        },
    )


def _month_of(request) -> datetime.date:
    raw = request.GET.get("month", "")
    today = timezone.localdate()
    if not raw:
        return first_of_month(today)
    try:
        month = datetime.date.fromisoformat(f"{raw}-01" if len(raw) == 7 else raw)
    except ValueError:
        raise Http404 from None
    if first_of_month(month) > first_of_month(today):
        raise Http404
    return first_of_month(month)


@login_required
@permission_required("livelihoods.add_workrecord", raise_exception=True)
def work_month(request, pk):
    """记录本月就业: one row a working-age member, shown with the month's record or else the
    member's last one, saved together (all or nothing), linked to the visit when it came from
    one."""
    household = household_get(user=request.user, pk=pk)
    visit = None
    visit_id = request.GET.get("visit", "")
    if visit_id:
        if not visit_id.isdigit():
            raise Http404
        visit = visits_visible_to(request.user).filter(pk=visit_id, household=household).first()
        if visit is None:
            raise Http404
    # On a visit, the month is the visit's own unless asked otherwise: a visit of last month
    # opened today records what the worker heard then, not this month's work.
    if visit is not None and not request.GET.get("month"):
        month = first_of_month(visit.visited_on)
    else:
        month = _month_of(request)
    members = work_selectors.working_age_members(household, month)
    current = work_selectors.records_of_month(household, month)
    last = work_selectors.last_records_of(household, month)
    rows = []
    for member in members:
        shown = current.get(member.pk) or last.get(member.pk)
        initial: dict = {}
        if shown is not None:
            initial = {
                "status": shown.status,
                "place": shown.place,
                "sector": shown.sector,
                "employer": shown.employer,
                "income_band": shown.income_band,
            }
        record = current.get(member.pk)
        initial["version"] = record.version if record else 0
        form = MemberMonthForm(request.POST or None, prefix=f"m{member.pk}", initial=initial)
        rows.append((member, form, record, shown is not None))
    if request.method == "POST" and all(row[1].is_valid() for row in rows):
        failed = False
        with transaction.atomic():
            for member, form, _record, _shown in rows:
                data = dict(form.cleaned_data)
                if not data["status"]:
                    continue  # not recorded this month
                version = data.pop("version") or None
                try:
                    work_services.work_record_save(
                        actor=request.user,
                        member_id=member.pk,
                        month=month,
                        source=WorkSource.VISIT if visit else WorkSource.FORM,
                        visit_id=visit.pk if visit else None,
                        version=version,
                        **data,
                    )
                except (ValidationError, EditConflict) as error:
                    add_service_errors(form, error)
                    failed = True
            if failed:
                transaction.set_rollback(True)
        if not failed:
            messages.success(
                request,
                _("Work of %(month)s recorded for household %(number)s.")
                % {"month": month.strftime("%Y-%m"), "number": household.number},
            )
            # Back where the worker came from: the visit goes on (a plan to review, photos).
            if visit is not None:
                return redirect("visit-detail", visit.pk)
            return redirect("household-livelihood", household.pk)
    refused = request.method == "POST" and any(row[1].errors for row in rows)
    return render(
        request,
        "livelihoods/work_month.html",
        {"household": household, "month": month, "visit": visit, "rows": rows, "refused": refused},
        status=400 if refused else 200,
    )


@login_required
@permission_required("livelihoods.add_welfarepost", raise_exception=True)
def post_create(request, pk):
    household = household_get(user=request.user, pk=pk)
    form = WelfarePostForm(
        request.POST or None,
        members=household_members_active(household=household),
        measures=household_measures(request.user, household, MeasureKind.PUBLIC_POST),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            post_services.post_create(
                actor=request.user,
                household_id=household.pk,
                member_id=data.pop("member"),
                measure_id=data.pop("measure"),
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Public-welfare post recorded."))
            return redirect("household-livelihood", household.pk)
    return render(
        request,
        "livelihoods/simple_form.html",
        {"household": household, "form": form, "title": _("Add a public-welfare post")},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("livelihoods.add_insuranceclaim", raise_exception=True)
def claim_create(request, pk):
    household = household_get(user=request.user, pk=pk)
    form = InsuranceClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            insurance_services.claim_create(
                actor=request.user, household_id=household.pk, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Insurance claim recorded."))
            return redirect("household-livelihood", household.pk)
    return render(
        request,
        "livelihoods/simple_form.html",
        {"household": household, "form": form, "title": _("Add an insurance claim")},
        status=400 if form.errors else 200,
    )
