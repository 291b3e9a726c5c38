"""Department signals: batches from other government systems, matched to people or areas."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from households import id_numbers
from households.models import Household, Member, Region
from households.regions import prefix_of
from monitoring.models import AREA_KINDS, Notification, ScanRun, Signal
from monitoring.queueing import request_evaluation

MAX_BATCH = 1000
# An area signal touching at least this many households is a township-level event.
AREA_NOTICE_THRESHOLD = 20


@dataclass(frozen=True)
class SignalItem:
    source: str
    external_id: str
    kind: str
    occurred_on: datetime.date
    id_number: str = ""
    region_code: str = ""
    amount: Decimal | None = None
    detail: str = ""


@dataclass(frozen=True)
class ItemResult:
    index: int
    external_id: str
    result: str  # matched, unmatched, duplicate, invalid
    signal_id: int | None = None
    errors: dict | None = None


def _matched_person(item: SignalItem, today: datetime.date) -> tuple[dict, Member | None]:
    checked = id_numbers.check_id_number(item.id_number, today=today)
    hashed = id_numbers.lookup_hash(checked.number)
    member = Member.objects.select_related("household").filter(id_number_hash=hashed).first()
    fields = {"id_number_hash": hashed, "id_number_masked": checked.masked}
    return fields, member


def _receive_one(actor, item: SignalItem, today: datetime.date, area_scans: dict) -> Signal | str:
    if Signal.objects.filter(source=item.source, external_id=item.external_id).exists():
        return "duplicate"
    if item.occurred_on > today:
        raise ValidationError({"occurred_on": _("A signal cannot be dated in the future.")})
    if item.kind in AREA_KINDS:
        if not item.region_code:
            raise ValidationError({"region_code": _("An area signal needs a region code.")})
        region = Region.objects.filter(code=item.region_code).first()
        if region is None:
            raise ValidationError({"region_code": _("No such region.")})
        signal = Signal(region=region, status=Signal.Status.MATCHED)
        area_scans[prefix_of(region.code)] = region
    else:
        if not item.id_number:
            raise ValidationError({"id_number": _("A signal about a person needs an ID number.")})
        try:
            fields, member = _matched_person(item, today)
        except ValidationError as error:
            raise ValidationError({"id_number": error.messages}) from None
        signal = Signal(**fields)
        if member is None:
            signal.status = Signal.Status.UNMATCHED
        else:
            signal.status = Signal.Status.MATCHED
            signal.member, signal.household = member, member.household
    signal.source, signal.external_id, signal.kind = item.source, item.external_id, item.kind
    signal.occurred_on, signal.amount, signal.detail = item.occurred_on, item.amount, item.detail
    signal.received_by = actor
    signal.full_clean(exclude=["member", "household", "region", "received_by"])
    try:
        with transaction.atomic():
            signal.save()
    except IntegrityError:
        return "duplicate"  # sent twice at once: the other request stored it
    if signal.household_id:
        request_evaluation(signal.household_id)
    return signal


def signals_receive(*, actor, items: list[SignalItem]) -> list[ItemResult]:
    """Store a batch item by item; one bad item never spoils the others."""
    if not actor.has_perm("monitoring.add_signal"):
        raise PermissionDenied(_("Your role may not do this."))
    if len(items) > MAX_BATCH:
        raise ValidationError(
            {"items": _("At most %(max)d signals in one batch.") % {"max": MAX_BATCH}}
        )
    today = timezone.localdate()
    results, area_scans = [], {}
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                with transaction.atomic():
                    outcome = _receive_one(actor, item, today, area_scans)
            except ValidationError as error:
                results.append(
                    ItemResult(index, item.external_id, "invalid", errors=error.message_dict)
                )
                continue
            if outcome == "duplicate":
                results.append(ItemResult(index, item.external_id, "duplicate"))
            else:
                results.append(
                    ItemResult(index, item.external_id, outcome.status, signal_id=outcome.pk)
                )
        for prefix, region in area_scans.items():
            _area_signal_effects(prefix, region, actor)
    return results


def _area_signal_effects(prefix: str, region: Region, actor) -> None:
    """Judge every household of the area again, and tell its townships when many are hit."""
    from monitoring.scans import scan_start

    affected = Household.objects.filter(village__code__startswith=prefix).count()
    if affected:
        scan_start(trigger=ScanRun.Trigger.SIGNAL, scope=prefix, actor=actor)
    if affected >= AREA_NOTICE_THRESHOLD:
        township_prefixes = {
            code[:9]
            for code in Household.objects.filter(village__code__startswith=prefix)
            .values_list("village_id", flat=True)
            .distinct()
        }
        cadres = [
            user
            for user in User.objects.filter(
                role=Role.TOWNSHIP_CADRE, is_active=True
            ).select_related("region")
            if user.region_id
            and any(
                t.startswith(user.scope_prefix) or user.scope_prefix.startswith(t)
                for t in township_prefixes
            )
        ]
        Notification.objects.bulk_create(
            Notification(
                user=cadre,
                text=_("Area-wide department signal for %(region)s: %(count)d households affected.")
                % {"region": region.short_name, "count": affected},
                link=reverse("alert-queue"),
            )
            for cadre in cadres
        )


def signal_resolve(*, actor, signal: Signal) -> Signal:
    if not actor.has_perm("monitoring.change_signal"):
        raise PermissionDenied(_("Your role may not do this."))
    with transaction.atomic():
        locked = Signal.objects.select_for_update().get(pk=signal.pk)
        locked.status = Signal.Status.RESOLVED
        locked.save(update_fields=["status"])
        if locked.household_id:
            request_evaluation(locked.household_id)
    return locked
