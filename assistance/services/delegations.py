"""Delegations of a role's steps in a village or a township to a named user.

A village with no village-worker account would leave its cases waiting for ever: a township cadre
or a county officer hands the village's steps, for a period and with a reason, to someone who
can take them (a township cadre, or a member of the village's resident work team, 驻村工作队, who
is a field user whose region covers the village). A county officer may hand on any step of the
county; a township cadre the village steps of its villages. The delegate takes the steps as the
role would; each step taken so records the delegation (services/cases.py).
"""

import datetime

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import FIELD_STAFF_ROLES, Role, User
from accounts.roles import permissions_of
from assistance.deadlines import work_calendar
from assistance.models import DELEGABLE_PERMISSIONS, Delegation
from assistance.selectors import (
    delegation_waiting_steps,
    delegations_ended_before,
    delegations_ending,
    delegations_overlapping,
    delegations_visible_to,
)
from households.models import Region
from households.selectors import region_within, user_covers
from monitoring.services.notifications import notify

# The longest a delegation runs before it must be given again: a year.
MAX_DAYS = 366
# The steps a township cadre may hand on: the village's, in its own villages.
TOWNSHIP_DELEGABLE = {"assistance.record_village_step"}
# Who may receive each step: the role that takes it, or one above it, never below.
RECEIVERS = {
    "assistance.record_village_step": set(FIELD_STAFF_ROLES),
    "assistance.check_case_information": {Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER},
    "assistance.review_case": {Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER},
    "assistance.approve_case": {Role.COUNTY_OFFICER},
}
DELEGATED_LEVELS = (Region.Level.VILLAGE, Region.Level.TOWNSHIP)


def _require(actor: User) -> None:
    if not actor.has_perm("assistance.add_delegation"):
        raise PermissionDenied(_("Your role may not delegate steps."))


def may_hand_on(actor: User, permission: str) -> bool:
    if actor.is_superuser or actor.role == Role.COUNTY_OFFICER:
        return True
    return actor.role == Role.TOWNSHIP_CADRE and permission in TOWNSHIP_DELEGABLE


def role_may_receive(role: str, permission: str) -> bool:
    """Whether a user of this role can be given these steps: a receiving role that does not take
    them by itself (the form offers only them; delegation_create still checks the user)."""
    return role in RECEIVERS.get(permission, ()) and permission not in permissions_of(role)


def _check_terms(
    *, permission: str, starts_on: datetime.date | None, ends_on: datetime.date | None, reason: str
) -> dict:
    errors = {}
    if permission not in DELEGABLE_PERMISSIONS:
        errors["permission"] = _("Choose the steps to delegate from the list.")
    if starts_on is None or ends_on is None:
        errors["starts_on"] = _("Give the first and last day of the delegation.")
    elif starts_on < timezone.localdate():
        errors["starts_on"] = _("A delegation starts today or later.")
    elif ends_on < starts_on:
        errors["ends_on"] = _("A delegation cannot end before it starts.")
    elif (ends_on - starts_on).days >= MAX_DAYS:
        errors["ends_on"] = _("A delegation runs a year at most; give it again after that.")
    if len(reason) < 4:
        errors["reason"] = _("Say why the steps are delegated.")
    return errors


def delegation_create(
    *,
    actor: User,
    delegate_id: int,
    permission: str,
    region_code: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
) -> Delegation:
    """Hand a role's steps in a village or township to a named user for a period."""
    _require(actor)
    reason = (reason or "").strip()
    errors = _check_terms(
        permission=permission, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    if errors:
        raise ValidationError(errors)
    if not may_hand_on(actor, permission):
        raise ValidationError(
            {"permission": _("Your role may not delegate these steps.")}, code="not_yours"
        )
    region = region_within(user=actor, code=str(region_code or ""))
    if region is None or region.level not in DELEGATED_LEVELS:
        raise ValidationError({"region": _("Choose a village or township in your region.")})
    delegate = User.objects.filter(pk=delegate_id, is_active=True).first()
    if delegate is None or delegate.pk == actor.pk:
        raise ValidationError({"delegate": _("Choose someone else, by name, to take the steps.")})
    if delegate.role not in RECEIVERS[permission] or delegate.partner_id:
        raise ValidationError(
            {
                "delegate": _("%(user)s's role may not take these steps.")
                % {"user": delegate.display_name}
            },
            code="wrong_role",
        )
    if delegate.has_perm(permission):
        raise ValidationError(
            {
                "delegate": _("%(user)s takes these steps by their own role already.")
                % {"user": delegate.display_name}
            },
            code="own_role",
        )
    if not user_covers(delegate, region.code):
        raise ValidationError(
            {
                "delegate": _("%(user)s works outside %(region)s.")
                % {"user": delegate.display_name, "region": region.name}
            },
            code="outside",
        )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        # Two delegations to the same person take turns here, so an overlap cannot slip between
        # them, whether they name the same region or a township and one of its villages.
        User.objects.select_for_update().filter(pk=delegate.pk).first()
        clash = (
            delegations_overlapping(
                delegate_id=delegate.pk,
                permission=permission,
                region_code=region.code,
                starts_on=starts_on,
                ends_on=ends_on,
            )
            .select_related("region")
            .order_by("starts_on")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                _(
                    "%(user)s already holds these steps in %(region)s from %(start)s to "
                    "%(end)s; revoke that delegation or choose days outside it."
                )
                % {
                    "user": delegate.display_name,
                    "region": clash.region.name,
                    "start": clash.starts_on,
                    "end": clash.ends_on,
                },
                code="overlap",
            )
        delegation = Delegation.objects.create(
            delegator=actor,
            delegate=delegate,
            permission=permission,
            region=region,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
        )
        notify(
            [delegate],
            key="delegation_given",
            arguments={
                "user": actor.display_name,
                "steps": str(delegation.steps_label),
                "region": region.name,
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
            },
            link=reverse("delegation-list"),
        )
    return delegation


def delegation_revoke(*, actor: User, delegation: Delegation) -> Delegation:
    """End a delegation before its last day."""
    _require(actor)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = (
            delegations_visible_to(actor)
            .select_for_update(of=("self",))
            .filter(pk=delegation.pk)
            .first()
        )
        if locked is None or not (
            locked.delegator_id == actor.pk or user_covers(actor, locked.region_id)
        ):
            raise PermissionDenied(_("This delegation is outside your region."))
        # Revoking is giving's other half: a township cadre may not end a county officer's
        # delegation of steps it could not have handed on itself (a township's review).
        if locked.delegator_id != actor.pk and not may_hand_on(actor, locked.permission):
            raise PermissionDenied(_("Your role may not revoke a delegation of these steps."))
        if locked.revoked_at is not None:
            raise ValidationError(_("This delegation was revoked already."), code="revoked")
        if locked.ends_on < timezone.localdate():
            raise ValidationError(_("This delegation has ended already."), code="ended")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        notify(
            [locked.delegate_id],
            key="delegation_revoked",
            arguments={
                "user": actor.display_name,
                "steps": str(locked.steps_label),
                "region": locked.region.name,
            },
            link=reverse("delegation-list"),
        )
    return locked


# A delegation that ran out more than this long ago is not announced any more (the first sweep
# after a pause, or after this feature arrived, tells only the recent ones).
EXPIRY_NOTICE_WINDOW = datetime.timedelta(days=7)
# The working day before the last day lies at most this far back (a long holiday).
ENDING_NOTICE_HORIZON = datetime.timedelta(days=20)


def _label_msgid(delegation: Delegation) -> str:
    """The steps' label as its English msgid: the notification renders it in the reader's
    language (a `translated` argument of assistance/messages.py)."""
    with translation.override("en"):
        return str(delegation.steps_label)


def delegation_notices_send(*, as_of: datetime.date | None = None) -> dict[str, int]:
    """The daily sweep of delegations (beat, docs/cases.md): the delegate is told once a
    delegation has run out (its last day has passed), and the delegator is told on the working
    day before its last day when steps still wait under it. Each once: the dedupe key of each
    notification makes a second run (or two at once) send nothing new."""
    as_of = as_of or timezone.localdate()
    calendar = work_calendar()
    sent = {"expired": 0, "ending": 0}
    for delegation in delegations_ended_before(as_of, since=as_of - EXPIRY_NOTICE_WINDOW):
        with transaction.atomic():
            sent["expired"] += notify(
                [delegation.delegate_id],
                key="delegation_expired",
                arguments={
                    "user": delegation.delegator.display_name,
                    "steps": _label_msgid(delegation),
                    "region": delegation.region.name,
                    "end": delegation.ends_on.isoformat(),
                },
                link=reverse("delegation-list"),
                dedupe_key=f"delegation-expired:{delegation.pk}",
            )
    for delegation in delegations_ending(as_of, until=as_of + ENDING_NOTICE_HORIZON):
        if as_of < calendar.previous_working_day(delegation.ends_on):
            continue
        waiting = delegation_waiting_steps(delegation)
        if not waiting:
            continue
        with transaction.atomic():
            sent["ending"] += notify(
                [delegation.delegator_id],
                key="delegation_ending",
                arguments={
                    "steps": _label_msgid(delegation),
                    "region": delegation.region.name,
                    "end": delegation.ends_on.isoformat(),
                    "cases": waiting,
                },
                link=reverse("delegation-list"),
                dedupe_key=f"delegation-ending:{delegation.pk}:{delegation.ends_on.isoformat()}",
            )
    return sent
