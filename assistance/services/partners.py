"""Partners and what they offer. Cadres register partners of their region; a partner's own
users, and cadres, post its offers."""

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assistance.models import (
    Department,
    MeasureKind,
    OfferKind,
    Partner,
    PartnerKind,
    PartnerOffer,
)
from assistance.selectors import offers_visible_to, partners_visible_to
from assistance.services.inputs import FromData
from core.errors import EditConflict
from core.validators import CUT_SHORT_MOBILE, is_cut_short_mobile
from households.models import Region
from households.selectors import region_within, regions_under


@dataclass
class PartnerData(FromData):
    SUBMITTED_AS = {"area_code": "area"}

    name: str
    kind: str
    area_code: str
    contact_name: str
    contact_phone: str
    department: str = ""
    address: str = ""
    description: str = ""
    is_active: bool = True


@dataclass
class OfferData(FromData):
    SUBMITTED_AS = {"area_code": "area"}

    kind: str
    measure_kind: str
    title: str
    available_from: datetime.date
    area_code: str | None = None  # the partner's own area when not given
    available_until: datetime.date | None = None
    quantity: int | None = None
    unit: str = ""
    amount: Decimal | None = None
    description: str = ""
    is_active: bool = True


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _area_in_scope(actor: User, code: str) -> Region | None:
    return region_within(user=actor, code=code)


def _check_partner(
    actor: User, data: PartnerData, stored_phone: str | None = None
) -> tuple[dict, Region | None]:
    errors = {}
    if len(data.name.strip()) < 2:
        errors["name"] = _("Give the partner's name.")
    if data.kind not in PartnerKind.values:
        errors["kind"] = _("Choose the kind of partner.")
    if data.kind == PartnerKind.DEPARTMENT and data.department not in Department.values:
        errors["department"] = _("Say which department.")
    if data.kind != PartnerKind.DEPARTMENT and data.department:
        errors["department"] = _("Only a government department names a department.")
    if len(data.contact_name.strip()) < 2:
        errors["contact_name"] = _("Give a contact person.")
    if not data.contact_phone.replace("-", "").isdigit() or len(data.contact_phone) < 7:
        errors["contact_phone"] = _("Give a contact phone number.")
    elif data.contact_phone != stored_phone and is_cut_short_mobile(data.contact_phone):
        # Only a number typed now: one stored before the rule holds no edit up (core/validators).
        errors["contact_phone"] = str(CUT_SHORT_MOBILE)
    area = _area_in_scope(actor, data.area_code or "")
    if area is None:
        errors["area"] = _("Choose an area within your region.")
    return errors, area


def _save_partner(partner: Partner) -> None:
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("A partner of this name already serves this area.")}
        ) from None


def partner_create(*, actor: User, data: PartnerData) -> Partner:
    _require(actor, "assistance.add_partner")
    errors, area = _check_partner(actor, data)
    if errors or area is None:  # a missing area is among the errors
        raise ValidationError(errors)
    fields = {k: v for k, v in asdict(data).items() if k != "area_code"}
    with transaction.atomic(), pghistory.context(user=actor.pk):
        partner = Partner(
            area=area, **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
        )
        _save_partner(partner)
    return partner


def partner_update(*, actor: User, partner: Partner, version: int, data: PartnerData) -> Partner:
    _require(actor, "assistance.change_partner")
    errors, area = _check_partner(actor, data, partner.contact_phone)
    if errors or area is None:  # a missing area is among the errors
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = partners_visible_to(actor).select_for_update().filter(pk=partner.pk).first()
        if locked is None or _area_in_scope(actor, locked.area_id) is None:
            raise PermissionDenied(_("This partner is registered above your region."))
        if locked.version != version:
            raise EditConflict()
        for name, value in asdict(data).items():
            if name != "area_code":
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.area = area
        locked.version += 1
        _save_partner(locked)
    return locked


def _check_offer(actor: User, partner: Partner, data: OfferData) -> tuple[dict, Region | None]:
    errors = {}
    if data.kind not in OfferKind.values:
        errors["kind"] = _("Choose what is offered.")
    if data.measure_kind not in MeasureKind.values:
        errors["measure_kind"] = _("Choose the kind of measure it serves.")
    if len(data.title.strip()) < 2:
        errors["title"] = _("Say what is offered.")
    if data.available_from is None:
        errors["available_from"] = _("Give the first day it is available.")
    elif data.available_until is not None and data.available_until < data.available_from:
        errors["available_until"] = _("The end cannot be before the start.")
    if data.amount is not None and data.amount < 0:
        errors["amount"] = _("An amount cannot be negative.")
    code = data.area_code or partner.area_id
    area = regions_under(partner.area).filter(code=code).first()
    if area is None:
        errors["area"] = _("An offer lies within the area its partner serves.")
    elif actor.role != Role.PARTNER and _area_in_scope(actor, area.code) is None:
        # A cadre posts offers for their own region, where they can also follow them.
        errors["area"] = _("Choose an area within your region.")
    return errors, area


def _offer_partner(actor: User, partner_id: int) -> Partner:
    if actor.role == Role.PARTNER and actor.partner_id != partner_id:
        raise PermissionDenied(_("You may post offers of your own partner only."))
    partner = partners_visible_to(actor).select_related("area").filter(pk=partner_id).first()
    if partner is None:
        raise ValidationError({"partner": _("No such partner in your region.")})
    return partner


def offer_create(*, actor: User, partner_id: int, data: OfferData) -> PartnerOffer:
    _require(actor, "assistance.add_partneroffer")
    partner = _offer_partner(actor, partner_id)
    errors, area = _check_offer(actor, partner, data)
    if errors or area is None:  # a missing area is among the errors
        raise ValidationError(errors)
    fields = {k: v for k, v in asdict(data).items() if k != "area_code"}
    with transaction.atomic(), pghistory.context(user=actor.pk):
        return PartnerOffer.objects.create(partner=partner, area=area, **fields)


def offer_update(
    *, actor: User, offer: PartnerOffer, version: int, data: OfferData
) -> PartnerOffer:
    _require(actor, "assistance.change_partneroffer")
    partner = _offer_partner(actor, offer.partner_id)
    errors, area = _check_offer(actor, partner, data)
    if errors or area is None:  # a missing area is among the errors
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = offers_visible_to(actor).select_for_update().filter(pk=offer.pk).first()
        if locked is None or (
            actor.role != Role.PARTNER and _area_in_scope(actor, locked.area_id) is None
        ):
            # Offers of a region above are seen from below, and changed only there.
            raise PermissionDenied(_("This offer is not yours to change."))
        if locked.version != version:
            raise EditConflict()
        for name, value in asdict(data).items():
            if name != "area_code":
                setattr(locked, name, value)
        locked.area = area
        locked.version += 1
        locked.save()
    return locked
