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
MEMBER_EDITABLE = ("household", "name", *Member.FACT_FIELDS)


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


def _visible_household(actor: User, household_id) -> Household:
    household = selectors.households_visible_to(actor).filter(pk=household_id).first()
    if household is None:
        raise ValidationError(
            {"household": _("No such household in your region.")}, code="household_out_of_scope"
        )
    return household


def _registry_search(
    *, actor: User, number: str, channel: str, record_misses: bool = True, own_pk: int | None = None
) -> Member | None:
    """Who holds `number` in the whole registry, counted against the actor's hourly allowance.

    Whether a number is registered (in the actor's region or elsewhere) is itself worth knowing:
    with a masked number and an age, some 33 numbers are left to try. So every answer that says
    who holds a number is recorded and counted (`IdNumberLookup`), and past the allowance
    (`ID_LOOKUP_PER_HOUR`) nothing is searched: the refusal is recorded and raised. A miss while
    adding a member (`record_misses=False`) is ordinary data entry and is not counted: it always
    ends in a stored member, since the caller judges everything else first. A member's number
    changed is rare, and counted either way; finding the member being edited (`own_pk`) is not.
    Committed on its own, so that the record stays when the caller's answer is an error.
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
            others = Member.objects.all()
            if own_pk is not None:  # a member being changed is not its own duplicate
                others = others.exclude(pk=own_pk)
            found = others.filter(id_number_hash=number_hash).select_related("household").first()
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
    existing = _registry_search(actor=actor, number=number, channel="create", record_misses=False)
    if existing:
        raise registry_rules.duplicate_person_error(actor=actor, existing=existing)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = _visible_household(actor, household_id)
        Household.objects.select_for_update().filter(pk=household.pk).exists()
        member = Member(household=household, name=name, relation=relation, **facts)
        registry_rules.id_number_store(member, checked)
        existing = (
            Member.objects.filter(id_number_hash=member.id_number_hash)
            .select_related("household")
            .first()
        )
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
            existing = Member.objects.select_related("household").get(
                id_number_hash=member.id_number_hash
            )
            raise registry_rules.duplicate_person_error(actor=actor, existing=existing) from None
        LifeEvent.objects.create(
            household=household,
            member=member,
            kind=LifeEvent.Kind.REGISTERED,
            occurred_on=timezone.localdate(),
            member_had_labour=member.labour in LABOUR_ABLE,
            recorded_by=actor,
        )
        registry_rules.members_changed([household.pk])
    return member


def member_update(
    *,
    actor: User,
    member: Member,
    version: int,
    id_number: str | None = None,
    changed_on: datetime.date | None = None,
    **changes,
):
    """An edit of a member. A change the household lives through (a death, a move, a serious
    illness, lost labour, a new head) is recorded as a life event on `changed_on`, the day it
    happened (today when not given), which the early-warning rules read."""
    _require(actor, "households.change_member")
    unknown = set(changes) - set(MEMBER_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    checked = registry_rules.id_number_check(id_number) if id_number else None
    if checked:
        number = checked.number
        # The version and every other field are judged before the registry is searched, and a
        # changed number is counted even when nobody holds it: an edit that would fail anyway
        # (a stale version, a second head) must not answer "not registered" for free.
        draft = Member.objects.select_related("household").get(pk=member.pk)
        if draft.version != version:
            raise EditConflict()
        if "household" in changes:
            changes["household"] = _visible_household(actor, changes["household"])
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
        existing = _registry_search(actor=actor, number=number, channel="update", own_pk=member.pk)
        if existing:
            raise registry_rules.duplicate_person_error(actor=actor, existing=existing)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
        if locked.version != version:
            raise EditConflict()
        old_household_id = locked.household_id
        before = registry_rules.facts_before(locked)
        if "household" in changes and not isinstance(changes["household"], Household):
            changes["household"] = _visible_household(actor, changes["household"])
        for name, value in changes.items():
            setattr(locked, name, value)
        if checked:
            registry_rules.id_number_store(locked, checked)
            existing = (
                Member.objects.filter(id_number_hash=locked.id_number_hash)
                .exclude(pk=locked.pk)
                .select_related("household")
                .first()
            )
            if existing:
                raise registry_rules.duplicate_person_error(actor=actor, existing=existing)
        registry_rules.single_head_check(
            household_id=locked.household_id,
            relation=locked.relation,
            status=locked.status,
            member_id=locked.pk,
        )
        locked.full_clean(exclude=["id_number_hash"])
        locked.version += 1
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise registry_rules.second_head_error() from None
        events = registry_rules.member_change_events(
            before=before,
            member=locked,
            occurred_on=changed_on or timezone.localdate(),
            actor=actor,
        )
        if events and changed_on is not None:
            registry_rules.change_date_check(occurred_on=changed_on, birth_date=locked.birth_date)
        LifeEvent.objects.bulk_create(events)
        changed = sorted({old_household_id, locked.household_id})
        registry_rules.members_changed(changed)
    return locked


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
