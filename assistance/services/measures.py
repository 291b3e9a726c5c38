"""Measures: planned by cadres for a case, delivered by partners, seen by both."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import FIELD_STAFF_ROLES, Role, User
from assistance.models import (
    RETURNED_REFERRALS,
    Case,
    Measure,
    MeasureKind,
    MeasureStatus,
    PartnerOffer,
    ReferralStatus,
)
from assistance.selectors import (
    measures_visible_to,
    offers_matching_household,
    offers_visible_to,
    partners_visible_to,
)
from assistance.services.inputs import FromData
from assistance.services.referrals import referral_start
from core.errors import EditConflict
from households.models import Member
from households.selectors import households_visible_to
from monitoring.services.notifications import notify

# Where a measure may go from each status; delivered and stopped are final but their result
# may still be completed.
NEXT_STATUSES: dict[str, set[str]] = {
    MeasureStatus.PLANNED: {
        MeasureStatus.PLANNED,
        MeasureStatus.IN_PROGRESS,
        MeasureStatus.DELIVERED,
        MeasureStatus.STOPPED,
    },
    MeasureStatus.IN_PROGRESS: {
        MeasureStatus.IN_PROGRESS,
        MeasureStatus.DELIVERED,
        MeasureStatus.STOPPED,
    },
    MeasureStatus.DELIVERED: {MeasureStatus.DELIVERED},
    MeasureStatus.STOPPED: {MeasureStatus.STOPPED},
}
# Delivered and stopped close the delivery record: only its result may still be completed.
FINAL_STATUSES = (MeasureStatus.DELIVERED, MeasureStatus.STOPPED)


def statuses_after(status: str) -> list[str]:
    """The statuses a delivery record may be given from `status`, in the choices' order: what
    a form offers, so that it never offers one the service refuses."""
    return [value for value in MeasureStatus.values if value in NEXT_STATUSES[status]]


@dataclass
class MeasurePlan(FromData):
    SUBMITTED_AS = {
        "responsible_id": "responsible",
        "partner_id": "partner",
        "offer_id": "offer",
        "member_ids": "members",
    }

    kind: str
    title: str
    responsible_id: int
    planned_start: datetime.date
    planned_end: datetime.date | None = None
    partner_id: int | None = None
    offer_id: int | None = None
    member_ids: tuple[int, ...] = ()
    planned_amount: Decimal | None = None
    in_kind: str = ""
    continues_after_case: bool = False


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _check_plan(actor: User, case: Case, plan: MeasurePlan) -> dict:
    """The plan's own consistency and its references, each looked up within the actor's reach."""
    from accounts.models import User

    errors = {}
    if plan.kind not in MeasureKind.values:
        errors["kind"] = _("Choose the kind of measure.")
    if len((plan.title or "").strip()) < 2:
        errors["title"] = _("Say what the measure is.")
    if plan.planned_start is None:
        errors["planned_start"] = _("Give the planned start.")
    elif plan.planned_end is not None and plan.planned_end < plan.planned_start:
        errors["planned_end"] = _("The end cannot be before the start.")
    if plan.planned_amount is not None and plan.planned_amount < 0:
        errors["planned_amount"] = _("An amount cannot be negative.")
    partner = None
    if plan.partner_id is not None:
        partner = partners_visible_to(actor).filter(pk=plan.partner_id, is_active=True).first()
        if partner is None:
            errors["partner"] = _("Choose an active partner that serves your region.")
    if plan.offer_id is not None:
        offer = (
            offers_matching_household(case, as_of=timezone.localdate())
            .filter(pk=plan.offer_id, pk__in=offers_visible_to(actor).values("pk"))
            .first()
        )
        if offer is None or (partner is not None and offer.partner_id != partner.pk):
            errors["offer"] = _(
                "Choose an open offer of the chosen partner that covers the household."
            )
        elif partner is None:
            # A measure from an offer is the offering partner's, so that it sees it to deliver.
            plan.partner_id = offer.partner_id
    responsible = User.objects.filter(
        pk=plan.responsible_id, is_active=True, role__in=FIELD_STAFF_ROLES
    ).first()
    if (
        responsible is None
        or not households_visible_to(responsible).filter(pk=case.household_id).exists()
    ):
        errors["responsible"] = _("Choose a cadre whose region covers this household.")
    members = set(plan.member_ids or ())
    if members and Member.objects.filter(
        pk__in=members, household_id=case.household_id
    ).count() != len(members):
        errors["members"] = _("Choose members of this household.")
    return errors


def _hold_a_place(offer_id: int | None, *, measure_id: int | None = None) -> None:
    """Take a place of the offer, if it counts them. The offer row is locked so that two cadres
    cannot both take its last place."""
    if offer_id is None:
        return
    offer = PartnerOffer.objects.select_for_update().get(pk=offer_id)
    if offer.quantity is None:
        return
    others = offer.measures.exclude(status=MeasureStatus.STOPPED)
    if measure_id is not None:  # a measure being changed does not compete with itself
        others = others.exclude(pk=measure_id)
    taken = others.count()
    if taken >= offer.quantity:
        raise ValidationError(
            {"offer": _("Every place of this offer is taken (%(n)d).") % {"n": offer.quantity}}
        )


def measure_create(*, actor: User, case: Case, plan: MeasurePlan) -> Measure:
    _require(actor, "assistance.add_measure")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        # Lock the case so that a measure is never added to a case being closed at this moment.
        locked = (
            Case.objects.select_for_update()
            .filter(pk=case.pk, household__in=households_visible_to(actor))
            .first()
        )
        if locked is None:
            raise PermissionDenied(_("This case is outside your region."))
        if not locked.is_open:
            raise ValidationError(_("Measures are planned for open cases only."), code="closed")
        errors = _check_plan(actor, locked, plan)
        if errors:
            raise ValidationError(errors)
        _hold_a_place(plan.offer_id)
        measure = Measure(
            case=locked,
            kind=plan.kind,
            title=plan.title.strip(),
            partner_id=plan.partner_id,
            offer_id=plan.offer_id,
            responsible_id=plan.responsible_id,
            planned_start=plan.planned_start,
            planned_end=plan.planned_end,
            planned_amount=plan.planned_amount,
            in_kind=plan.in_kind.strip(),
            continues_after_case=plan.continues_after_case,
            created_by=actor,
        )
        referral_start(measure, at=timezone.now())
        measure.save()
        measure.members.set(plan.member_ids or ())
    return measure


def _locked(actor: User, measure: Measure, version: int) -> Measure:
    locked = (
        measures_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("case__household")
        .filter(pk=measure.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This measure is not yours to change."))
    if locked.version != version:
        raise EditConflict()
    return locked


def measure_update(*, actor: User, measure: Measure, version: int, plan: MeasurePlan) -> Measure:
    """Change a measure's plan (a cadre's task; partners record delivery)."""
    _require(actor, "assistance.change_measure")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, measure, version)
        if not locked.case.is_open and not locked.continues_after_case:
            raise ValidationError(
                _("The case is closed; only a measure that continues after it can change."),
                code="closed",
            )
        errors = _check_plan(actor, locked.case, plan)
        if errors:
            raise ValidationError(errors)
        if plan.offer_id != locked.offer_id:
            _hold_a_place(plan.offer_id, measure_id=locked.pk)
        # Naming another partner (or the same one again after it declined) is a new referral.
        re_referred = plan.partner_id != locked.partner_id or (
            plan.partner_id is not None and locked.referral_status in RETURNED_REFERRALS
        )
        for name in (
            "kind",
            "title",
            "partner_id",
            "offer_id",
            "responsible_id",
            "planned_start",
            "planned_end",
            "planned_amount",
            "in_kind",
            "continues_after_case",
        ):
            setattr(locked, name, getattr(plan, name))
        locked.title = locked.title.strip()
        if re_referred:
            referral_start(locked, at=timezone.now())
        locked.version += 1
        locked.save()
        locked.members.set(plan.member_ids or ())
    return locked


def measure_record_delivery(
    *,
    actor: User,
    measure: Measure,
    version: int,
    status: str,
    actual_start: datetime.date | None = None,
    actual_end: datetime.date | None = None,
    delivered_amount: Decimal | None = None,
    result: str = "",
) -> Measure:
    """What was actually done: by the partner that provides it, or by a cadre."""
    _require(actor, "assistance.record_delivery")
    result = (result or "").strip()
    today = timezone.localdate()
    errors = {}
    if status not in MeasureStatus.values:
        errors["status"] = _("Choose the status of the measure.")
    if status in (MeasureStatus.IN_PROGRESS, MeasureStatus.DELIVERED) and actual_start is None:
        errors["actual_start"] = _("Give the day it actually started.")
    if actual_start and actual_start > today:
        errors["actual_start"] = _("The actual start cannot be in the future.")
    if actual_end is not None:
        if actual_start is None or actual_end < actual_start:
            errors["actual_end"] = _("The end cannot be before the start.")
        elif actual_end > today:
            errors["actual_end"] = _("The actual end cannot be in the future.")
    if delivered_amount is not None and delivered_amount < 0:
        errors["delivered_amount"] = _("An amount cannot be negative.")
    if status in (MeasureStatus.DELIVERED, MeasureStatus.STOPPED) and len(result) < 2:
        errors["result"] = _("Say what came of it.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, measure, version)
        if not locked.case.is_open and not locked.continues_after_case:
            raise ValidationError(
                _("The case is closed; only a measure that continues after it can change."),
                code="closed",
            )
        if status not in NEXT_STATUSES[locked.status]:
            raise ValidationError(
                {
                    "status": _("A measure that is %(status)s cannot go back.")
                    % {"status": locked.get_status_display()}
                },
            )
        if locked.status in FINAL_STATUSES and (
            actual_start != locked.actual_start
            or actual_end != locked.actual_end
            or delivered_amount != locked.delivered_amount
        ):
            raise ValidationError(
                _("The measure is %(status)s: only its result may still be completed.")
                % {"status": locked.get_status_display()},
                code="final",
            )
        if actor.role == Role.PARTNER:
            if locked.referral_status in RETURNED_REFERRALS:
                raise ValidationError(
                    _(
                        "Your organisation did not take this referral on; "
                        "it is not yours to deliver."
                    ),
                    code="declined",
                )
            if locked.referral_status == ReferralStatus.PENDING:
                # Recording its delivery is the partner's answer: it took the measure on.
                locked.referral_status = ReferralStatus.ACCEPTED
                locked.responded_at = timezone.now()
        locked.status = status
        locked.actual_start = actual_start
        locked.actual_end = actual_end
        locked.delivered_amount = delivered_amount
        locked.result = result
        locked.version += 1
        locked.save()
        if actor.role == Role.PARTNER and locked.responsible_id != actor.pk:
            with translation.override("en"):  # the label's msgid, translated when read
                status_label = str(locked.get_status_display())
            notify(
                [locked.responsible_id],
                key="measure_recorded",
                arguments={
                    "partner": locked.partner.name if locked.partner else actor.get_username(),
                    "status": status_label,
                    "title": locked.title,
                },
                link=reverse("case-detail", args=[locked.case_id]),
            )
    return locked
