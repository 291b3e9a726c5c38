"""Writes of industry support: subsidies (产业奖补) and links with an enterprise or cooperative
(联农带农), and what the partner paid the household. A partner's users record the payments of
their own links only."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assistance.models import MeasureKind
from assistance.selectors import partners_visible_to
from core.errors import EditConflict
from households.selectors import households_visible_to
from livelihoods.models import IndustryPayment, IndustrySupport, SupportKind
from livelihoods.models.industry import LINKING_PARTNER_KINDS
from livelihoods.services.common import (
    UNCHANGED,
    check_money,
    household_measure,
    not_in_future,
    require,
    visible_household,
)


def _linking_partner(actor: User, partner_id: int | None, kind: str):
    """The enterprise or cooperative of the actor's region that links the household; a subsidy
    alone may have none."""
    if partner_id is None:
        if kind != SupportKind.SUBSIDY:
            raise ValidationError(
                {"partner": _("Name the enterprise or cooperative that links the household.")}
            )
        return None
    partner = partners_visible_to(actor).filter(pk=partner_id).first()
    if partner is None:
        raise ValidationError({"partner": _("No such partner in your region.")})
    if partner.kind not in LINKING_PARTNER_KINDS:
        raise ValidationError(
            {"partner": _("Only an enterprise or a cooperative links households.")}
        )
    return partner


def support_create(
    *,
    actor: User,
    household_id: int,
    kind: str,
    amount: Decimal,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    partner_id: int | None = None,
    measure_id: int | None = None,
    note: str = "",
) -> IndustrySupport:
    require(actor, "livelihoods.add_industrysupport")
    if kind not in SupportKind.values:
        raise ValidationError({"kind": _("Choose one of the options.")})
    check_money(amount, "amount")
    if not isinstance(starts_on, datetime.date):
        raise ValidationError({"starts_on": _("Enter when the support starts.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The support cannot end before it starts.")})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("Keep the note under 200 characters.")})
    partner = _linking_partner(actor, partner_id, kind)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = visible_household(actor, household_id)
        measure = None
        if measure_id is not None:
            measure = household_measure(household, measure_id, "industry")
        existing = IndustrySupport.objects.filter(
            household=household, kind=kind, partner=partner, starts_on=starts_on
        ).first()
        if existing is not None:
            return existing
        return IndustrySupport.objects.create(
            household=household,
            kind=kind,
            partner=partner,
            amount=amount,
            starts_on=starts_on,
            ends_on=ends_on,
            measure=measure,
            note=note,
            recorded_by=actor,
        )


def support_change(
    *,
    actor: User,
    support: IndustrySupport,
    version: int,
    ends_on: datetime.date | None = UNCHANGED,
    amount: Decimal | None = UNCHANGED,
    note: str | None = UNCHANGED,
    starts_on: datetime.date = UNCHANGED,
    partner_id: int | None = UNCHANGED,
    measure_id: int | None = UNCHANGED,
) -> IndustrySupport:
    """Correct a support made on `version`: its partner, amount, dates, note and the measure it
    was given under; a field not passed stays. A link keeps a partner (a subsidy may have none);
    the partner of a link that has payments recorded stays (what was paid is the partner's);
    the period keeps every payment recorded within it."""
    require(actor, "livelihoods.change_industrysupport")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = visible_household(actor, support.household_id)
        locked = IndustrySupport.objects.select_for_update().get(pk=support.pk)
        if locked.version != version:
            raise EditConflict()
        if starts_on is not UNCHANGED:
            if not isinstance(starts_on, datetime.date):
                raise ValidationError({"starts_on": _("Enter when the support starts.")})
            locked.starts_on = starts_on
        if ends_on is not UNCHANGED:
            if ends_on is not None and not isinstance(ends_on, datetime.date):
                raise ValidationError({"ends_on": _("Enter a date.")})
            locked.ends_on = ends_on
        if locked.ends_on is not None and locked.ends_on < locked.starts_on:
            raise ValidationError({"ends_on": _("The support cannot end before it starts.")})
        if amount is not UNCHANGED and amount is not None:
            locked.amount = check_money(amount, "amount")
        if note is not UNCHANGED and note is not None:
            if len(note.strip()) > 200:
                raise ValidationError({"note": _("Keep the note under 200 characters.")})
            locked.note = note.strip()
        if partner_id is not UNCHANGED and partner_id != locked.partner_id:
            partner = _linking_partner(actor, partner_id, locked.kind)
            if locked.payments.exists():
                raise ValidationError(
                    {
                        "partner": _(
                            "Payments are recorded from this partner: record a new link instead."
                        )
                    }
                )
            locked.partner = partner
        if measure_id is not UNCHANGED:
            locked.measure = household_measure(household, measure_id, MeasureKind.INDUSTRY)
        # As a post's period (posts.post_change): what was paid stays inside it.
        if locked.payments.filter(paid_on__lt=locked.starts_on).exists():
            raise ValidationError({"starts_on": _("Payments are recorded outside this period.")})
        if (
            locked.ends_on is not None
            and locked.payments.filter(paid_on__gt=locked.ends_on).exists()
        ):
            raise ValidationError(
                {"ends_on": _("The support has payments recorded after this date.")}
            )
        locked.version += 1
        locked.save()
        return locked


def _may_pay(actor: User, support: IndustrySupport) -> bool:
    if actor.role == Role.PARTNER:
        return bool(actor.partner_id) and support.partner_id == actor.partner_id
    return households_visible_to(actor).filter(pk=support.household_id).exists()


def industry_payment_record(
    *,
    actor: User,
    support: IndustrySupport,
    paid_on: datetime.date,
    amount: Decimal,
    note: str = "",
    idempotency_key: str = "",
) -> tuple[IndustryPayment, bool]:
    """Record what was paid to the household; (payment, created).

    With the client's idempotency key (a form's hidden field, a partner system's transaction
    id), the same key sent again answers the payment it recorded, provided it says the same
    day and amount; two payments of the same amount on the same day with two keys are two
    payments. Without a key, the same day and amount sent again answers the stored payment."""
    require(actor, "livelihoods.add_industrypayment")
    if not _may_pay(actor, support):
        raise PermissionDenied(_("Your role may not do this."))
    if not isinstance(paid_on, datetime.date):
        raise ValidationError({"paid_on": _("Enter the day it was paid.")})
    not_in_future(paid_on, "paid_on")
    # A payment of nothing is no payment: counted, it would make a link look kept.
    if check_money(amount, "amount") == 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("Keep the note under 200 characters.")})
    key = (idempotency_key or "").strip()
    if len(key) > 64:
        raise ValidationError(
            {"idempotency_key": _("A payment needs a key of 1 to 64 characters.")}
        )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        # Under the support's lock: the same key sent twice at once finds the first one's
        # payment here.
        locked = IndustrySupport.objects.select_for_update().get(pk=support.pk)
        if key:
            existing = locked.payments.filter(idempotency_key=key).first()
            if existing is not None:
                if existing.paid_on != paid_on or existing.amount != amount:
                    raise ValidationError(
                        {"idempotency_key": _("This key was used for another payment.")}
                    )
                return existing, False
        if paid_on < locked.starts_on or (locked.ends_on and paid_on > locked.ends_on):
            raise ValidationError({"paid_on": _("The day is outside the support's period.")})
        if not key:
            existing = locked.payments.filter(paid_on=paid_on, amount=amount).first()
            if existing is not None:
                return existing, False
        payment = IndustryPayment.objects.create(
            support=locked,
            paid_on=paid_on,
            amount=amount,
            note=note,
            idempotency_key=key,
            recorded_by=actor,
        )
        return payment, True
