"""The needs board (需求清单): cadres publish a household's unmet need, partners whose area covers
its village claim it (认领), and a cadre's confirmation turns the claim into a measure of the case,
referred to the claiming partner and accepted by its claim.

A need is read by partners who have no right to the household: it carries the village and the
need only, and its text is refused when it holds what looks like an ID number or a phone number.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assistance.models import Case, Measure, MeasureKind, Need, NeedStatus, Partner
from assistance.selectors import cases_visible_to, need_covered_by, needs_visible_to
from assistance.services.inputs import FromData
from assistance.services.referrals import referral_accepted_on_creation
from core.errors import EditConflict
from households.selectors import members_visible_to
from monitoring.services.notifications import notify

# 18 characters of an ID number (the last may be X), or a mobile or landline number, anywhere
# in the text, whatever separates its digits.
ID_NUMBER_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
PHONE_LIKE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")


@dataclass
class NeedData(FromData):
    SUBMITTED_AS = {"case_id": "case"}

    case_id: int
    kind: str
    quantity: str
    needed_by: datetime.date
    description: str


def personal_data_in(text: str) -> bool:
    """Whether the text holds something like an ID number or a phone number."""
    # Full-width digits read as digits; spaces, and the dashes, dots or slashes that may stand
    # between a number's digits ("138-0013-8000", "0943.1234567"), go first.
    squeezed = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    squeezed = re.sub(r"(?<=[0-9])[.\-/—]+(?=[0-9])", "", squeezed)
    return bool(ID_NUMBER_LIKE.search(squeezed) or PHONE_LIKE.search(squeezed))


# A day written as a date: 1980年1月1日, 1980-01-01, 1980.1.1, 19800101.
DATE_LIKE = re.compile(
    r"(?<![0-9])((?:19|20)[0-9]{2})[年./\-]?([0-9]{1,2})[月./\-]?([0-9]{1,2})(?![0-9])"
)


def household_named_in(text: str, *, names: set[str], births: set[datetime.date]) -> bool:
    """Whether the text names a member of the household or gives a member's birth date: with
    the village beside them, a partner would know the household, and with the birth date
    rebuild most of an ID number."""
    squeezed = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    if any(len(name) >= 2 and name in squeezed for name in names):
        return True
    for year, month, day in DATE_LIKE.findall(squeezed):
        try:
            if datetime.date(int(year), int(month), int(day)) in births:
                return True
        except ValueError:
            continue
    return False


def _check_household(data: NeedData, case: Case, actor: User) -> dict:
    members = members_visible_to(actor).filter(household_id=case.household_id)
    names = {case.household.head_name, *members.values_list("name", flat=True)}
    births = set(members.values_list("birth_date", flat=True))
    message = _("No name or birth date of the household on the board: it is read by partners.")
    return {
        field: message
        for field in ("quantity", "description")
        if household_named_in(getattr(data, field) or "", names=names, births=births)
    }


def _check(data: NeedData) -> dict:
    errors = {}
    if data.kind not in MeasureKind.values:
        errors["kind"] = _("Choose the kind of need.")
    if not (data.quantity or "").strip():
        errors["quantity"] = _("Say how much is needed.")
    elif personal_data_in(data.quantity):
        errors["quantity"] = _("No ID or phone number on the board: it is read by partners.")
    if data.needed_by is None:
        errors["needed_by"] = _("Say by when it is needed.")
    elif data.needed_by < timezone.localdate():
        errors["needed_by"] = _("The day it is needed by cannot be in the past.")
    description = (data.description or "").strip()
    if len(description) < 4:
        errors["description"] = _("Say what is needed.")
    elif personal_data_in(description):
        errors["description"] = _("No ID or phone number on the board: it is read by partners.")
    return errors


def need_publish(*, actor: User, data: NeedData) -> Need:
    if not actor.has_perm("assistance.add_need"):
        raise PermissionDenied(_("Your role may not do this."))
    errors = _check(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        case = (
            cases_visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("household")
            .filter(pk=data.case_id)
            .first()
        )
        if case is None:
            raise ValidationError({"case": _("No such case in your region.")})
        if not case.is_open:
            raise ValidationError(_("Needs are published for open cases only."), code="closed")
        errors = _check_household(data, case, actor)
        if errors:
            raise ValidationError(errors)
        return Need.objects.create(
            case=case,
            kind=data.kind,
            village_id=case.household.village_id,
            quantity=data.quantity.strip(),
            needed_by=data.needed_by,
            description=data.description.strip(),
            published_by=actor,
        )


def _locked(actor: User, need: Need, version: int | None) -> Need:
    locked = (
        needs_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("village")
        .filter(pk=need.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This need is not on your board."))
    if version is not None and locked.version != version:
        raise EditConflict()
    return locked


def need_claim(*, actor: User, need: Need, version: int | None = None) -> Need:
    """认领: a partner's user takes the need on for its partner, if its area covers the village."""
    if actor.role != Role.PARTNER or not actor.has_perm("assistance.claim_need"):
        raise PermissionDenied(_("Needs are claimed by partners."))
    partner = Partner.objects.filter(pk=actor.partner_id or 0, is_active=True).first()
    if partner is None:
        raise PermissionDenied(_("Your account is not linked to an active partner."))
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = (
            Need.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(pk=need.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied(_("This need is not on your board."))
        if version is not None and locked.version != version:
            raise EditConflict()
        if not need_covered_by(locked, partner):
            raise ValidationError(
                _("This need lies outside the area your organisation serves."), code="area"
            )
        if locked.status != NeedStatus.OPEN:
            raise ValidationError(
                _("This need is no longer open (%(status)s).")
                % {"status": locked.get_status_display()},
                code="taken",
            )
        locked.status = NeedStatus.CLAIMED
        locked.claimed_by = partner
        locked.claimed_at = timezone.now()
        locked.version += 1
        locked.save()
        with translation.override("en"):
            kind = str(locked.get_kind_display())  # its msgid, translated when read
        notify(
            [locked.published_by_id] if locked.published_by_id else [],
            key="need_claimed",
            arguments={"partner": partner.name, "need": kind},
            link=reverse("case-detail", args=[locked.case_id]),
        )
    return locked


def _cadre(actor: User) -> None:
    if actor.role == Role.PARTNER or not actor.has_perm("assistance.change_need"):
        raise PermissionDenied(_("Your role may not do this."))


def need_confirm(
    *, actor: User, need: Need, version: int, responsible_id: int | None = None
) -> Need:
    """The cadre takes the claim: a measure of the case, referred to the claiming partner and
    accepted already (the claim was its answer)."""
    _cadre(actor)
    if not actor.has_perm("assistance.add_measure"):
        raise PermissionDenied(_("Your role may not do this."))
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, need, version)
        if locked.status != NeedStatus.CLAIMED or locked.claimed_by_id is None:
            raise ValidationError(
                _("Only a claimed need can be confirmed (%(status)s).")
                % {"status": locked.get_status_display()},
                code="not_claimed",
            )
        case: Case = Case.objects.select_for_update().get(pk=locked.case_id)
        if not case.is_open:
            raise ValidationError(_("Measures are planned for open cases only."), code="closed")
        now = timezone.now()
        measure = Measure(
            case=case,
            kind=locked.kind,
            title=locked.description[:120],
            partner_id=locked.claimed_by_id,
            responsible_id=responsible_id or case.responsible_id or actor.pk,
            planned_start=timezone.localdate(),
            planned_end=locked.needed_by,
            in_kind=locked.quantity[:200],
            created_by=actor,
        )
        referral_accepted_on_creation(measure, at=now)
        measure.save()
        locked.status = NeedStatus.CONFIRMED
        locked.confirmed_by = actor
        locked.confirmed_at = now
        locked.measure = measure
        locked.version += 1
        locked.save()
        with translation.override("en"):
            kind = str(locked.get_kind_display())  # its msgid, translated when read
        notify(
            User.objects.filter(partner_id=locked.claimed_by_id, is_active=True),
            key="need_confirmed",
            arguments={"need": kind, "by": locked.needed_by.isoformat()},
            link=reverse("measure-detail", args=[measure.pk]),
            dedupe_key=f"need_confirmed:{locked.pk}",
        )
    return locked


def need_withdraw(*, actor: User, need: Need, version: int) -> Need:
    """Take a need off the board (met otherwise, or no longer needed); a claim on it lapses."""
    _cadre(actor)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, need, version)
        if locked.status not in (NeedStatus.OPEN, NeedStatus.CLAIMED):
            raise ValidationError(
                _("This need is %(status)s already.") % {"status": locked.get_status_display()},
                code="closed",
            )
        locked.status = NeedStatus.WITHDRAWN
        locked.version += 1
        locked.save()
    return locked
