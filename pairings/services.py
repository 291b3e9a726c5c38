"""Writes of paired assistance: pairing (and handing over) a household, ending a pairing, and
recording a contact. Each checks the actor's permission, reads through the selectors and writes
in one transaction with the rows it decides on locked.

A handover carries the version of the household's current pairing it was decided on (0 for a
household without a cadre): two people handing over the same household cannot both win, the
second is told (EditConflict) and nothing is written. A contact carries the client id its form
was made with, so a contact sent twice is recorded once."""

import datetime
import uuid

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import EditConflict, save_or_conflict
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
    version: int | None = None,
    started_on: datetime.date | None = None,
    end_reason: str = EndReason.HANDOVER,
    end_note: str = "",
) -> Pairing:
    """Pair the household with a cadre. If it already has one, that pairing ends (handover, with
    its reason) and the new one opens the same day, in one transaction: the new cadre sees the
    whole history, since the contacts stay with the household.

    `version` is the version of the household's open pairing the caller saw (0: it saw none);
    if the household's pairing has changed since, EditConflict and nothing is written. None
    checks nothing (the demo's data, a script)."""
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
        # Under the household's lock: of two handovers decided on the same pairing, the second
        # finds it moved on here.
        if version is not None and version != (current.version if current else 0):
            raise EditConflict()
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
            current.version += 1
            current.save(update_fields=["ended_on", "end_reason", "end_note", "version"])
        # Above every version the household's pairings have had, so a caller who saw any of them
        # open (or none) is told when it tries to hand this one over.
        latest = household.pairings.aggregate(latest=Max("version"))["latest"] or 0
        return Pairing.objects.create(
            household=household,
            cadre=cadre,
            started_on=started_on,
            assigned_by=actor,
            version=latest + 1,
        )


def pairing_end(
    *,
    actor: User,
    pairing: Pairing,
    end_reason: str,
    end_note: str = "",
    ended_on: datetime.date | None = None,
    version: int | None = None,
) -> Pairing:
    """End the pairing (the household has no cadre until one is paired). With `version`, the
    pairing must be as the caller saw it (EditConflict otherwise)."""
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
        if version is not None and locked.version != version:
            raise EditConflict()
        if not locked.is_open:
            raise ValidationError(_("This pairing has already ended."))
        if ended_on < locked.started_on:
            raise ValidationError({"ended_on": _("A pairing cannot end before it began.")})
        locked.ended_on = ended_on
        locked.end_reason = end_reason
        locked.end_note = end_note.strip()[:200]
        locked.version += 1
        locked.save(update_fields=["ended_on", "end_reason", "end_note", "version"])
    return locked


def contact_record(
    *,
    actor: User,
    household_id: int,
    kind: str,
    contacted_on: datetime.date,
    summary: str,
    follow_ups: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Contact, bool]:
    """A contact with a paired household (走访, 电话, 微信), logged on its open pairing.

    Returns (contact, created). A contact sent again under the same client id (a phone retrying
    on a weak network, a form sent twice) returns the one recorded the first time; the same id
    with another household or other content is refused, as it is not a re-send."""
    if not actor.has_perm("pairings.add_contact"):
        raise PermissionDenied(_("Your role may not do this."))
    summary = (summary or "").strip()
    follow_ups = (follow_ups or "").strip()
    errors: dict[str, str] = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("Choose how the household was contacted.")
    if contacted_on > timezone.localdate():
        errors["contacted_on"] = _("A contact cannot be dated in the future.")
    if len(summary) < 2:
        errors["summary"] = _("Say what was discussed.")
    if errors:
        raise ValidationError(errors)
    sent = {
        "household_id": household_id,
        "cadre_id": actor.pk,
        "kind": kind,
        "contacted_on": contacted_on,
        "summary": summary,
        "follow_ups": follow_ups,
    }
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = _visible_household(actor, household_id)
        if client_uuid is not None:
            # Under the household's lock, so two sends of one contact cannot both get past this.
            existing = Contact.objects.filter(client_uuid=client_uuid).first()
            if existing is not None:
                return _resent(existing, sent), False
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
        contact = Contact(
            pairing=pairing,
            household=household,
            cadre=actor,
            kind=kind,
            contacted_on=contacted_on,
            summary=summary,
            follow_ups=follow_ups,
            client_uuid=client_uuid,
        )
        try:
            with transaction.atomic():
                contact.save()
        except IntegrityError:
            # The same client id committed meanwhile by another connection, under another
            # household's lock (the same household's would have waited above).
            existing = Contact.objects.filter(client_uuid=client_uuid).first()
            if existing is None:
                raise
            return _resent(existing, sent), False
    return contact, True


def _resent(existing: Contact, sent: dict) -> Contact:
    """The stored contact if `sent` is the same contact again; refused otherwise."""
    if any(getattr(existing, name) != value for name, value in sent.items()):
        raise ValidationError({"client_uuid": _("This client id belongs to another contact.")})
    return existing


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
        save_or_conflict(policy)
    return policy
