import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from households.evaluation_requests import request_evaluation
from households.models import Household, Member
from households.selectors import households_visible_to
from monitoring.engine.facts import household_visit_due
from monitoring.engine.policy import Policy
from monitoring.models import LOWEST_BUSINESS_INCOME, EventKind, Visit, VisitEvent

INCOME_FIELDS = ("wage_income", "business_income", "property_income", "transfer_income")
# The income that is net of its own costs and so may be a loss. Wages, property income and
# transfers are received amounts and cannot be below zero.
LOSS_FIELDS = ("business_income",)
SPENDING_FIELDS = ("medical_spending", "education_spending", "disaster_loss")
CHECK_FIELDS = (
    "food_clothing_ok",
    "compulsory_education_ok",
    "basic_medical_ok",
    "safe_housing_ok",
    "safe_water_ok",
)
MAX_HOUSEHOLD_SIZE = 30
# Events "since the last visit" may go back at most this far before the visit.
EVENT_LOOKBACK_DAYS = 400
# The visit form's rows, and the most a visit names through any door.
MAX_EVENTS = 10


@dataclass(frozen=True)
class EventInput:
    kind: str
    occurred_on: datetime.date
    member_id: int | None = None
    note: str = ""


FUTURE_VISIT = gettext_lazy("A visit cannot be in the future.")


def _check_dates(household: Household, visited_on: datetime.date, today: datetime.date) -> None:
    if visited_on > today:
        raise ValidationError({"visited_on": FUTURE_VISIT})
    registered = timezone.localtime(household.created_at).date()
    if visited_on < registered:
        raise ValidationError(
            {
                "visited_on": _("The household was registered on %(date)s, after this date.")
                % {"date": registered.isoformat()}
            }
        )


def _check_events(
    household: Household, visited_on: datetime.date, events: list[EventInput]
) -> None:
    if len(events) > MAX_EVENTS:
        raise ValidationError(
            {"events": _("A visit records at most %(max)d events.") % {"max": MAX_EVENTS}}
        )
    members = set(Member.objects.filter(household=household).values_list("id", flat=True))
    errors = []
    for event in events:
        if event.kind not in EventKind.values:
            errors.append(_("Unknown event kind: %(kind)s.") % {"kind": event.kind})
        elif event.member_id is not None and event.member_id not in members:
            errors.append(_("The person concerned is not a member of this household."))
        elif event.occurred_on > visited_on:
            errors.append(_("An event cannot come after the visit."))
        elif event.occurred_on < visited_on - datetime.timedelta(days=EVENT_LOOKBACK_DAYS):
            errors.append(
                _("An event more than a year before the visit belongs to an older visit.")
            )
    if errors:
        raise ValidationError({"events": errors})


def _check_amounts(figures: dict) -> None:
    errors = {}
    for name in INCOME_FIELDS + SPENDING_FIELDS:
        if name in LOSS_FIELDS:
            if figures[name] < LOWEST_BUSINESS_INCOME:
                errors[name] = _("A net loss of more than %(most)s yuan is not plausible.") % {
                    "most": f"{-LOWEST_BUSINESS_INCOME:,}"
                }
        elif figures[name] < 0:
            errors[name] = _("An amount cannot be negative.")
    if errors:
        raise ValidationError(errors)


def _derived(figures: dict) -> dict:
    """The household's totals. A loss of production and business counts against the other
    incomes, as the policy counts net income, so the total and the per-capita figure may be
    below zero."""
    total = sum((figures[name] for name in INCOME_FIELDS), Decimal("0"))
    per_capita = (total / figures["household_size"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    rigid = sum((figures[name] for name in SPENDING_FIELDS), Decimal("0"))
    return {"total_net_income": total, "per_capita_income": per_capita, "rigid_spending": rigid}


def visit_record(
    *,
    actor: User,
    household_id: int,
    client_uuid: uuid.UUID,
    visited_on: datetime.date,
    household_size: int,
    events: Sequence[EventInput] = (),
    notes: str = "",
    **figures,
) -> tuple[Visit, bool]:
    """Record a visit, or return the one already recorded under the same client id.

    Returns (visit, created). The household's cached facts are updated in the same transaction,
    and the household is judged again once it commits.
    """
    if not actor.has_perm("monitoring.add_visit"):
        raise PermissionDenied(_("Your role may not do this."))
    unknown = set(figures) - set(INCOME_FIELDS) - set(SPENDING_FIELDS) - set(CHECK_FIELDS)
    if unknown:
        raise ValueError(f"unknown visit fields: {sorted(unknown)}")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = households_visible_to(actor).select_for_update().filter(pk=household_id).first()
        if household is None:
            raise ValidationError({"household": _("No such household in your region.")})
        # Under the household lock, so two sends of one visit cannot both get past this.
        existing = Visit.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.household_id != household.pk:
                raise ValidationError(
                    {"client_uuid": _("This client id belongs to another visit.")}
                )
            return existing, False
        _check_dates(household, visited_on, timezone.localdate())
        if not 1 <= household_size <= MAX_HOUSEHOLD_SIZE:
            raise ValidationError(
                {
                    "household_size": _("A household has 1 to %(max)d people.")
                    % {"max": MAX_HOUSEHOLD_SIZE}
                }
            )
        _check_amounts(figures)
        _check_events(household, visited_on, list(events))
        visit = Visit(
            household=household,
            visitor=actor,
            client_uuid=client_uuid,
            visited_on=visited_on,
            household_size=household_size,
            notes=notes,
            **figures,
            **_derived({**figures, "household_size": household_size}),
        )
        visit.full_clean(exclude=["client_uuid"])
        try:
            with transaction.atomic():
                visit.save()
        except IntegrityError:
            # The same client id committed by another connection in the meantime.
            return Visit.objects.get(client_uuid=client_uuid), False
        VisitEvent.objects.bulk_create(
            VisitEvent(
                visit=visit,
                kind=e.kind,
                member_id=e.member_id,
                occurred_on=e.occurred_on,
                note=e.note,
            )
            for e in events
        )
        household_visit_facts_refresh(household)
        request_evaluation(household.pk)
    return visit, True


def household_visit_facts_refresh(household: Household) -> None:
    """Cache the latest visit's income and the next due date on the household.

    The due date is the engine's (`rules.visit_due_on`), which the evaluation that follows every
    change writes too; here it is written at once, so the visit lists are right on commit."""
    latest = household.visits.order_by("-visited_on", "-id").first()
    due = household_visit_due(
        household, last_visit_on=latest.visited_on if latest else None, policy=Policy.current()
    )
    if latest is None:
        Household.objects.filter(pk=household.pk).update(next_visit_due=due)
        return
    Household.objects.filter(pk=household.pk).update(
        per_capita_income=latest.per_capita_income,
        last_visit_on=latest.visited_on,
        next_visit_due=due,
    )
