"""Measure pages: planned by cadres, delivered by partners."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from assistance import selectors
from assistance.evidence_owners import DELIVERY
from assistance.forms import (
    DeclineForm,
    DeliveryForm,
    MeasureForm,
)
from assistance.measure_links import links_for
from assistance.models import (
    RETURNED_REFERRALS,
    MeasureStatus,
    ReferralStatus,
)
from assistance.services import measures as measure_services
from assistance.services.measures import MeasurePlan
from assistance.views.comments import conversation_for
from assistance.views.common import PAGE_SIZE, attempt, staff_for
from core.pagination import numbered_page
from evidence.forms import AttachmentForm
from evidence.services import evidence_attach
from households.list_search import list_request
from households.models import Member


def _measure_form(request, case, data=None, initial=None):
    return MeasureForm(
        data,
        initial=initial,
        partners=selectors.partners_visible_to(request.user).filter(is_active=True),
        offers=selectors.offers_visible_to(request.user)
        .filter(is_active=True)
        .select_related("partner")
        .order_by("partner__name", "title"),
        staff=staff_for(case.household),
        members=Member.objects.filter(household=case.household, status=Member.Status.ACTIVE),
    )


@login_required
@permission_required("assistance.add_measure", raise_exception=True)
def measure_create(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = _measure_form(request, case, request.POST)

        def create(data):
            measure_services.measure_create(
                actor=request.user, case=case, plan=MeasurePlan.from_data(data)
            )

        if attempt(form, create):
            messages.success(request, _("The measure is planned."))
            return redirect("case-detail", pk=case.pk)
    else:
        initial = {
            "planned_start": timezone.localdate(),
            "responsible": case.responsible_id or request.user.pk,
            "kind": request.GET.get("kind", ""),
            "title": request.GET.get("title", ""),
        }
        offer = selectors.offers_visible_to(request.user).filter(
            pk=request.GET.get("offer") if str(request.GET.get("offer", "")).isdigit() else 0
        )
        offer = offer.first()
        if offer is not None:
            initial.update(
                kind=offer.measure_kind, title=offer.title, partner=offer.partner_id, offer=offer.pk
            )
        form = _measure_form(request, case, initial=initial)
    return render(
        request,
        "assistance/measure_form.html",
        {"form": form, "case": case},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("assistance.change_measure", raise_exception=True)
def measure_edit(request, pk):
    measure = selectors.measure_get(user=request.user, pk=pk)
    case = measure.case
    if request.method == "POST":
        form = _measure_form(request, case, request.POST)

        def update(data):
            measure_services.measure_update(
                actor=request.user,
                measure=measure,
                version=data["version"],
                plan=MeasurePlan.from_data(data),
            )

        if attempt(form, update):
            messages.success(request, _("Saved."))
            return redirect("measure-detail", pk=measure.pk)
    else:
        form = _measure_form(
            request,
            case,
            initial={
                "version": measure.version,
                "kind": measure.kind,
                "title": measure.title,
                "partner": measure.partner_id,
                "offer": measure.offer_id,
                "responsible": measure.responsible_id,
                "members": [m.pk for m in measure.members.all()],
                "planned_start": measure.planned_start,
                "planned_end": measure.planned_end,
                "planned_amount": measure.planned_amount,
                "in_kind": measure.in_kind,
                "continues_after_case": measure.continues_after_case,
            },
        )
    return render(
        request,
        "assistance/measure_form.html",
        {"form": form, "case": case, "measure": measure},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("assistance.view_measure", raise_exception=True)
@require_http_methods(["GET", "POST"])
def measure_list(request):
    """A partner's measures to deliver; for cadres, every measure of their region. Its search box
    is sent by POST, as the household list's is (households.list_search)."""
    listing = list_request(request, reverse("measure-list"))
    if listing.redirect is not None:
        return listing.redirect  # no ID number is rendered, linked or kept from an address
    search, params = listing.search, listing.params
    measures = selectors.measures_listed(
        request.user, params, id_number_hash=search.id_number_hash if search else ""
    )
    if search is not None and search.refused:
        measures = measures.none()  # a refused ID search lists nothing, never everything
    page = numbered_page(request, measures, page_size=PAGE_SIZE, params=params)
    response = render(
        request,
        "assistance/measure_list.html",
        {
            "page": page,
            "search": search,
            "status": params.get("status", ""),
            "query": params.get("q", "").strip(),
            "mine": params.get("mine", ""),
            "returned": params.get("returned", ""),
            "statuses": MeasureStatus.choices,
            # A partner's list holds its own measures only (assistance.selectors.measures_listed).
            "can_filter_mine": request.user.role != Role.PARTNER,
            # A partner may not search by ID number: its search box does not offer it.
            "can_search_id_number": request.user.has_perm("households.view_household"),
        },
    )
    if request.method == "POST":
        response["HX-Push-Url"] = "false"  # whatever a POST searched stays out of the address
    return response


@login_required
@permission_required("assistance.view_measure", raise_exception=True)
def measure_detail(request, pk, bound=None):
    measure = selectors.measure_get(user=request.user, pk=pk)
    allowed = measure_services.statuses_after(measure.status)
    # A receipt of the delivery (a photo or a scanned PDF), attached with the record.
    attachment = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        form = DeliveryForm(request.POST, allowed=allowed)

        def record(data):
            with transaction.atomic():
                measure_services.measure_record_delivery(
                    actor=request.user,
                    measure=measure,
                    version=data["version"],
                    status=data["status"],
                    actual_start=data.get("actual_start"),
                    actual_end=data.get("actual_end"),
                    delivered_amount=data.get("delivered_amount"),
                    result=data.get("result", ""),
                )
                if attachment.cleaned_file is not None:
                    evidence_attach(
                        actor=request.user,
                        owner_kind_key=DELIVERY,
                        owner_id=measure.pk,
                        cleaned=attachment.cleaned_file,
                    )

        if attachment.is_valid() and attempt(form, record):
            messages.success(request, _("Saved."))
            return redirect("measure-detail", pk=measure.pk)
    else:
        form = DeliveryForm(
            allowed=allowed,
            initial={
                "version": measure.version,
                "status": measure.status,
                "actual_start": measure.actual_start or timezone.localdate(),
                "actual_end": measure.actual_end,
                "delivered_amount": measure.delivered_amount,
                "result": measure.result,
            },
        )
    is_partner = request.user.role == Role.PARTNER
    return render(
        request,
        "assistance/measure_detail.html",
        {
            "measure": measure,
            "household": measure.case.household,
            "form": form,
            "attachment": attachment,
            # A delivered or stopped measure's record is closed; a partner delivers only what
            # it took on (or has not answered yet: recording is its answer).
            "can_record": request.user.has_perm("assistance.record_delivery")
            and measure.status not in measure_services.FINAL_STATUSES
            and not (is_partner and measure.referral_status in RETURNED_REFERRALS),
            "can_edit": request.user.has_perm("assistance.change_measure"),
            "can_answer": is_partner
            and measure.referral_status == ReferralStatus.PENDING
            and request.user.has_perm("assistance.answer_referral"),
            "decline_form": DeclineForm(),
            "is_partner": is_partner,
            "conversation": conversation_for(request, measure.case),
            # What the apps above offer from here (a loan from a micro-credit measure …).
            "measure_links": links_for(request.user, measure),
        },
        status=400 if request.method == "POST" else 200,
    )
