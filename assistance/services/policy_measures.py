"""The measure catalogue as data (`PolicyMeasure`): a county adds its own measures beside the
national ones, edits or withdraws its own, and never changes the national entries (a system
administrator's, as every national value). Each change is in the history with its actor."""

from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from assistance.models import Department, MeasureKind, OfferKind, PolicyMeasure, RiskType
from assistance.selectors import policy_measures_visible_to
from core.errors import EditConflict, save_or_conflict
from monitoring.services.policy import policy_region

# A typical amount beyond this (yuan) is a slip of the finger.
MAX_TYPICAL_AMOUNT = Decimal(1_000_000)


def _checked(
    *,
    risk_type: str,
    kind: str,
    title: str,
    department: str,
    typical_amount: Decimal | None,
    offer_kinds: list[str],
) -> None:
    errors = {}
    if risk_type not in RiskType.values:
        errors["risk_type"] = _("Choose a risk type.")
    if kind not in MeasureKind.values:
        errors["kind"] = _("Choose a kind of measure.")
    if not 2 <= len(title) <= 120:
        errors["title"] = _("Name the measure in 2 to 120 characters.")
    if department and department not in Department.values:
        errors["department"] = _("Choose a department.")
    if typical_amount is not None and not 0 <= typical_amount <= MAX_TYPICAL_AMOUNT:
        errors["typical_amount"] = _("A typical amount is 0 to %(max)s yuan.") % {
            "max": f"{MAX_TYPICAL_AMOUNT:,}"
        }
    if not set(offer_kinds) <= set(OfferKind.values):
        errors["offer_kinds"] = _("Choose kinds of partner offer from the list.")
    if errors:
        raise ValidationError(errors)


def policy_measure_save(
    *,
    actor: User,
    region_code: str | None,
    risk_type: str,
    kind: str,
    title: str,
    department: str = "",
    typical_amount: Decimal | None = None,
    offer_kinds: list[str] | None = None,
    is_active: bool = True,
    pk: int | None = None,
    version: int | None = None,
) -> PolicyMeasure:
    """Add a region's measure (no `pk`), or change one of its own (`pk` and the `version` seen).
    A county officer's region is their county; a national entry is refused to them as every
    national value is (monitoring.services.policy.policy_region)."""
    if not actor.has_perm("assistance.change_policymeasure"):
        raise PermissionDenied(_("Your role may not do this."))
    title, offer_kinds = title.strip(), sorted(set(offer_kinds or ()))
    _checked(
        risk_type=risk_type,
        kind=kind,
        title=title,
        department=department,
        typical_amount=typical_amount,
        offer_kinds=offer_kinds,
    )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        region = policy_region(actor, region_code)
        if pk is None:
            row = PolicyMeasure(region=region)
        else:
            found = (
                policy_measures_visible_to(actor)
                .select_for_update(of=("self",))
                .filter(pk=pk)
                .first()
            )
            if found is None or found.region_id != (region.code if region else None):
                raise ValidationError(_("No such measure of this region."), code="not_found")
            row = found
            if version is not None and row.version != version:
                raise EditConflict()
            row.version += 1
        taken = PolicyMeasure.objects.filter(region=region, risk_type=risk_type, title=title)
        if taken.exclude(pk=row.pk).exists():
            raise ValidationError({"title": _("This region lists this measure already.")})
        row.risk_type, row.kind, row.title = risk_type, kind, title
        row.department, row.typical_amount = department, typical_amount
        row.offer_kinds, row.is_active = offer_kinds, is_active
        save_or_conflict(row)
    return row
