"""Writes of paired assistance: pairing (and handing over) a household, ending a pairing, and
recording a contact. Each checks the actor's permission, reads through the selectors and writes
in one transaction with the rows it decides on locked."""

import datetime

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from households.models import Household
from households.selectors import households_visible_to
from monitoring.services.policy import policy_region
from pairings import selectors
from pairings.models import Contact, ContactKind, EndReason, Pairing, PairingPolicy


def _visible_household(actor: User, household_id) -> Household:
    household = (
        households_visible_to(actor).select_for_update().filter(pk=household_id).first()
        if household_id is not None
        else None
    )
    if household is None:
        raise ValidationError({"household": _("No such household in your region.")})
    return household


def pairing_assign(
    *,
    actor: User,
    household_id: int,
    cadre_id: int,
    started_on: datetime.date | None = None,
    end_reason: str = EndReason.HANDOVER,
    end_note: str = "",
) -> Pairing:
    """Pair the household with a cadre. If it already has one, that pairing ends (handover, with
    its reason) and the new one opens the same day, in one transaction: the new cadre sees the
    whole history, since the contacts stay with the household."""
    if not actor.has_perm("pairings.add_pairing"):
        raise PermissionDenied(_("Your role may not do this."))
    today = timezone.localdate()
    started_on = started_on or today
    if started_on > today:
        raise ValidationError({"started_on": _("A pairing cannot start in the future.")})
    if end_reason not in EndReason.values:
        raise ValidationError({"end_reason": _("Choose a reason for ending the pairing.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = _visible_household(actor, household_id)
        # The cadre's row is locked too: two assignments to one cadre cannot both pass the limit.
        cadre = User.objects.select_for_update().filter(pk=cadre_id).first()
        if cadre is None or not selectors.cadre_may_take(cadre=cadre, household=household):
            raise ValidationError(
                {"cadre": _("Choose a field worker or cadre whose region covers this household.")}
            )
        current = selectors.open_pairing_of(household)
        if current is not None and current.cadre_id == cadre.pk:
            raise ValidationError({"cadre": _("This cadre is already paired with the household.")})
        limit = selectors.policy_for(cadre.region_id).max_households
        if selectors.open_count_of(cadre) >= limit:
            raise ValidationError(
                {
                    "cadre": _(
                        "%(name)s already looks after %(limit)d households, the most a cadre "
                        "may have here."
                    )
                    % {"name": cadre.display_name, "limit": limit}
                }
            )
        if current is not None:
            if started_on < current.started_on:
                raise ValidationError(
                    {"started_on": _("The handover cannot be before the current pairing began.")}
                )
            current.ended_on = started_on
            current.end_reason = end_reason
            current.end_note = end_note.strip()[:200]
            current.save(update_fields=["ended_on", "end_reason", "end_note"])
        return Pairing.objects.create(
            household=household, cadre=cadre, started_on=started_on, assigned_by=actor
        )


def pairing_end(
    *,
    actor: User,
    pairing: Pairing,
    end_reason: str,
    end_note: str = "",
    ended_on: datetime.date | None = None,
) -> Pairing:
    if not actor.has_perm("pairings.change_pairing"):
        raise PermissionDenied(_("Your role may not do this."))
    today = timezone.localdate()
    ended_on = ended_on or today
    if end_reason not in EndReason.values:
        raise ValidationError({"end_reason": _("Choose a reason for ending the pairing.")})
    if ended_on > today:
        raise ValidationError({"ended_on": _("A pairing cannot end in the future.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = (
            selectors.pairings_visible_to(actor).select_for_update().filter(pk=pairing.pk).first()
        )
        if locked is None:
            raise PermissionDenied(_("Your role may not do this."))
        if not locked.is_open:
            raise ValidationError(_("This pairing has already ended."))
        if ended_on < locked.started_on:
            raise ValidationError({"ended_on": _("A pairing cannot end before it began.")})
        locked.ended_on = ended_on
        locked.end_reason = end_reason
        locked.end_note = end_note.strip()[:200]
        locked.save(update_fields=["ended_on", "end_reason", "end_note"])
    return locked


def contact_record(
    *,
    actor: User,
    household_id: int,
    kind: str,
    contacted_on: datetime.date,
    summary: str,
    follow_ups: str = "",
) -> Contact:
    """A contact with a paired household (走访, 电话, 微信), logged on its open pairing."""
    if not actor.has_perm("pairings.add_contact"):
        raise PermissionDenied(_("Your role may not do this."))
    summary = (summary or "").strip()
    errors: dict[str, str] = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("Choose how the household was contacted.")
    if contacted_on > timezone.localdate():
        errors["contacted_on"] = _("A contact cannot be dated in the future.")
    if len(summary) < 2:
        errors["summary"] = _("Say what was discussed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = _visible_household(actor, household_id)
        pairing = selectors.open_pairing_of(household)
        if pairing is None:
            raise ValidationError(
                {"household": _("The household has no responsible cadre: pair one first.")}
            )
        if contacted_on < pairing.started_on:
            raise ValidationError(
                {
                    "contacted_on": _("The contact cannot be before the pairing began (%(date)s).")
                    % {"date": pairing.started_on.isoformat()}
                }
            )
        return Contact.objects.create(
            pairing=pairing,
            household=household,
            cadre=actor,
            kind=kind,
            contacted_on=contacted_on,
            summary=summary,
            follow_ups=(follow_ups or "").strip(),
        )


# The bounds of a region's limits: beyond them a figure is a typing slip, not a policy.
MAX_HOUSEHOLDS_PER_CADRE = 100
MAX_CONTACT_EVERY_DAYS = 366


def _whole(value: object, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def pairing_policy_save(
    *,
    actor: User,
    region_code: str | None,
    max_households: int,
    contact_every_days: int,
    include_lifted_out: bool,
) -> PairingPolicy:
    """Set a region's limits of paired assistance (a county officer: their county; the national
    row: a system administrator). Recorded with its actor by pghistory."""
    if not actor.has_perm("pairings.change_pairingpolicy"):
        raise PermissionDenied(_("Your role may not do this."))
    errors = {}
    if _whole(max_households, 1, MAX_HOUSEHOLDS_PER_CADRE) is None:
        errors["max_households"] = _(
            "A cadre looks after 1 to %(max)d households: give a whole number in that range."
        ) % {"max": MAX_HOUSEHOLDS_PER_CADRE}
    if _whole(contact_every_days, 1, MAX_CONTACT_EVERY_DAYS) is None:
        errors["contact_every_days"] = _(
            "Contact at least every 1 to %(max)d days: give a whole number in that range."
        ) % {"max": MAX_CONTACT_EVERY_DAYS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        region = policy_region(actor, region_code)
        policy = PairingPolicy.objects.select_for_update().filter(region=region).first()
        if policy is None:
            if not actor.has_perm("pairings.add_pairingpolicy"):
                raise PermissionDenied(_("Your role may not do this."))
            policy = PairingPolicy(region=region)
        policy.max_households = max_households
        policy.contact_every_days = contact_every_days
        policy.include_lifted_out = bool(include_lifted_out)
        policy.save()
    return policy
