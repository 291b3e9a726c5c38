"""A county officer's weights of the self-development capacity's components (自我发展能力)."""

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import EditConflict, save_or_conflict
from monitoring.engine.capacity import COMPONENTS, WEIGHTS_TOTAL, weights_problem
from monitoring.models import CapacityWeights
from monitoring.services.policy import policy_region


def capacity_weights_save(
    *,
    actor: User,
    region_code: str | None,
    weights: dict[str, int],
    note: str = "",
    version: int | None = None,
) -> CapacityWeights:
    """Set a region's weights (county or above; the national default for a system administrator):
    six whole numbers from 0 to 100 summing to exactly 100. They count from the next measuring
    of the region's households (development.capacity), which keeps the weights' version."""
    if not actor.has_perm("monitoring.change_capacityweights"):
        raise PermissionDenied(_("Your role may not do this."))
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise ValidationError(
            {"weights": _("Unknown components: %(names)s.") % {"names": ", ".join(sorted(unknown))}}
        )
    errors = {
        code: _("A weight is a whole number from 0 to 100.")
        for code in COMPONENTS
        if not (
            isinstance(weights.get(code), int)
            and not isinstance(weights.get(code), bool)
            and 0 <= weights[code] <= WEIGHTS_TOTAL
        )
    }
    if errors:
        raise ValidationError(errors)
    total = weights_problem(weights)
    if total is not None:
        # On the whole request: no one weight is wrong, their sum is.
        raise ValidationError(
            _("The weights must add up to exactly 100; these add up to %(total)d.")
            % {"total": total}
        )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        region = policy_region(actor, region_code)
        row = CapacityWeights.objects.select_for_update().filter(region=region).first()
        if row is None:
            row = CapacityWeights(region=region)
        elif version is not None and row.version != version:
            raise EditConflict()
        else:
            row.version += 1
        for code in COMPONENTS:
            setattr(row, code, weights[code])
        row.note = note
        save_or_conflict(row)
    return row
