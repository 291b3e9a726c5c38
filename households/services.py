"""Writes to the registry. Pages and the API both call these; each checks scope and permission."""

import datetime
from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import id_numbers
from core.errors import EditConflict, IdLookupLimitReached
from households import registry_rules, selectors
from households.evaluation_requests import request_evaluation
from households.models import (
    LABOUR_ABLE,
    Household,
    IdNumberLookup,
    LifeEvent,
    Member,
    Region,
    SensitiveAccess,
)

HOUSEHOLD_EDITABLE = (
    "village",
    "address",
    "phone",
    "bank_account",
    "poverty_status",
    "poverty_exit_year",
)
MEMBER_EDITABLE = ("name", *Member.FACT_FIELDS)


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _village_for(actor: User, code: str) -> Region:
    village = selectors.village_in_scope(user=actor, code=code)
    if village is None:
        raise ValidationError(
            {"village": _("No such village in your region.")}, code="village_out_of_scope"
        )
    return village


def _next_household_number(village: Region) -> str:
    """The village code and a 4-digit sequence. The caller holds the village row lock.

    The sequence follows the village's own households only. A number of this series held by a
    household of another village (one that moved away, or one planted before numbers had to
    begin with their village's code) is stepped over, never counted on."""
    series = Household.objects.filter(number__startswith=village.code, number__regex=r"^\d{16}$")
    last = (
        series.filter(village=village).order_by("-number").values_list("number", flat=True).first()
    )
    sequence = int(last[12:]) + 1 if last else 1
    elsewhere = set(
        series.exclude(village=village)
        .filter(number__gte=f"{village.code}{sequence:04d}")
        .values_list("number", flat=True)
    )
    while f"{village.code}{sequence:04d}" in elsewhere:
        sequence += 1
    return f"{village.code}{sequence:04d}"


def household_create(
    *,
    actor: User,
    village_code: str,
    poverty_status: str,
    poverty_exit_year: int | None = None,
    address: str = "",
    phone: str = "",
    bank_account: str = "",
    number: str | None = None,
) -> Household:
    _require(actor, "households.add_household")
    registry_rules.exit_year_check(
        poverty_status=poverty_status, poverty_exit_year=poverty_exit_year
    )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        village = _village_for(actor, village_code)
        # Numbers are handed out per village: lock the village so two cadres never get the same.
        Region.objects.select_for_update().filter(pk=village.pk).exists()
        if number:
            registry_rules.household_number_check(number=number, village_code=village.code)
        household = Household(
            number=number or _next_household_number(village),
            village=village,
            address=address,
            phone=phone,
            bank_account=bank_account,
            poverty_status=poverty_status,
            poverty_exit_year=poverty_exit_year,
        )
        household.full_clean()
        try:
            with transaction.atomic():
                household.save()
        except IntegrityError:
            raise ValidationError(
                {"number": _("This household number is already taken.")}
            ) from None
        # Judged once committed, so that its first visit is due from its registration.
        request_evaluation(household.pk)
    return household


def household_update(*, actor: User, household: Household, version: int, **changes) -> Household:
    _require(actor, "households.change_household")
    unknown = set(changes) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = Household.objects.select_for_update().get(pk=household.pk)
        if locked.version != version:
            raise EditConflict()
        if "village" in changes:
            changes["village"] = _village_for(actor, changes["village"])
        if "poverty_status" in changes:
            registry_rules.poverty_status_change_check(
                has_open_case=locked.has_open_case,
                stored_status=locked.poverty_status,
                poverty_status=changes["poverty_status"],
            )
        for name, value in changes.items():
            setattr(locked, name, value)
        registry_rules.exit_year_check(
            poverty_status=locked.poverty_status, poverty_exit_year=locked.poverty_exit_year
        )
        locked.full_clean()
        locked.version += 1
        locked.save()
        request_evaluation(locked.pk)
    return locked


def _visible_household(actor: User, household_id, *, field: str = "household") -> Household:
    try:
        household = selectors.households_visible_to(actor).filter(pk=household_id).first()
    except (ValueError, TypeError):
        household = None
    if household is None:
        raise ValidationError(
            {field: _("No such household in your region.")}, code="household_out_of_scope"
        )
    return household


def _registry_search(
    *,
    actor: User,
    number: str,
    channel: str,
    record_misses: bool = True,
    own_pk: int | None = None,
    holders_only: bool = False,
) -> Member | None:
    """Who holds `number` in the whole registry, counted against the actor's hourly allowance.

    Whether a number is registered (in the actor's region or elsewhere) is itself worth knowing:
    with a masked number and an age, some 33 numbers are left to try. So every answer that says
    who holds a number is recorded and counted (`IdNumberLookup`), and past the allowance
    (`ID_LOOKUP_PER_HOUR`) nothing is searched: the refusal is recorded and raised. A miss while
    adding a member (`record_misses=False`) is ordinary data entry and is not counted: it always
    ends in a stored member, since the caller judges everything else first. A member's number
    changed is rare, and counted either way; finding the member being edited (`own_pk`) is not.
    A person has one row per household they lived in: the active one is found first, else the
    latest. `holders_only` (registering, changing a number) finds only the rows that forbid a
    new registration (`registry_rules.person_holders`): a person who moved out may be
    registered again. Committed on its own, so that the record stays when the caller's answer
    is an error.
    """
    number_hash = id_numbers.lookup_hash(number)
    with transaction.atomic():
        # One user's look-ups one at a time: parallel requests cannot all pass the count.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).exists()
        used = (
            IdNumberLookup.objects.filter(
                user=actor, at__gte=timezone.now() - datetime.timedelta(hours=1)
            )
            .exclude(outcome=IdNumberLookup.Outcome.REFUSED)
            .exclude(channel=IdNumberLookup.Channel.IMPORT)  # imports have their own allowance
            .count()
        )
        found = None
        if used >= settings.ID_LOOKUP_PER_HOUR:
            outcome = IdNumberLookup.Outcome.REFUSED
        else:
            if holders_only:
                others = registry_rules.person_holders(number_hash)
            else:
                others = (
                    Member.objects.filter(id_number_hash=number_hash)
                    .select_related("household")
                    .order_by("status", "-pk")  # the active row first, else the latest
                )
            if own_pk is not None:  # a member being changed is not its own duplicate
                others = others.exclude(pk=own_pk)
            found = others.first()
            if found is None:
                outcome = IdNumberLookup.Outcome.UNKNOWN
            elif selectors.members_visible_to(actor).filter(pk=found.pk).exists():
                outcome = IdNumberLookup.Outcome.FOUND
            else:
                outcome = IdNumberLookup.Outcome.ELSEWHERE
        if record_misses or outcome != IdNumberLookup.Outcome.UNKNOWN:
            IdNumberLookup.objects.create(
                user=actor,
                id_number_hash=number_hash,
                outcome=outcome,
                channel=channel,
                region_code=selectors.region_prefix_of(actor) or "",
            )
    if outcome == IdNumberLookup.Outcome.REFUSED:
        raise IdLookupLimitReached()
    return found


@dataclass
class ImportAllowanceExceeded(Exception):
    """A file would search more ID numbers than its owner has left for today; none was."""

    rows: int
    allowance: int
    remaining: int


def registry_search_for_import(*, actor: User, hashes: list[str]) -> None:
    """Record the search of the registry a registry import's check makes for `hashes` (keyed
    hashes of the file's ID numbers, each once), or refuse it whole.

    The check tells, row by row, whether each number is registered here or elsewhere, and counts
    the people it would add: a file of the ~33 numbers a mask and an age leave is a look-up in
    bulk. So each number is recorded with what the check will find (channel `import`), and a user
    may have `ID_IMPORT_ROWS_PER_DAY` searched by imports in 24 hours. A file past what is left is
    refused before anything is searched; the refusal is recorded once for the file. Committed on
    its own, before the check runs, so that the record stays whatever the check ends in.
    """
    with transaction.atomic():
        # One user's imports counted one at a time: two checks cannot both pass the count.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).exists()
        used = (
            IdNumberLookup.objects.filter(
                user=actor,
                channel=IdNumberLookup.Channel.IMPORT,
                at__gte=timezone.now() - datetime.timedelta(hours=24),
            )
            .exclude(outcome=IdNumberLookup.Outcome.REFUSED)
            .count()
        )
        allowance = settings.ID_IMPORT_ROWS_PER_DAY
        remaining = max(allowance - used, 0)
        record = {
            "user": actor,
            "channel": IdNumberLookup.Channel.IMPORT,
            "region_code": selectors.region_prefix_of(actor) or "",
        }
        if len(hashes) > remaining:
            IdNumberLookup.objects.create(
                **record, id_number_hash="", outcome=IdNumberLookup.Outcome.REFUSED
            )
            refused = ImportAllowanceExceeded(
                rows=len(hashes), allowance=allowance, remaining=remaining
            )
        else:
            refused = None
            registered = set(
                Member.objects.filter(id_number_hash__in=hashes).values_list(
                    "id_number_hash", flat=True
                )
            )
            visible = set(
                selectors.members_visible_to(actor)
                .filter(id_number_hash__in=registered)
                .values_list("id_number_hash", flat=True)
            )
            outcome_of = {
                number_hash: IdNumberLookup.Outcome.ELSEWHERE for number_hash in registered
            }
            outcome_of.update(
                (number_hash, IdNumberLookup.Outcome.FOUND) for number_hash in visible
            )
            IdNumberLookup.objects.bulk_create(
                [
                    IdNumberLookup(
                        **record,
                        id_number_hash=number_hash,
                        outcome=outcome_of.get(number_hash, IdNumberLookup.Outcome.UNKNOWN),
                    )
                    for number_hash in hashes
                ],
                batch_size=1000,
            )
    if refused is not None:
        raise refused


def member_create(
    *, actor: User, household_id: int, name: str, id_number: str, relation: str, **facts
):
    _require(actor, "households.add_member")
    unknown = set(facts) - set(MEMBER_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    household = _visible_household(actor, household_id)  # no search for a household out of reach
    checked = registry_rules.id_number_check(id_number)
    number = checked.number
    # Everything else is judged before the registry is searched: a miss then always ends in a
    # stored member (recorded in history), never in a free "not registered" answer that an
    # invalid relation or a second head would have given after the search.
    draft = Member(household=household, name=name, relation=relation, **facts)
    registry_rules.id_number_store(draft, checked)
    registry_rules.single_head_check(
        household_id=household.pk, relation=draft.relation, status=draft.status
    )
    draft.full_clean(exclude=["id_number_hash"])
    existing = _registry_search(
        actor=actor, number=number, channel="create", record_misses=False, holders_only=True
    )
    if existing:
        raise registry_rules.duplicate_person_error(actor=actor, existing=existing)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = _visible_household(actor, household_id)
        Household.objects.select_for_update().filter(pk=household.pk).exists()
        member = Member(household=household, name=name, relation=relation, **facts)
        registry_rules.id_number_store(member, checked)
        existing = registry_rules.person_holders(member.id_number_hash).first()
        if existing:
            raise registry_rules.duplicate_person_error(actor=actor, existing=existing)
        registry_rules.single_head_check(
            household_id=household.pk, relation=member.relation, status=member.status
        )
        member.full_clean(exclude=["id_number_hash"])
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            # Registered by someone else between our check and our insert.
            existing = registry_rules.person_holders(member.id_number_hash).first()
            if existing is None:
                raise registry_rules.second_head_error() from None
            raise registry_rules.duplicate_person_error(actor=actor, existing=existing) from None
        LifeEvent.objects.create(
            household=household,
            member=member,
            kind=LifeEvent.Kind.REGISTERED,
            occurred_on=timezone.localdate(),
            member_had_labour=member.labour in LABOUR_ABLE,
            recorded_by=actor,
        )
        registry_rules.head_kept_check([household.pk])
        registry_rules.members_changed([household.pk])
    return member


def _household_kept(member: Member, changes: dict) -> None:
    """An edit keeps the member in their household: a move is its own action (`member_move`),
    which keeps the member's history in both households. The household given unchanged (an
    API client sending the whole record) is accepted."""
    if "household" not in changes:
        return
    given = changes.pop("household")
    given_id = given.pk if isinstance(given, Household) else given
    if str(given_id) != str(member.household_id):
        raise ValidationError(
            {
                "household": _(
                    "A member changes household with the move action, not by editing: "
                    "use 迁移成员 (API: POST /api/v1/members/{id}/move/)."
                )
            },
            code="use_move",
        )


def _lock_households(household_ids) -> dict[int, Household]:
    """Lock the households a change touches, always in the order of their ids, so that two
    changes of the same households wait for each other instead of deadlocking."""
    ids = sorted(set(household_ids))
    return {
        household.pk: household
        for household in Household.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }


def _successor(
    *, household_id: int, leaving: set[int], new_head_id, heads_leaving: bool
) -> Member | None:
    """The member who becomes head when the head leaves the household (dies, moves out, or the
    household splits): named by the action, among the active members who stay. None when nobody
    stays. A household with active members never lacks an active head."""
    staying = Member.objects.select_for_update().filter(
        household_id=household_id, status=Member.Status.ACTIVE
    )
    staying = staying.exclude(pk__in=leaving).order_by("pk")
    if not heads_leaving:
        if new_head_id not in (None, ""):
            raise ValidationError(
                {"new_head": _("A new head is named only when the head leaves the household.")}
            )
        return None
    remaining = list(staying)
    if not remaining:
        return None  # the last member leaves: the household is left with nobody in it
    if new_head_id in (None, ""):
        raise registry_rules.new_head_needed_error()
    chosen = next((row for row in remaining if str(row.pk) == str(new_head_id)), None)
    if chosen is None:
        raise ValidationError(
            {"new_head": _("Choose the new head among the members who stay in the household.")}
        )
    return chosen


def _head_changed(
    *, actor: User, new_head: Member, occurred_on: datetime.date, other_household=None
) -> LifeEvent:
    new_head.relation = Member.Relation.HEAD
    new_head.version += 1
    new_head.save()
    return LifeEvent(
        household_id=new_head.household_id,
        member=new_head,
        kind=LifeEvent.Kind.HEAD_CHANGED,
        occurred_on=occurred_on,
        member_had_labour=new_head.labour in LABOUR_ABLE,
        other_household=other_household,
        recorded_by=actor,
    )


def member_update(
    *,
    actor: User,
    member: Member,
    version: int,
    id_number: str | None = None,
    changed_on: datetime.date | None = None,
    new_head_id: int | None = None,
    **changes,
):
    """An edit of a member. A change the household lives through (a death, a move, a serious
    illness, lost labour, a new head) is recorded as a life event on `changed_on`, the day it
    happened (today when not given), which the early-warning rules read.

    When the head dies, moves out or stops being the head, the same edit names the new head
    (`new_head_id`, one of the members who stay), or it is refused: a household with members
    never lacks a head. The last member leaving leaves the household with nobody in it."""
    _require(actor, "households.change_member")
    unknown = set(changes) - {"household", *MEMBER_EDITABLE}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _household_kept(member, changes)
    checked = registry_rules.id_number_check(id_number) if id_number else None
    if checked:
        number = checked.number
        # The version and every other field are judged before the registry is searched, and a
        # changed number is counted even when nobody holds it: an edit that would fail anyway
        # (a stale version, a second head) must not answer "not registered" for free.
        draft = Member.objects.select_related("household").get(pk=member.pk)
        if draft.version != version:
            raise EditConflict()
        for name, value in changes.items():
            setattr(draft, name, value)
        registry_rules.id_number_store(draft, checked)
        registry_rules.single_head_check(
            household_id=draft.household_id,
            relation=draft.relation,
            status=draft.status,
            member_id=draft.pk,
        )
        draft.full_clean(exclude=["id_number_hash"])
        existing = _registry_search(
            actor=actor, number=number, channel="update", own_pk=member.pk, holders_only=True
        )
        if existing:
            raise registry_rules.duplicate_person_error(actor=actor, existing=existing)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        _lock_households([member.household_id])
        locked = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
        if locked.version != version:
            raise EditConflict()
        before = registry_rules.facts_before(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        if before["status"] == Member.Status.ACTIVE and locked.status == Member.Status.MOVED_OUT:
            registry_rules.open_case_kept_check(household=locked.household, leaving=1)
        if checked:
            registry_rules.id_number_store(locked, checked)
        if locked.status == Member.Status.ACTIVE and (checked or before["status"] != "active"):
            # An active membership is one per person: a number corrected to someone else's, or
            # a member who moved out coming back while registered in another household.
            existing = (
                registry_rules.person_holders(locked.id_number_hash).exclude(pk=locked.pk).first()
            )
            if existing:
                raise registry_rules.duplicate_person_error(actor=actor, existing=existing)
        registry_rules.single_head_check(
            household_id=locked.household_id,
            relation=locked.relation,
            status=locked.status,
            member_id=locked.pk,
        )
        occurred_on = changed_on or timezone.localdate()
        was_head = registry_rules.is_active_head(
            relation=before["relation"], status=before["status"]
        )
        new_head = _successor(
            household_id=locked.household_id,
            leaving={locked.pk},
            new_head_id=new_head_id,
            heads_leaving=was_head
            and not registry_rules.is_active_head(relation=locked.relation, status=locked.status),
        )
        locked.full_clean(exclude=["id_number_hash"])
        locked.version += 1
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise registry_rules.second_head_error() from None
        events = registry_rules.member_change_events(
            before=before, member=locked, occurred_on=occurred_on, actor=actor
        )
        if new_head is not None:
            events.append(_head_changed(actor=actor, new_head=new_head, occurred_on=occurred_on))
        if events and changed_on is not None:
            registry_rules.change_date_check(occurred_on=changed_on, birth_date=locked.birth_date)
            registry_rules.joined_on_check(member=locked, occurred_on=changed_on)
        LifeEvent.objects.bulk_create(events)
        registry_rules.head_kept_check([locked.household_id])
        registry_rules.members_changed([locked.household_id])
    return locked


def _relocate(
    *, actor: User, member: Member, target: Household, relation: str, occurred_on: datetime.date
) -> tuple[Member, list[LifeEvent]]:
    """Move a locked, active member to `target`: the row in the old household is closed as
    moved out (its history stays there), and a new row carries the person, with the same ID
    number and facts, in the new one. The two life events name each other's household."""
    source_id = member.household_id
    had_labour = member.labour in LABOUR_ABLE
    member.status = Member.Status.MOVED_OUT
    member.version += 1
    member.save()
    copied = {
        field.attname: getattr(member, field.attname)
        for field in Member._meta.concrete_fields
        if field.attname
        not in ("id", "household_id", "relation", "status", "version", "created_at", "updated_at")
    }
    arrived = Member(**copied, household=target, relation=relation)
    arrived.save()
    events = [
        LifeEvent(
            household_id=source_id,
            member=member,
            kind=LifeEvent.Kind.MOVED_OUT,
            other_household=target,
            occurred_on=occurred_on,
            member_had_labour=had_labour,
            recorded_by=actor,
        ),
        LifeEvent(
            household=target,
            member=arrived,
            kind=LifeEvent.Kind.MOVED_IN,
            other_household_id=source_id,
            occurred_on=occurred_on,
            member_had_labour=had_labour,
            recorded_by=actor,
        ),
    ]
    return arrived, events


def _relation_check(relation: str, *, field: str = "relation") -> None:
    if relation not in Member.Relation.values:
        raise ValidationError({field: _("Choose a relation to the head from the list.")})


def _date_check(changed_on: datetime.date | None, members) -> datetime.date:
    occurred_on = changed_on or timezone.localdate()
    births = [member.birth_date for member in members]
    registry_rules.change_date_check(occurred_on=occurred_on, birth_date=max(births, default=None))
    return occurred_on


def member_move(
    *,
    actor: User,
    member: Member,
    version: int,
    household_id: int,
    relation: str,
    changed_on: datetime.date | None = None,
    new_head_id: int | None = None,
) -> Member:
    """A member moves to another household (a marriage, a child setting up house): one action
    closes their row in the old household, opens one in the new, records both as life events
    on `changed_on`, and has both households judged again. The head moving out names the new
    head of the household they leave (`new_head_id`). Returns the member's new row."""
    _require(actor, "households.change_member")
    _relation_check(relation)
    target = _visible_household(actor, household_id)
    if target.pk == member.household_id:
        raise ValidationError({"household": _("The member already lives in this household.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        households = _lock_households([member.household_id, target.pk])
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.version != version:
            raise EditConflict()
        if locked.status != Member.Status.ACTIVE:
            raise ValidationError(
                {"member": _("Only a member who lives in the household can move.")}
            )
        occurred_on = _date_check(changed_on, [locked])
        registry_rules.joined_on_check(member=locked, occurred_on=occurred_on)
        registry_rules.open_case_kept_check(household=households[locked.household_id], leaving=1)
        registry_rules.single_head_check(
            household_id=target.pk, relation=relation, status=Member.Status.ACTIVE
        )
        new_head = _successor(
            household_id=locked.household_id,
            leaving={locked.pk},
            new_head_id=new_head_id,
            heads_leaving=registry_rules.is_active_head(
                relation=locked.relation, status=locked.status
            ),
        )
        source_id = locked.household_id
        arrived, events = _relocate(
            actor=actor, member=locked, target=target, relation=relation, occurred_on=occurred_on
        )
        if new_head is not None:
            events.append(_head_changed(actor=actor, new_head=new_head, occurred_on=occurred_on))
        LifeEvent.objects.bulk_create(events)
        registry_rules.head_kept_check([source_id, target.pk])
        registry_rules.members_changed(sorted({source_id, target.pk}))
    return arrived


def household_split(
    *,
    actor: User,
    household: Household,
    member_ids: list[int],
    head_id: int,
    new_head_id: int | None = None,
    changed_on: datetime.date | None = None,
    address: str | None = None,
) -> Household:
    """分户: members of `household` set up their own household in the same village, numbered
    next in the village's series, with `head_id` as its head. The household split from keeps at
    least one member and a head (`new_head_id` when its head leaves). The members' rows move as
    in `member_move`, each household keeps its own history, both are judged again. The other
    members keep their relation; one who was head becomes 'other' (corrected by an edit)."""
    _require(actor, "households.add_household")
    _require(actor, "households.change_member")
    wanted = {str(pk) for pk in member_ids}
    if not wanted:
        raise ValidationError({"members": _("Choose the members who set up the new household.")})
    if str(head_id) not in wanted:
        raise ValidationError({"head": _("The new household's head is one of its members.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        source = _lock_households([household.pk])[household.pk]
        active = list(
            Member.objects.select_for_update()
            .filter(household=source, status=Member.Status.ACTIVE)
            .order_by("pk")
        )
        leaving = [row for row in active if str(row.pk) in wanted]
        if len(leaving) != len(wanted):
            raise ValidationError(
                {"members": _("Choose members who live in this household.")}, code="not_member"
            )
        if len(leaving) == len(active):
            raise ValidationError(
                {"members": _("A split leaves at least one member in the household.")},
                code="split_empties",
            )
        occurred_on = _date_check(changed_on, leaving)
        heads_leaving = any(
            registry_rules.is_active_head(relation=row.relation, status=row.status)
            for row in leaving
        )
        new_head = _successor(
            household_id=source.pk,
            leaving={row.pk for row in leaving},
            new_head_id=new_head_id,
            heads_leaving=heads_leaving,
        )
        if heads_leaving and new_head is None:  # cannot happen: someone stays
            raise registry_rules.new_head_needed_error()
        village = source.village
        Region.objects.select_for_update().filter(pk=village.pk).exists()
        split_off = Household(
            number=_next_household_number(village),
            village=village,
            address=source.address if address is None else address,
            poverty_status=source.poverty_status,
            poverty_exit_year=source.poverty_exit_year,
        )
        split_off.full_clean()
        split_off.save()
        events: list[LifeEvent] = []
        for row in leaving:
            relation: str
            if str(row.pk) == str(head_id):
                relation = Member.Relation.HEAD
            elif row.relation == Member.Relation.HEAD:
                relation = Member.Relation.OTHER
            else:
                relation = row.relation
            _arrived, moved = _relocate(
                actor=actor,
                member=row,
                target=split_off,
                relation=relation,
                occurred_on=occurred_on,
            )
            events.extend(moved)
        if new_head is not None:
            events.append(_head_changed(actor=actor, new_head=new_head, occurred_on=occurred_on))
        events.extend(
            LifeEvent(
                household_id=one,
                other_household_id=other,
                kind=LifeEvent.Kind.SPLIT_OFF,
                occurred_on=occurred_on,
                recorded_by=actor,
            )
            for one, other in ((source.pk, split_off.pk), (split_off.pk, source.pk))
        )
        LifeEvent.objects.bulk_create(events)
        registry_rules.head_kept_check([source.pk, split_off.pk])
        registry_rules.members_changed([source.pk, split_off.pk])
    return split_off


def household_merge(
    *,
    actor: User,
    household: Household,
    other_household_id: int,
    head_relation: str = Member.Relation.OTHER,
    changed_on: datetime.date | None = None,
) -> Household:
    """合户: the members of another household of the same village join `household`, which keeps
    its head; the other household's head joins as `head_relation` (a household has one head).
    The household merged in is left with nobody in it, its history and number kept. Both
    households are judged again."""
    _require(actor, "households.change_member")
    _relation_check(head_relation, field="head_relation")
    other = _visible_household(actor, other_household_id, field="other_household")
    if other.pk == household.pk:
        raise ValidationError({"other_household": _("A household cannot be merged with itself.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _lock_households([household.pk, other.pk])
        target, merged = locked[household.pk], locked[other.pk]
        if target.village_id != merged.village_id:
            raise ValidationError(
                {"other_household": _("Only households of the same village can merge.")},
                code="merge_across_villages",
            )
        joining = list(
            Member.objects.select_for_update()
            .filter(household=merged, status=Member.Status.ACTIVE)
            .order_by("pk")
        )
        if not joining:
            raise ValidationError({"other_household": _("This household has no members to merge.")})
        registry_rules.open_case_kept_check(household=merged, leaving=len(joining))
        occurred_on = _date_check(changed_on, joining)
        has_head = Member.objects.filter(
            household=target, relation=Member.Relation.HEAD, status=Member.Status.ACTIVE
        ).exists()
        if has_head and head_relation == Member.Relation.HEAD:
            raise registry_rules.second_head_error()
        events: list[LifeEvent] = []
        for row in joining:
            relation = row.relation
            if relation == Member.Relation.HEAD and has_head:
                relation = head_relation
            _arrived, moved = _relocate(
                actor=actor, member=row, target=target, relation=relation, occurred_on=occurred_on
            )
            events.extend(moved)
        events.extend(
            LifeEvent(
                household_id=one,
                other_household_id=other_id,
                kind=LifeEvent.Kind.MERGED,
                occurred_on=occurred_on,
                recorded_by=actor,
            )
            for one, other_id in ((target.pk, merged.pk), (merged.pk, target.pk))
        )
        LifeEvent.objects.bulk_create(events)
        registry_rules.head_kept_check([target.pk, merged.pk])
        registry_rules.members_changed([target.pk, merged.pk])
    target.refresh_from_db()
    return target


@dataclass(frozen=True)
class UnmaskedMember:
    member_id: int
    name: str
    id_number: str
    birth_date: datetime.date
    phone: str
    health: str
    disability: str
    health_note: str


@dataclass(frozen=True)
class UnmaskedHousehold:
    household_id: int
    phone: str
    bank_account: str
    members: list[UnmaskedMember]


def sensitive_unmask(
    *, actor: User, household: Household, reason: str, channel: str, member_id: int | None = None
) -> UnmaskedHousehold:
    """Show the full sensitive fields of a household (or one member), and record that we did."""
    _require(actor, "households.unmask_sensitive")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why you need to see the full information.")})
    members = list(
        household.members.all() if member_id is None else household.members.filter(pk=member_id)
    )
    if member_id is not None and not members:
        raise ValidationError({"member": _("No such member in this household.")})
    with transaction.atomic():
        SensitiveAccess.objects.bulk_create(
            SensitiveAccess(
                user=actor,
                member=member,
                household=household,
                fields=",".join(Member.SENSITIVE_FIELDS),
                reason=reason,
                channel=channel,
            )
            for member in members
        )
    return UnmaskedHousehold(
        household_id=household.pk,
        phone=household.phone,
        bank_account=household.bank_account,
        members=[
            UnmaskedMember(
                member_id=member.pk,
                name=member.name,
                id_number=id_numbers.decrypt(member.id_number_encrypted),
                birth_date=member.birth_date,
                phone=member.phone,
                health=member.get_health_display(),
                disability=member.get_disability_display(),
                health_note=member.health_note,
            )
            for member in members
        ],
    )


def id_number_search(*, actor: User, id_number: str) -> str:
    """The keyed hash a list searches for when a user types an ID number in its search box
    (households, cases, measures). A search says whether the person is in the user's region, so
    it is recorded and counted as a look-up is (`_registry_search`); the lists then filter the
    user's own rows by the hash, and never show, keep or log the number itself."""
    _require(actor, "households.view_household")
    number = registry_rules.id_number_check(id_number).number
    _registry_search(actor=actor, number=number, channel="lookup")
    return id_numbers.lookup_hash(number)


def member_find_by_id_number(*, actor: User, id_number: str) -> Member | None:
    """Look a person up by ID number (sent in a POST body, never a URL).

    Returns the member if the actor may see them; raises a ValidationError that says
    "registered elsewhere" if the person exists outside the actor's scope; None if unknown.
    """
    _require(actor, "households.view_member")
    number = registry_rules.id_number_check(id_number).number
    found = _registry_search(actor=actor, number=number, channel="lookup")
    if found is None:
        return None
    member = selectors.members_visible_to(actor).select_related("household").filter(pk=found.pk)
    if not member.exists():
        # Only that the person is registered: not where, not in which household.
        raise ValidationError(
            {"id_number": _("This person is registered elsewhere.")}, code="registered_elsewhere"
        )
    return member.get()
