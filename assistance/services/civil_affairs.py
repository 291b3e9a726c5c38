"""A case's referral to civil affairs (民政) and the decision civil affairs sends back: the 2026
policy's joint identification, one account for both offices.

A case is referred once, for dibao, tekun or temporary relief, when it is proposed or while it is
open; a referral civil affairs turned down may be made again for something else. The cadre who
receives the decision records it with its date and amount. An approved dibao or tekun becomes the
case's social-assistance label; the members' own flags stay the registry's to set (civil affairs'
decision says which members it covers).
"""

import datetime
import unicodedata
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assistance.models import (
    Case,
    CivilAffairsDecision,
    CivilAffairsKind,
    CivilAffairsReferral,
    SocialAssistance,
)
from assistance.selectors import cases_visible_to
from assistance.services.comments import LONG_NUMBER
from core.errors import EditConflict

# A month's dibao or a relief payment beyond this is a slip of the finger.
MAX_AMOUNT = Decimal(1_000_000)


def _require_change(actor: User) -> None:
    if not actor.has_perm("assistance.change_case"):
        raise PermissionDenied(_("Your role may not do this."))


def _case_locked(actor: User, case: Case) -> Case:
    locked = cases_visible_to(actor).select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None:
        raise PermissionDenied(_("This case is outside your region."))
    return locked


def check_kind(kind: str) -> None:
    if kind not in CivilAffairsKind.values:
        raise ValidationError({"kind": _("Choose dibao, tekun or temporary relief.")})


def referral_open(*, case: Case, kind: str, actor: User, on: datetime.date) -> CivilAffairsReferral:
    """Refer the (locked, open) case: a new referral, or a turned-down one made again."""
    referral = CivilAffairsReferral.objects.select_for_update().filter(case=case).first()
    if referral is not None and referral.decision != CivilAffairsDecision.REJECTED:
        raise ValidationError(
            _("This case is already referred to civil affairs."), code="already_referred"
        )
    if referral is None:
        referral = CivilAffairsReferral(case=case)
    else:
        referral.version += 1
    referral.kind, referral.referred_on, referral.referred_by = kind, on, actor
    referral.decision, referral.decided_on = CivilAffairsDecision.PENDING, None
    referral.amount, referral.note, referral.recorded_by = None, "", None
    referral.save()
    return referral


def _keep_case_label(case: Case, referral: CivilAffairsReferral, *, was_approved: bool) -> None:
    """An approved dibao or tekun becomes the open case's social-assistance label; a correction
    away from an approval takes back the label it gave."""
    if not case.is_open or referral.kind not in (SocialAssistance.DIBAO, SocialAssistance.TEKUN):
        return
    approved = referral.decision == CivilAffairsDecision.APPROVED
    if approved and case.social_assistance != referral.kind:
        case.social_assistance = referral.kind
    elif not approved and was_approved and case.social_assistance == referral.kind:
        case.social_assistance = SocialAssistance.NONE
    else:
        return
    case.version += 1
    case.save(update_fields=["social_assistance", "version", "updated_at"])


def civil_affairs_refer(*, actor: User, case: Case, kind: str) -> CivilAffairsReferral:
    """Refer an open case to civil affairs for `kind`."""
    _require_change(actor)
    check_kind(kind)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _case_locked(actor, case)
        if not locked.is_open:
            raise ValidationError(_("A closed case cannot be changed."), code="closed")
        return referral_open(case=locked, kind=kind, actor=actor, on=timezone.localdate())


def civil_affairs_decide(
    *,
    actor: User,
    case: Case,
    version: int,
    decision: str,
    decided_on: datetime.date,
    amount: Decimal | None = None,
    note: str = "",
) -> CivilAffairsReferral:
    """Record civil affairs' decision on the case's referral (or correct one recorded)."""
    _require_change(actor)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if decision not in (CivilAffairsDecision.APPROVED, CivilAffairsDecision.REJECTED):
        errors["decision"] = _("Say whether civil affairs approved it.")
    if decided_on > today:
        errors["decided_on"] = _("The decision cannot be dated in the future.")
    if decision == CivilAffairsDecision.APPROVED and (
        amount is None or not 0 < amount <= MAX_AMOUNT
    ):
        errors["amount"] = _("An approval has an amount of more than zero and at most %(max)s.") % {
            "max": f"{MAX_AMOUNT:,}"
        }
    if decision == CivilAffairsDecision.REJECTED and amount:
        errors["amount"] = _("A refusal has no amount.")
    if len(note) > 200:
        errors["note"] = _("At most 200 characters.")
    elif LONG_NUMBER.search(unicodedata.normalize("NFKC", note)):
        # The case's readers include API clients: a note holds the document number, never a
        # person's ID, phone or bank account.
        errors["note"] = _("A note may not hold an ID number, a phone or a bank account number.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _case_locked(actor, case)
        referral = CivilAffairsReferral.objects.select_for_update().filter(case=locked).first()
        if referral is None:
            raise ValidationError(
                _("This case is not referred to civil affairs."), code="no_referral"
            )
        if referral.version != version:
            raise EditConflict()
        if decided_on < referral.referred_on:
            raise ValidationError({"decided_on": _("The decision comes after the referral.")})
        was_approved = referral.decision == CivilAffairsDecision.APPROVED
        referral.decision, referral.decided_on = decision, decided_on
        referral.amount = amount if decision == CivilAffairsDecision.APPROVED else None
        referral.note, referral.recorded_by = note.strip(), actor
        referral.version += 1
        referral.save()
        _keep_case_label(locked, referral, was_approved=was_approved)
    return referral
