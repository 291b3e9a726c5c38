"""Area events (规模性返贫 risk): an area hit at once, screened household by household.

An area signal (a disaster, a drop in migrant work, a price collapse of a local product), or a
cadre by hand, opens an event on the area: every household of the area gets a screening task,
ranked by vulnerability (monitoring/area_ranking.py), and the township's cadres are told. The
ranked list is built by a worker after the event is opened (`area_event_list`): an area may be a
county of a hundred thousand households, which no request may rank in its time. A
village worker screens each household: affected (the household then carries the area's high
reason) or not affected. Until the event is closed, the households not found affected carry a
low "in an affected area" note, which opens no warning (monitoring/engine/rules.py).

One active event per area and kind (a partial unique constraint): a second signal of the same
kind on the same area joins the active event, and adds tasks only for households that have none.
"""

import contextlib
import datetime
import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import users_overlapping
from core import queueing
from core.arrays import any_id
from core.errors import EditConflict
from core.regions import prefix_of
from households.evaluation_requests import request_evaluation, request_evaluations
from households.models import LABOUR_ABLE, Household, Member, Region
from households.selectors import households_visible_to, region_within, under_region
from monitoring import area_ranking
from monitoring.engine.rules import SHOCK_KINDS
from monitoring.models import (
    AREA_KINDS,
    AreaEvent,
    AreaEventStatus,
    ScreeningStatus,
    ScreeningTask,
    Signal,
    SignalKind,
    VisitEvent,
)
from monitoring.selectors import households_with_task
from monitoring.services.notifications import notify

logger = logging.getLogger(__name__)

NOTE_MAX = 500
ELDERLY_AGE = 60
SHOCK_DAYS = 90
# A listing asked for this long ago and not made is the sweep's: its task was lost, not just
# queued.
LISTING_SWEEP_AFTER = datetime.timedelta(minutes=1)
# The facts of an area's households are read this many at a time: a statement's list of ids,
# and what one statement holds, stay bounded however large the area.
FACTS_CHUNK = 5000
# Screening tasks made and written this many at a time, each batch in a transaction of its own.
TASK_BATCH = 1000
# The sweep of pending evaluations queued after the first batch and every this many after (it
# queues itself again while it finds a full batch), and once more when the list is done.
SWEEP_EVERY_BATCHES = 10
# How long a listing's lease on its event lasts unless a batch renews it: longer than a county's
# ranking (about 3 minutes for 1,000,000 households, docs/scaling.md), after which the lease of a
# listing whose worker died is taken by the next.
LISTING_LEASE = datetime.timedelta(minutes=10)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def vulnerabilities(
    household_ids: list[int], *, today: datetime.date
) -> list[area_ranking.Vulnerability]:
    """The ranking's facts for many households, in three queries whatever their number. The ids
    travel as one array (core.arrays): a county's list sends a million of them, and Django
    prepares the values of an `__in` one by one (a fifth of a township's listing in Python)."""
    households = Household.objects.filter(any_id("id", household_ids)).values_list(
        "id", "risk_level", "risk_reasons"
    )
    elderly_born_before = _years_before(today, ELDERLY_AGE)
    members: dict[int, dict[str, int]] = {
        row["household_id"]: {
            "active": row["active"],
            "with_labour": row["with_labour"],
            "elderly_or_ill": row["elderly_or_ill"],
        }
        for row in Member.objects.filter(
            any_id("household_id", household_ids), status=Member.Status.ACTIVE
        )
        .values("household_id")
        .annotate(
            active=Count("id"),
            with_labour=Count("id", filter=Q(labour__in=LABOUR_ABLE)),
            elderly_or_ill=Count(
                "id",
                filter=Q(birth_date__lte=elderly_born_before)
                | Q(health__in=[Member.Health.CHRONIC, Member.Health.SERIOUS]),
            ),
        )
    }
    shocks = dict(
        VisitEvent.objects.filter(
            any_id("visit__household_id", household_ids),
            kind__in=SHOCK_KINDS,
            occurred_on__gte=today - datetime.timedelta(days=SHOCK_DAYS),
        )
        .values("visit__household_id")
        .annotate(n=Count("id"))
        .values_list("visit__household_id", "n")
    )
    facts = []
    for household_id, risk_level, risk_reasons in households:
        counts = members.get(household_id, {})
        facts.append(
            area_ranking.Vulnerability(
                household_id=household_id,
                risk_level=risk_level,
                reason_codes=frozenset(reason["code"] for reason in risk_reasons or ()),
                active_members=counts.get("active", 0),
                members_with_labour=counts.get("with_labour", 0),
                elderly_or_ill=counts.get("elderly_or_ill", 0),
                recent_shocks=shocks.get(household_id, 0),
            )
        )
    return facts


def _ranked_tasks(event: AreaEvent, today: datetime.date, lease: "_Lease") -> area_ranking.Ranking:
    """The households of the area without a task in this event, ranked. Reads only, a page of
    households and their facts at a time, each in statements of their own: nothing is held
    while a county is ranked but the lease, renewed after each page, and the county's ids are
    never all in memory at once."""
    area = under_region(Household.objects.all(), prefix_of(event.region_id)).exclude(
        Exists(ScreeningTask.objects.filter(event=event, household_id=OuterRef("pk")))
    )
    ranking = area_ranking.Ranking()
    after = 0
    while page := list(
        area.filter(pk__gt=after).order_by("pk").values_list("id", flat=True)[:FACTS_CHUNK]
    ):
        ranking.add(vulnerabilities(page, today=today))
        lease.renew()
        after = page[-1]
    return ranking


def _batch_listed(
    lease: "_Lease", batch: list[area_ranking.Ranked], *, area: str, after: int, sweep: bool
) -> int | None:
    """One batch of the ranked households: marked for evaluation and given their tasks, ranked
    on from `after`, in one short transaction; how many tasks it added, or None, writing
    nothing, once the event is closed. With `sweep`, the sweep of pending evaluations is queued
    (every few batches: a task each household, or a sweep each batch, would flood the queues).

    The households first and then the event, the order a signal batch locks them in (its
    people's households, then the events it joins), so that the two cannot deadlock; each
    household's row is held for this batch only, not while a county is written. The lease is
    checked under the event's lock: a listing whose lease ran out and was taken by another
    writes nothing more (LeaseLost), so the ranks go on from where the holder's last batch left
    them. A household of the batch that has a task all the same is skipped rather than failing
    the batch on the unique constraint, and one moved out of the area since it was ranked is
    left out; the ranks of the batch's tasks stay consecutive."""
    with transaction.atomic():
        # Locked first, by id, the order every scan and claim locks households in (an UPDATE
        # locks them in whatever order its plan reads them), and only those still in the area:
        # one moved out since the ranking gets no task here.
        in_area = under_region(
            Household.objects.filter(any_id("id", [r.household_id for r in batch])), area
        )
        ids = list(
            in_area.select_for_update(no_key=True).order_by("id").values_list("id", flat=True)
        )
        # The households now carry the area's low note; the affected their reason later.
        request_evaluations(ids, queue=False)
        event = AreaEvent.objects.select_for_update(no_key=True).get(pk=lease.event_id)
        if event.listing_since != lease.since:
            raise LeaseLost  # the batch's marks roll back with it
        if event.status != AreaEventStatus.ACTIVE:
            transaction.set_rollback(True)
            return None
        kept = set(ids) - households_with_task(event.pk, ids)
        fresh = [row for row in batch if row.household_id in kept]
        ScreeningTask.objects.bulk_create(
            ScreeningTask(
                event_id=event.pk,  # by id: the instance's descriptor costs a county seconds
                household_id=row.household_id,
                rank=after + position,
                score=row.score,
                reasons=row.reasons,
            )
            for position, row in enumerate(fresh, start=1)
        )
        lease.renew()  # a county's list takes minutes, and it is still being made
        if sweep:
            queueing.enqueue_after_commit(queueing.EVALUATE_PENDING, [], "celery")
    return len(fresh)


def _tell_townships(event: AreaEvent, count: int) -> None:
    """The cadres of the townships the event's households live in."""
    villages = (
        ScreeningTask.objects.filter(event=event)
        .values_list("household__village_id", flat=True)
        .distinct()
    )
    townships = {code[:9] for code in villages}
    if not townships:
        return
    cadres = users_overlapping(townships).filter(role=Role.TOWNSHIP_CADRE, is_active=True)
    with translation.override("en"):
        kind = str(SignalKind(event.kind).label)
    notify(
        cadres,
        key="area_event",
        arguments={"region": event.region.short_name, "kind": kind, "count": count},
        link=reverse("area-event-detail", args=[event.pk]),
    )


def _open_or_join(
    *,
    region: Region,
    kind: str,
    occurred_on: datetime.date,
    actor: User,
    signal: Signal | None,
    note: str = "",
    queue_listing: bool = True,
) -> tuple[AreaEvent, bool]:
    """The area's active event of this kind, joined (locked), or a new one; either way its list
    is asked for (made by a worker after commit, `area_event_list`, queued here unless the
    caller queues it once for many signals)."""
    now = timezone.now()
    existing = (
        AreaEvent.objects.select_for_update()
        .filter(region=region, kind=kind, status=AreaEventStatus.ACTIVE)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                event = AreaEvent.objects.create(
                    region=region,
                    kind=kind,
                    signal=signal,
                    signal_count=1 if signal else 0,
                    occurred_on=occurred_on,
                    note=note,
                    opened_by=actor,
                    listing_requested_at=now,
                )
            if queue_listing:
                _queue_listing([event.pk])
            return event, True
        except IntegrityError:
            # Opened by another request meanwhile (the partial unique constraint waited for it).
            existing = AreaEvent.objects.select_for_update().get(
                region=region, kind=kind, status=AreaEventStatus.ACTIVE
            )
    existing.occurred_on = max(existing.occurred_on, occurred_on)
    existing.signal_count += 1 if signal else 0
    # A household registered in the area since the list was built is added to it.
    existing.listing_requested_at = now
    existing.version += 1
    existing.save(update_fields=["occurred_on", "signal_count", "listing_requested_at", "version"])
    if queue_listing:
        _queue_listing([existing.pk])
    return existing, False


def _queue_listing(event_ids: list[int]) -> None:
    # Lost with a broker that is down, and then found by the sweep (area_events_list_pending).
    for event_id in event_ids:
        queueing.enqueue_after_commit(queueing.AREA_EVENT_LIST, [event_id], "celery")


def area_event_list(event_id: int) -> int | None:
    """Build the event's screening list, as asked by its opening or by a signal joining it;
    answers how many tasks were added, or None when another listing of the event is running
    (a request it has not seen is left for the sweep). The townships' cadres are told once,
    when the first list is made.

    One listing of an event at a time: it holds the event's lease (`listing_since`: taken in a
    statement of its own, renewed as it ranks and by each batch, given back at the end), not a
    lock, which a signal joining the event would wait on, and not across transactions, which
    PgBouncer's transaction pooling would not keep. The ranking only reads; the tasks are
    written TASK_BATCH households a transaction (`_batch_listed`), so no household of the area
    waits for the whole list to be written (a visit being recorded waits for one batch at most).
    A close during the listing stops it at the next batch; a listing that stops half-way (its
    worker killed) leaves its batches, and the next, once the lease has run out, lists the
    rest. A request made while this listing ran (a newer `listing_requested_at`) is left for
    its own listing.
    """
    lease = _Lease.taken(event_id)
    if lease is None:
        return None if AreaEvent.objects.filter(pk=event_id).exists() else 0
    try:
        event = AreaEvent.objects.select_related("region").get(pk=event_id)
        if event.listing_requested_at is None:
            return 0  # made by the listing that held the lease before us
        requested = event.listing_requested_at
        active = event.status == AreaEventStatus.ACTIVE
        ranked = (
            _ranked_tasks(event, timezone.localdate(), lease) if active else area_ranking.Ranking()
        )
        # Read once: only the lease's holder writes tasks, and it checks that it holds it.
        last = ScreeningTask.objects.filter(event=event).aggregate(last=Max("rank"))["last"] or 0
        added = 0
        for number, batch in enumerate(ranked.batches(TASK_BATCH)):
            listed = _batch_listed(
                lease,
                batch,
                area=prefix_of(event.region_id),
                after=last + added,
                sweep=number % SWEEP_EVERY_BATCHES == 0,
            )
            if listed is None:
                break
            added += listed
        with transaction.atomic():
            locked = AreaEvent.objects.select_for_update(no_key=True).get(pk=event_id)
            if locked.listing_since != lease.since:
                raise LeaseLost
            first = locked.status == AreaEventStatus.ACTIVE and locked.listed_at is None
            locked.listed_at = locked.listed_at or timezone.now()
            if locked.listing_requested_at == requested:
                locked.listing_requested_at = None
            locked.listing_since = None
            locked.save(update_fields=["listed_at", "listing_requested_at", "listing_since"])
            if added:
                queueing.enqueue_after_commit(queueing.EVALUATE_PENDING, [], "celery")
            if first:
                # Every task of the list, those a listing that stopped half-way wrote included.
                _tell_townships(locked, ScreeningTask.objects.filter(event=locked).count())
        return added
    except LeaseLost:
        logger.warning("area event %s: its listing's lease ran out and another took it", event_id)
        return None
    finally:
        # Given back for the next listing to start at once rather than when it runs out (a no-op
        # once the last transaction gave it back, or once another holds it). A broken connection
        # leaves it to run out.
        with contextlib.suppress(DatabaseError):
            lease.give_back()


class LeaseLost(Exception):
    """The listing's lease ran out and another listing took it: this one writes nothing more."""


# The lease in the database's clock (the listing's workers and the database may disagree on the
# time; the database's is the one every listing reads).
LEASE_TAKE_SQL = """
UPDATE monitoring_areaevent SET listing_since = clock_timestamp()
WHERE id = %s
  AND (listing_since IS NULL OR listing_since < clock_timestamp() - make_interval(secs => %s))
RETURNING listing_since
"""
LEASE_RENEW_SQL = """
UPDATE monitoring_areaevent SET listing_since = clock_timestamp()
WHERE id = %s AND listing_since = %s
RETURNING listing_since
"""


@dataclass
class _Lease:
    """An event's listing lease as one listing holds it: the time it was last taken or renewed,
    which is also how the listing knows the lease is still its own."""

    event_id: int
    since: datetime.datetime

    @classmethod
    def taken(cls, event_id: int) -> "_Lease | None":
        """Taken when nobody holds it or its holder's has run out; None otherwise."""
        with connection.cursor() as cursor:
            cursor.execute(LEASE_TAKE_SQL, [event_id, LISTING_LEASE.total_seconds()])
            row = cursor.fetchone()
        return None if row is None else cls(event_id, row[0])

    def renew(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(LEASE_RENEW_SQL, [self.event_id, self.since])
            row = cursor.fetchone()
        if row is None:
            raise LeaseLost
        self.since = row[0]

    def give_back(self) -> None:
        AreaEvent.objects.filter(pk=self.event_id, listing_since=self.since).update(
            listing_since=None
        )


def area_events_list_pending(*, older_than: datetime.timedelta = LISTING_SWEEP_AFTER) -> int:
    """The sweep: the events whose list was asked for more than `older_than` ago and not made
    (the task lost with the broker, or its worker stopped), listed; answers how many."""
    pending = list(
        AreaEvent.objects.filter(listing_requested_at__lt=timezone.now() - older_than)
        .order_by("listing_requested_at")
        .values_list("pk", flat=True)
    )
    listed = 0
    for event_id in pending:
        try:
            listed += area_event_list(event_id) is not None
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: the next sweep goes on, not this one after the limit
        except Exception:  # noqa: BLE001 - one event that cannot be listed must not stop the rest
            logger.exception("area event %s: its screening list could not be made", event_id)
    return listed


def area_events_from_signals(*, signals: list[Signal], actor: User) -> list[AreaEvent]:
    """Each area signal opens an event on its area, or joins the active one of its kind.

    Called in the signal batch's transaction (services/signals.py) for signals already matched
    to areas in the sender's region, in (area, kind) order so that two batches lock the events
    in one order. The batch answers at once; a worker ranks each event's households after it
    commits, one task per event however many of its signals the batch holds."""
    events: dict[int, AreaEvent] = {}
    for signal in signals:
        assert signal.region is not None and signal.kind in AREA_KINDS
        event, _created = _open_or_join(
            region=signal.region,
            kind=signal.kind,
            occurred_on=signal.occurred_on,
            actor=actor,
            signal=signal,
            queue_listing=False,
        )
        events[event.pk] = event
    _queue_listing(sorted(events))
    return list(events.values())


def area_event_open(
    *, actor: User, region_code: str, kind: str, occurred_on: datetime.date, note: str = ""
) -> AreaEvent:
    """A township cadre or a county officer opens an event by hand, on an area of their region;
    its households are ranked by a worker (`area_event_list`)."""
    if not actor.has_perm("monitoring.add_areaevent"):
        raise PermissionDenied(_("Your role may not do this."))
    errors: dict[str, str] = {}
    if kind not in AREA_KINDS:
        errors["kind"] = _("Choose a kind of area event.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("An area event cannot be dated in the future.")
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(max)d characters.") % {"max": NOTE_MAX}
    region = region_within(user=actor, code=region_code.strip())
    if region is None:
        errors["region_code"] = _("This area lies outside the region your account serves.")
    if errors:
        raise ValidationError(errors)
    assert region is not None
    with transaction.atomic():
        event, created = _open_or_join(
            region=region, kind=kind, occurred_on=occurred_on, actor=actor, signal=None, note=note
        )
        if not created:
            raise ValidationError(
                {"kind": _("This area already has an active event of this kind.")}
            )
    return event


def screening_record(
    *, actor: User, task: ScreeningTask, status: str, version: int, note: str = ""
) -> ScreeningTask:
    """A village worker (or a cadre above) says whether the household is affected."""
    if not actor.has_perm("monitoring.change_screeningtask"):
        raise PermissionDenied(_("Your role may not do this."))
    if not households_visible_to(actor).filter(pk=task.household_id).exists():
        raise PermissionDenied(_("Your role may not do this."))
    note = note.strip()
    if status not in (ScreeningStatus.AFFECTED, ScreeningStatus.NOT_AFFECTED):
        raise ValidationError({"status": _("Say whether the household is affected.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(max)d characters.") % {"max": NOTE_MAX}})
    with transaction.atomic():
        locked = ScreeningTask.objects.select_for_update().select_related("event").get(pk=task.pk)
        if locked.event.status != AreaEventStatus.ACTIVE:
            raise ValidationError(_("This area event is closed."))
        if locked.version != version:
            raise EditConflict()
        locked.status, locked.note = status, note
        locked.screened_by, locked.screened_at = actor, timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "note", "screened_by", "screened_at", "version"])
        request_evaluation(locked.household_id)
    return locked


def area_event_close(*, actor: User, event: AreaEvent, version: int, note: str) -> AreaEvent:
    """A township cadre or a county officer closes the event: the notes go, the affected keep
    their reason for the signal window."""
    if not actor.has_perm("monitoring.change_areaevent"):
        raise PermissionDenied(_("Your role may not do this."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say how the screening ended.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(max)d characters.") % {"max": NOTE_MAX}})
    # A township reads a county-wide event (its own households' part), but closing it ends the
    # screening everywhere: only someone whose region holds the whole area may.
    if region_within(user=actor, code=event.region_id) is None:
        raise PermissionDenied(_("This area event covers more than your region."))
    with transaction.atomic():
        locked = AreaEvent.objects.select_for_update().get(pk=event.pk)
        if locked.status != AreaEventStatus.ACTIVE:
            raise ValidationError(_("This area event is closed."))
        if locked.version != version:
            raise EditConflict()
        locked.status = AreaEventStatus.CLOSED
        locked.closed_at, locked.closed_by, locked.closure_note = timezone.now(), actor, note
        locked.version += 1
        locked.save(update_fields=["status", "closed_at", "closed_by", "closure_note", "version"])
        households = list(
            ScreeningTask.objects.filter(event=locked).values_list("household_id", flat=True)
        )
        request_evaluations(households, sweep_past=500)
    return locked
