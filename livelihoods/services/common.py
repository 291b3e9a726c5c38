"""What the livelihood services share: the household and member a write is about, locked."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assistance.models import Measure
from households.models import Household, Member
from households.selectors import households_visible_to


class _Unchanged:
    """A field a change leaves as it is, where None means "clear it" (an end date, a partner,
    a measure)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def visible_household(actor: User, household_id) -> Household:
    """The household, locked, if the actor's region holds it."""
    household = None
    if isinstance(household_id, int) and not isinstance(household_id, bool):
        household = households_visible_to(actor).select_for_update().filter(pk=household_id).first()
    if household is None:
        raise ValidationError({"household": _("No such household in your region.")})
    return household


def active_member(household: Household, member_id) -> Member:
    member = None
    if isinstance(member_id, int) and not isinstance(member_id, bool):
        member = household.members.filter(pk=member_id, status=Member.Status.ACTIVE).first()
    if member is None:
        raise ValidationError({"member": _("Choose a member who lives in this household.")})
    return member


def not_in_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})


def check_money(value, field: str) -> Decimal:
    if not isinstance(value, Decimal) or value < 0 or value >= Decimal("1e10"):
        raise ValidationError({field: _("Enter an amount in yuan, zero or more.")})
    return value


def household_measure(household, measure_id, kind: str) -> Measure | None:
    if measure_id is None:
        return None
    measure = Measure.objects.filter(pk=measure_id, case__household=household, kind=kind).first()
    if measure is None:
        raise ValidationError(
            {"measure": _("Choose a measure of this household's case of the right kind.")}
        )
    return measure
