"""Partner and offer pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from assistance import selectors
from assistance.forms import (
    OfferForm,
    PartnerForm,
)
from assistance.models import (
    MeasureStatus,
)
from assistance.services import partners as partner_services
from assistance.services.partners import OfferData, PartnerData
from assistance.views.common import PAGE_SIZE, attempt
from core.pagination import numbered_page
from households.selectors import regions_under, regions_within


@login_required
@permission_required("assistance.view_partner", raise_exception=True)
def partner_list(request):
    partners = selectors.partners_listed(request.user, request.GET)
    query = request.GET.get("q", "").strip()
    page = numbered_page(request, partners, page_size=PAGE_SIZE)
    return render(
        request,
        "assistance/partner_list.html",
        {
            "page": page,
            "query": query,
            "can_add": request.user.has_perm("assistance.add_partner"),
        },
    )


@login_required
@permission_required("assistance.view_partner", raise_exception=True)
def partner_detail(request, pk):
    partner = selectors.partner_get(user=request.user, pk=pk)
    offers = selectors.offers_visible_to(request.user).filter(partner=partner)
    measures = selectors.measures_visible_to(request.user).filter(partner=partner)
    return render(
        request,
        "assistance/partner_detail.html",
        {
            "partner": partner,
            "contact_phone": selectors.partner_contact_phone(
                user=request.user, partner=partner, listed=False
            ),
            "offers": offers.select_related("area"),
            "measure_counts": {
                label: measures.filter(status=value).count()
                for value, label in MeasureStatus.choices
            },
            "can_edit": request.user.has_perm("assistance.change_partner")
            and request.user.role != Role.PARTNER,
            "can_add_offer": request.user.has_perm("assistance.add_partneroffer"),
        },
    )


def _areas_for(user):
    """Regions a cadre may register a partner for: their own and everything below it."""
    return regions_within(user).order_by("code")


@login_required
@permission_required("assistance.add_partner", raise_exception=True)
def partner_create(request):
    areas = _areas_for(request.user)
    form = PartnerForm(request.POST or None, areas=areas, initial={"is_active": True})
    if request.method == "POST":
        created = {}

        def create(data):
            created["partner"] = partner_services.partner_create(
                actor=request.user, data=PartnerData.from_data(data)
            )

        if attempt(form, create):
            messages.success(request, _("Saved."))
            return redirect("partner-detail", pk=created["partner"].pk)
    return render(
        request,
        "assistance/partner_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("assistance.change_partner", raise_exception=True)
def partner_edit(request, pk):
    partner = selectors.partner_get(user=request.user, pk=pk)
    areas = _areas_for(request.user)
    if request.method == "POST":
        form = PartnerForm(request.POST, areas=areas, instance=partner)

        def update(data):
            partner_services.partner_update(
                actor=request.user,
                partner=partner,
                version=data.get("version") or 0,
                data=PartnerData.from_data(form.service_fields()),
            )

        if attempt(form, update):
            messages.success(request, _("Saved."))
            return redirect("partner-detail", pk=partner.pk)
    else:
        form = PartnerForm(
            areas=areas,
            instance=partner,
            initial={
                "version": partner.version,
                "name": partner.name,
                "kind": partner.kind,
                "department": partner.department,
                "area": partner.area_id,
                "contact_name": partner.contact_name,
                "address": partner.address,
                "description": partner.description,
                "is_active": partner.is_active,
            },
        )
    return render(
        request,
        "assistance/partner_form.html",
        {"form": form, "partner": partner},
        status=400 if request.method == "POST" else 200,
    )


def _offer_areas(partner):
    return regions_under(partner.area).order_by("code")


@login_required
@permission_required("assistance.add_partneroffer", raise_exception=True)
def offer_create(request, pk):
    partner = selectors.partner_get(user=request.user, pk=pk)
    form = OfferForm(
        request.POST or None,
        areas=_offer_areas(partner),
        initial={
            "area": partner.area_id,
            "available_from": timezone.localdate(),
            "is_active": True,
        },
    )
    if request.method == "POST":

        def create(data):
            partner_services.offer_create(
                actor=request.user, partner_id=partner.pk, data=OfferData.from_data(data)
            )

        if attempt(form, create):
            messages.success(request, _("The offer is posted."))
            return redirect("partner-detail", pk=partner.pk)
    return render(
        request,
        "assistance/offer_form.html",
        {"form": form, "partner": partner},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("assistance.change_partneroffer", raise_exception=True)
def offer_edit(request, pk):
    offer = selectors.offer_get(user=request.user, pk=pk)
    partner = offer.partner
    if request.method == "POST":
        form = OfferForm(request.POST, areas=_offer_areas(partner))

        def update(data):
            partner_services.offer_update(
                actor=request.user,
                offer=offer,
                version=data.get("version") or 0,
                data=OfferData.from_data(data),
            )

        if attempt(form, update):
            messages.success(request, _("Saved."))
            return redirect("partner-detail", pk=partner.pk)
    else:
        form = OfferForm(
            areas=_offer_areas(partner),
            initial={
                "version": offer.version,
                "kind": offer.kind,
                "measure_kind": offer.measure_kind,
                "title": offer.title,
                "description": offer.description,
                "area": offer.area_id,
                "quantity": offer.quantity,
                "unit": offer.unit,
                "amount": offer.amount,
                "available_from": offer.available_from,
                "available_until": offer.available_until,
                "is_active": offer.is_active,
            },
        )
    return render(
        request,
        "assistance/offer_form.html",
        {"form": form, "partner": partner, "offer": offer},
        status=400 if request.method == "POST" else 200,
    )
