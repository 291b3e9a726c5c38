"""Writes of the prevention insurance (防贫保险) claims: a claim, then the insurer's decision."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import EditConflict
from livelihoods.models import ClaimCause, ClaimStatus, InsuranceClaim
from livelihoods.services.common import check_money, not_in_future, require, visible_household


def claim_create(
    *,
    actor: User,
    household_id: int,
    insurer: str,
    cause: str,
    claimed_on: datetime.date,
    amount_claimed: Decimal,
) -> tuple[InsuranceClaim, bool]:
    """Record a claim; (claim, created). The same claim sent again answers the stored one."""
    require(actor, "livelihoods.add_insuranceclaim")
    insurer = (insurer or "").strip()
    if not insurer or len(insurer) > 100:
        raise ValidationError({"insurer": _("Name the insurer, in under 100 characters.")})
    if cause not in ClaimCause.values:
        raise ValidationError({"cause": _("Choose one of the options.")})
    if not isinstance(claimed_on, datetime.date):
        raise ValidationError({"claimed_on": _("Enter the day of the claim.")})
    not_in_future(claimed_on, "claimed_on")
    check_money(amount_claimed, "amount_claimed")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = visible_household(actor, household_id)
        return InsuranceClaim.objects.get_or_create(
            household=household,
            insurer=insurer,
            cause=cause,
            claimed_on=claimed_on,
            amount_claimed=amount_claimed,
            defaults={"recorded_by": actor},
        )


def claim_decide(
    *,
    actor: User,
    claim: InsuranceClaim,
    version: int,
    status: str,
    decided_on: datetime.date,
    amount_paid: Decimal | None = None,
) -> InsuranceClaim:
    """The insurer paid or refused the claim."""
    require(actor, "livelihoods.change_insuranceclaim")
    if status not in (ClaimStatus.PAID, ClaimStatus.REFUSED):
        raise ValidationError({"status": _("A claim is decided as paid or refused.")})
    if not isinstance(decided_on, datetime.date):
        raise ValidationError({"decided_on": _("Enter the day of the decision.")})
    not_in_future(decided_on, "decided_on")
    if status == ClaimStatus.PAID:
        if amount_paid is None:
            raise ValidationError({"amount_paid": _("Enter the amount paid.")})
        check_money(amount_paid, "amount_paid")
    elif amount_paid is not None:
        raise ValidationError({"amount_paid": _("A refused claim pays nothing.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        visible_household(actor, claim.household_id)
        locked = InsuranceClaim.objects.select_for_update().get(pk=claim.pk)
        if locked.version != version:
            raise EditConflict()
        if decided_on < locked.claimed_on:
            raise ValidationError({"decided_on": _("The decision cannot be before the claim.")})
        if amount_paid is not None and amount_paid > locked.amount_claimed:
            raise ValidationError(
                {"amount_paid": _("The amount paid cannot be more than the amount claimed.")}
            )
        locked.status = status
        locked.amount_paid = amount_paid
        locked.decided_on = decided_on
        locked.version += 1
        locked.save()
        return locked
