"""Department signals: batches from other government systems, matched to people or areas."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import id_numbers
from households.evaluation_requests import request_evaluation, request_evaluations
from households.models import Household, Member, Region
from households.selectors import (
    households_visible_to,
    members_visible_to,
    regions_visible_to,
)
from households.services import member_create
from monitoring.models import AREA_KINDS, Signal
from monitoring.services.area_events import area_events_from_signals

MAX_BATCH = 1000


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
    result: str  # received (a person), matched or unmatched (an area), duplicate, invalid
    signal_id: int | None = None
    errors: dict | None = None


def _already_received(items: list[SignalItem]) -> set[tuple[str, str]]:
    """The (source, external id) pairs of the batch stored before, in one statement."""
    by_source: dict[str, set[str]] = {}
    for item in items:
        by_source.setdefault(item.source, set()).add(item.external_id)
    wanted = Q()
    for source, external_ids in by_source.items():
        wanted |= Q(source=source, external_id__in=external_ids)
    return set(Signal.objects.filter(wanted).values_list("source", "external_id"))


def _checked_numbers(
    items: list[SignalItem], today: datetime.date
) -> dict[str, id_numbers.IdNumber | ValidationError]:
    """Each person item's ID number checked (an IdNumber) or its error (a ValidationError)."""
    checked: dict[str, id_numbers.IdNumber | ValidationError] = {}
    for item in items:
        if item.kind in AREA_KINDS or not item.id_number or item.id_number in checked:
            continue
        try:
            checked[item.id_number] = id_numbers.check_id_number(item.id_number, today=today)
        except ValidationError as error:
            checked[item.id_number] = error
    return checked


def _signal_for(
    actor: User,
    item: SignalItem,
    today: datetime.date,
    regions: dict,
    known_codes: set,
    checked: dict,
    members: dict,
) -> Signal:
    """The signal an item makes, or the ValidationError that says why it makes none.

    `regions` and `members` hold only what the sender's region covers: a sender acts on its own
    region and nowhere else.
    """
    if item.occurred_on > today:
        raise ValidationError({"occurred_on": _("A signal cannot be dated in the future.")})
    if item.amount is not None and item.amount < 0:
        raise ValidationError({"amount": _("An amount cannot be negative.")})
    if item.kind in AREA_KINDS:
        if not item.region_code:
            raise ValidationError({"region_code": _("An area signal needs a region code.")})
        region = regions.get(item.region_code)
        if region is None and item.region_code in known_codes:
            # Region codes are the public statistical division codes: saying that this one lies
            # outside the sender's region tells nothing that is not public, and tells its
            # operators what to fix.
            raise ValidationError(
                {"region_code": _("This area lies outside the region your account serves.")}
            )
        if region is None:
            raise ValidationError({"region_code": _("No such region.")})
        signal = Signal(region=region, status=Signal.Status.MATCHED)
    else:
        if not item.id_number:
            raise ValidationError({"id_number": _("A signal about a person needs an ID number.")})
        number = checked[item.id_number]
        if isinstance(number, ValidationError):
            raise ValidationError({"id_number": number.messages})
        hashed = id_numbers.lookup_hash(number.number)
        signal = Signal(id_number_hash=hashed, id_number_masked=number.masked)
        # A person registered outside the sender's region is not in `members`: the signal is
        # answered and stored exactly as for a number nobody registered (an unmatched signal,
        # reviewed in the sender's region), so that the answer is no oracle for another
        # region's registry and nothing reaches a household the sender cannot see.
        member = members.get(hashed)
        if member is None:
            signal.status = Signal.Status.UNMATCHED
        else:
            signal.status = Signal.Status.MATCHED
            signal.member, signal.household = member, member.household
    signal.source, signal.external_id, signal.kind = item.source, item.external_id, item.kind
    signal.occurred_on, signal.amount, signal.detail = item.occurred_on, item.amount, item.detail
    signal.received_by = actor
    # Field checks only: uniqueness is the INSERT's business (ON CONFLICT below), not a
    # query per item.
    signal.full_clean(
        exclude=["member", "household", "region", "received_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return signal


def _insert_new(signals: list[Signal]) -> dict[tuple[str, str], int]:
    """Insert the signals in one statement; answer the pairs it stored, with their ids.

    ON CONFLICT DO NOTHING on the (source, external_id) key: a pair another request is storing
    at the same moment makes this statement wait for that request's outcome, and is then
    left out of the answer (a duplicate) or inserted (if the other rolled back). The rows go
    in key order, so that two batches sharing pairs take their locks in the same order and
    cannot deadlock.
    """
    fields = [field for field in Signal._meta.concrete_fields if not field.primary_key]
    ordered = sorted(signals, key=lambda signal: (signal.source, signal.external_id))
    # One array per column rather than a placeholder per value: 14,000 placeholders cost the
    # driver most of a second to parse, 14 arrays nothing.
    columns = [
        [field.get_db_prep_save(field.pre_save(signal, add=True), connection) for signal in ordered]
        for field in fields
    ]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    # Every concrete field has a column; `if field.column` drops none, it narrows the type.
    sql = (
        f"INSERT INTO {quote(Signal._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields if field.column)}) "
        f"SELECT * FROM unnest({arrays}) "
        "ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        return {(source, external_id): pk for pk, source, external_id in cursor.fetchall()}


def _answer(signal: Signal) -> str:
    """What the sender is told of a stored signal.

    A person signal is answered `received` whether or not its number is registered in the
    sender's region: a sender who also reads masked members (area code, last 4) and their ages
    could otherwise try the ~33 numbers they leave in one batch and learn the full number from
    the one answered `matched`. Its match is for the region's reviewers. An area's code is
    public, so an area signal says whether it was matched.
    """
    return "received" if signal.kind not in AREA_KINDS else signal.status


def signals_receive(*, actor: User, items: list[SignalItem]) -> list[ItemResult]:
    """Store a batch; each item is answered on its own and one bad item never spoils the others.

    Set-based, so that a batch of 1,000 costs a handful of statements rather than eight per
    item: one for the pairs already received, two for the regions of the area items (those in
    the sender's region, and which codes exist at all), one for the members behind all the ID
    numbers, one INSERT, one to mark the matched households for evaluation. All in one
    transaction: a request that fails leaves nothing behind.

    Matching goes through the sender's scope (the selectors its user reads with): a person or
    an area outside the sender's region is never matched, scanned or notified.
    """
    if not actor.has_perm("monitoring.add_signal"):
        raise PermissionDenied(_("Your role may not do this."))
    return signals_store(actor=actor, items=items)


def signals_store(*, actor: User, items: list[SignalItem]) -> list[ItemResult]:
    """signals_receive without its permission check, for the services that raise a department's
    signal on its behalf after checking their own (a line of civil affairs' roster, reconciled
    by a township: assistance/services/civil_affairs_roster.py). Matching stays in `actor`'s
    scope."""
    if len(items) > MAX_BATCH:
        raise ValidationError(
            {"items": _("At most %(max)d signals in one batch.") % {"max": MAX_BATCH}}
        )
    today = timezone.localdate()
    checked = _checked_numbers(items, today)
    hashes = {
        id_numbers.lookup_hash(number.number)
        for number in checked.values()
        if not isinstance(number, ValidationError)
    }
    area_codes = {item.region_code for item in items if item.kind in AREA_KINDS}
    results: dict[int, ItemResult] = {}
    with transaction.atomic():
        received = _already_received(items) if items else set()
        codes = [code for code in area_codes if code]
        regions = regions_visible_to(actor).in_bulk(codes)
        known_codes = (
            set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
            if len(regions) < len(codes)
            else set(regions)
        )
        members = {
            member.id_number_hash: member
            # A person's one active membership: rows of a move or a death are their history.
            for member in members_visible_to(actor)
            .select_related("household")
            .filter(id_number_hash__in=hashes, status=Member.Status.ACTIVE)
        }
        pending: list[tuple[int, Signal]] = []
        for index, item in enumerate(items):
            pair = (item.source, item.external_id)
            if pair in received:  # stored before, or by an earlier item of this batch
                results[index] = ItemResult(index, item.external_id, "duplicate")
                continue
            try:
                signal = _signal_for(actor, item, today, regions, known_codes, checked, members)
            except ValidationError as error:
                results[index] = ItemResult(
                    index, item.external_id, "invalid", errors=error.message_dict
                )
                continue
            received.add(pair)
            pending.append((index, signal))
        stored = _insert_new([signal for _index, signal in pending]) if pending else {}
        area_signals, households = [], set()
        for index, signal in pending:
            signal.pk = stored.get((signal.source, signal.external_id))
            if signal.pk is None:  # sent twice at once: the other request stored it
                results[index] = ItemResult(index, signal.external_id, "duplicate")
                continue
            results[index] = ItemResult(index, signal.external_id, _answer(signal), signal.pk)
            if signal.region is not None:
                area_signals.append(signal)
            if signal.household_id:
                households.add(signal.household_id)
        if households:
            request_evaluations(sorted(households))
        # An area signal opens an area event (or joins the active one): its households are
        # ranked and screened one by one, rather than all judged high at once
        # (services/area_events.py). In (region, kind) order, so that two batches lock the
        # areas' events in one order.
        if area_signals:
            area_events_from_signals(
                signals=sorted(area_signals, key=lambda s: (s.region_id or "", s.kind, s.pk or 0)),
                actor=actor,
            )
    return [results[index] for index in range(len(items))]


class DeskAction:
    """What a reviewer does with a signal waiting for review (the signal desk)."""

    LINK = "link"  # it is about a household (and maybe a member) already registered here
    REGISTER = "register"  # it is about a person not registered yet: register them, then link
    DISMISS = "dismiss"  # it concerns nobody here: closed with a reason its sender reads back

    choices = (LINK, REGISTER, DISMISS)


def signal_resolve(
    *,
    actor: User,
    signal: Signal,
    action: str = "",
    household_number: str = "",
    reason: str = "",
    resolution: str = "",
    member: dict | None = None,
) -> Signal:
    """A reviewer settles a signal waiting for review (the signal desk).

    - link: the signal is matched by hand to a household of the reviewer's scope (and to its
      member holding the signal's number, if one does), and the household is judged again;
    - register: the person is registered in that household (`member` holds the member's
      fields, the ID number among them, which must be the one the department sent), then linked;
    - dismiss: the signal is closed with a reason from `Signal.DismissReason` (what its sender
      reads back) and `resolution`, the reviewer's note, which stays in the region.

    Without an action (the API before the desk had three), a household number links and a note
    alone dismisses for "other reason".
    """
    if not actor.has_perm("monitoring.change_signal"):
        raise PermissionDenied(_("Your role may not do this."))
    household_number, resolution = household_number.strip(), resolution.strip()
    if not action:
        action = DeskAction.LINK if household_number else DeskAction.DISMISS
        reason = reason or (Signal.DismissReason.OTHER if resolution else "")
    if action not in DeskAction.choices:
        raise ValidationError({"action": _("Choose what to do with this signal.")})
    if action == DeskAction.DISMISS:
        if not reason:
            raise ValidationError(
                {
                    "resolution": _(
                        "Name the household this signal is about, or say why it is closed."
                    )
                }
            )
        if reason not in Signal.DismissReason.values:
            raise ValidationError({"reason": _("Choose a reason from the list.")})
        if reason == Signal.DismissReason.OTHER and not resolution:
            raise ValidationError({"resolution": _("Say why the signal is closed.")})
        return _settle(actor, signal, status=Signal.Status.RESOLVED, reason=reason, note=resolution)
    household = _household_of_desk(actor, household_number)
    if action == DeskAction.REGISTER:
        return _register_and_link(actor, signal, household, member or {}, resolution)
    holder = (
        members_visible_to(actor)
        .filter(
            household=household, id_number_hash=signal.id_number_hash, status=Member.Status.ACTIVE
        )
        .first()
        if signal.id_number_hash
        else None
    )
    return _settle(
        actor,
        signal,
        status=Signal.Status.MATCHED,
        household=household,
        member=holder,
        note=resolution,
    )


def _household_of_desk(actor: User, household_number: str) -> Household:
    if not household_number:
        raise ValidationError({"household_number": _("Name the household this signal is about.")})
    # The reviewer's own scope: a household outside it reads as one that does not exist.
    household = households_visible_to(actor).filter(number=household_number).first()
    if household is None:
        raise ValidationError({"household_number": _("No such household in your region.")})
    return household


def _register_and_link(
    actor: User, signal: Signal, household: Household, fields: dict, note: str
) -> Signal:
    """Register the person the signal is about in `household`, then link the signal to them.

    The number typed must be the one the department sent (the same keyed hash): the desk
    registers the signal's person, not whoever the reviewer has at hand. One transaction: a
    signal settled by someone else meanwhile leaves no member behind.
    """
    fields = dict(fields)
    typed = str(fields.pop("id_number", "") or "")
    checked = _id_number_checked(typed)
    if not signal.id_number_hash or id_numbers.lookup_hash(checked.number) != (
        signal.id_number_hash
    ):
        raise ValidationError(
            {"id_number": _("This is not the ID number the department sent with the signal.")}
        )
    name = str(fields.pop("name", "") or "").strip()
    relation = str(fields.pop("relation", "") or "")
    with transaction.atomic():
        _waiting(signal)  # refused before anyone is registered
        registered = member_create(
            actor=actor,
            household_id=household.pk,
            name=name,
            id_number=checked.number,
            relation=relation,
            **fields,
        )
        return _settle(
            actor,
            signal,
            status=Signal.Status.MATCHED,
            household=household,
            member=registered,
            note=note,
        )


def _id_number_checked(raw: str) -> id_numbers.IdNumber:
    try:
        return id_numbers.check_id_number(raw, today=timezone.localdate())
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None


def _waiting(signal: Signal) -> Signal:
    """The signal locked, if it still waits for review."""
    locked = Signal.objects.select_for_update().get(pk=signal.pk)
    if locked.status != Signal.Status.UNMATCHED:
        raise ValidationError(_("Only a signal waiting for review can be resolved."))
    return locked


def _settle(
    actor: User,
    signal: Signal,
    *,
    status: str,
    note: str,
    reason: str = "",
    household: Household | None = None,
    member: Member | None = None,
) -> Signal:
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _waiting(signal)
        locked.status, locked.resolution, locked.dismiss_reason = status, note, reason
        locked.household, locked.member = household, member
        locked.reviewed_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "resolution",
                "dismiss_reason",
                "household",
                "member",
                "reviewed_at",
            ]
        )
        if household is not None:
            request_evaluation(household.pk)
    return locked
