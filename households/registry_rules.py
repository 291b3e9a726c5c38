"""The registry's rules for its rows, in one place, for one row or for thousands.

Every door that writes households and members calls these: the member and household services
(behind the pages, the API and the admin) and the Excel import (`spreadsheets`), which writes a
whole file in bulk. A rule changed here is changed for all of them. Each rule that needs the
database reads it once for however many rows it is asked about, so the import's statements do not
grow with its rows.

These are checks and the small writes that follow a change of members; who may do what, and the
registry search counted against a user's allowance, stay in `households/services.py`.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Expression, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core import id_numbers
from core.arrays import any_of
from households import selectors
from households.evaluation_requests import request_evaluations
from households.models import LABOUR_ABLE, Household, LifeEvent, Member, PovertyStatus

if TYPE_CHECKING:
    from accounts.models import User


def exit_year_check(*, poverty_status: str, poverty_exit_year: int | None) -> None:
    """A lifted-out household has the year it left poverty; an ordinary one has none."""
    if poverty_status == PovertyStatus.LIFTED_OUT and poverty_exit_year is None:
        raise ValidationError(
            {"poverty_exit_year": _("A lifted-out household needs the year it was lifted out.")}
        )
    if poverty_status == PovertyStatus.ORDINARY and poverty_exit_year is not None:
        raise ValidationError(
            {"poverty_exit_year": _("An ordinary household has no year of leaving poverty.")}
        )


def poverty_status_change_check(
    *, has_open_case: bool, stored_status: str, poverty_status: str
) -> None:
    """A household with an open case keeps its poverty status: the case's category was chosen
    for it (脱贫不稳定户 for a lifted-out household, 边缘易致贫户 for an ordinary one), and the
    registry cannot see the category to know whether the change would still fit."""
    if has_open_case and poverty_status != stored_status:
        raise ValidationError(
            {
                "poverty_status": ValidationError(
                    _(
                        "This household has an open case whose category depends on its poverty "
                        "status. Correct the status once the case is closed, or close the case "
                        "and propose it again with the right category."
                    ),
                    code="case_open",
                )
            }
        )


def household_number_check(*, number: str, village_code: str) -> None:
    """A household number begins with its village's code. Without this, a number made of
    another village's code and a high sequence would sit in that village's series, and every
    later number handed out there would collide with it."""
    if not number.startswith(village_code):
        raise ValidationError(
            {
                "number": _("A household number begins with its village's code %(code)s.")
                % {"code": village_code}
            },
            code="number_outside_village",
        )


def id_number_check(raw: str, *, today: datetime.date | None = None) -> id_numbers.IdNumber:
    """The ID number normalised as the registry keeps it, or a ValidationError on `id_number`
    saying what is wrong with it."""
    try:
        return id_numbers.check_id_number(raw, today=today or timezone.localdate())
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None


def id_number_store(member: Member, checked: id_numbers.IdNumber) -> None:
    """Put a checked ID number on a member as it is stored: encrypted, found by its keyed hash,
    shown masked, with the birth date and sex it carries. Never the number in clear."""
    member.id_number_encrypted = id_numbers.encrypt(checked.number)
    member.id_number_hash = id_numbers.lookup_hash(checked.number)
    member.id_number_masked = checked.masked
    member.birth_date = checked.birth_date
    member.sex = checked.sex


class DuplicatePersons:
    """The one answer when a person's ID number is already held by a member: in which household
    (and under which head) if the actor may see that member, only "elsewhere" if not, since
    where someone lives is not for every user to learn.

    For many numbers at once (an import), whether the actor may see the holders is read in one
    query, the first time an answer is needed; a batch without duplicates asks nothing.
    """

    def __init__(self, *, actor: "User", id_hashes: Iterable[str]):
        self.actor = actor
        self.id_hashes = list(id_hashes)
        self._visible: set[int] | None = None

    def _is_visible(self, existing: Member) -> bool:
        if self._visible is None:
            self._visible = set(
                selectors.members_visible_to(self.actor)
                .filter(any_of(Member, "id_number_hash", self.id_hashes))
                .values_list("pk", flat=True)
            )
        return existing.pk in self._visible

    def message(self, existing: Member) -> str:
        """`existing` with its household loaded (select_related), as the callers find it."""
        if existing.status == Member.Status.DECEASED:
            # Registering a dead person again is a mistake or a fraud; a death recorded by
            # mistake is corrected on that record, which keeps its history.
            if self._is_visible(existing):
                return _(
                    "This person is recorded as deceased in household %(number)s: correct "
                    "that record if the death was recorded by mistake."
                ) % {"number": existing.household.number}
            return _("This person is recorded as deceased elsewhere.")
        if self._is_visible(existing):
            return _(
                "This person is already registered in household %(number)s (head: %(head)s)."
            ) % {"number": existing.household.number, "head": existing.household.head_name}
        return _("This person is already registered elsewhere.")

    def error(self, existing: Member) -> ValidationError:
        return ValidationError({"id_number": self.message(existing)}, code="duplicate_person")


def duplicate_person_error(*, actor: "User", existing: Member) -> ValidationError:
    """The answer for one member whose ID number `existing` already holds."""
    return DuplicatePersons(actor=actor, id_hashes=[existing.id_number_hash]).error(existing)


def second_head_error() -> ValidationError:
    return ValidationError({"relation": _("This household already has a head.")})


def head_kept_check(household_ids: Iterable[int]) -> None:
    """After a change of members, in its transaction: every household with members living in it
    has a head. (A second head is the database's to refuse: one_active_head_per_household.)"""
    headless = (
        Member.objects.filter(any_of(Member, "household", household_ids))
        .filter(status=Member.Status.ACTIVE)
        .values("household_id")
        .annotate(heads=Count("id", filter=Q(relation=Member.Relation.HEAD)))
        .filter(heads=0)
    )
    if headless.exists():
        raise ValidationError(
            {
                "relation": _(
                    "A household with members living in it has a head: make one of them the head."
                )
            },
            code="headless",
        )


def open_case_kept_check(*, household: Household, leaving: int) -> None:
    """The members leaving (`leaving` of them) must not empty a household whose case is open:
    the case would stay on a household with nobody in it while the family lives elsewhere."""
    if not household.has_open_case:
        return
    staying = (
        Member.objects.filter(household=household, status=Member.Status.ACTIVE).count() - leaving
    )
    if staying <= 0:
        raise ValidationError(
            _(
                "Household %(number)s has an open case: its last members cannot leave it. Close "
                "the case first, or merge the other household into this one."
            )
            % {"number": household.number},
            code="open_case",
        )


def joined_on_check(*, member: Member, occurred_on: datetime.date) -> None:
    """A change lived in a household happens after the member came into it: a member who moved
    in on a day cannot have died there, or fallen ill there, before it."""
    arrived = (
        LifeEvent.objects.filter(member=member, kind=LifeEvent.Kind.MOVED_IN)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    if arrived is not None and occurred_on < arrived:
        raise ValidationError(
            {
                "changed_on": _(
                    "The member moved into this household on %(day)s: the change cannot be earlier."
                )
                % {"day": arrived.isoformat()}
            }
        )


def new_head_needed_error() -> ValidationError:
    return ValidationError(
        {"new_head": _("The head is leaving the household: name the new head.")},
        code="new_head_needed",
    )


# A person's rows that stand in the way of registering them again: an active membership, or a
# death. The rows they left when they moved out do not.
HOLDING_STATUSES = (Member.Status.ACTIVE, Member.Status.DECEASED)


def deceased_people(id_hashes: Iterable[str]) -> dict[str, Member]:
    """By hash, the recorded death of each person among `id_hashes` who has no active
    membership: one query for a whole file."""
    rows = (
        Member.objects.filter(any_of(Member, "id_number_hash", id_hashes))
        .filter(status__in=HOLDING_STATUSES)
        .select_related("household")
        .order_by("id_number_hash", "status", "-pk")
    )
    first: dict[str, Member] = {}
    for row in rows:
        first.setdefault(row.id_number_hash, row)
    return {key: row for key, row in first.items() if row.status == Member.Status.DECEASED}


def person_holders(id_number_hash: str):
    """The rows holding a person's ID number that forbid a new registration, active first."""
    return (
        Member.objects.filter(id_number_hash=id_number_hash, status__in=HOLDING_STATUSES)
        .select_related("household")
        .order_by("status", "-pk")  # "active" sorts before "deceased"
    )


def is_active_head(*, relation: str, status: str) -> bool:
    return relation == Member.Relation.HEAD and status == Member.Status.ACTIVE


class SingleHeads:
    """One active head per household, judged for many members at once.

    The heads the households already have, held by members other than those being written
    (`excluding`), are read in one query; each head being written then claims its household, and
    a second claim, or a claim on a household whose head is someone else, is refused.
    """

    def __init__(self, *, household_ids: Iterable[int], excluding: Q | Expression):
        self.taken = set(
            Member.objects.filter(
                any_of(Member, "household", household_ids),
                relation=Member.Relation.HEAD,
                status=Member.Status.ACTIVE,
            )
            .exclude(excluding)
            .values_list("household_id", flat=True)
        )
        self.claimed: set[int] = set()

    def check(self, *, household_id: int, relation: str, status: str) -> None:
        if not is_active_head(relation=relation, status=status):
            return
        refused = household_id in self.taken or household_id in self.claimed
        self.claimed.add(household_id)
        if refused:
            raise second_head_error()


def single_head_check(
    *, household_id: int, relation: str, status: str, member_id: int | None = None
) -> None:
    """One member (`member_id`, None for a new one) as the head of a household: refused if the
    household has another active head."""
    if not is_active_head(relation=relation, status=status):
        return  # a member who is no head asks the database nothing
    SingleHeads(household_ids=[household_id], excluding=Q(pk=member_id)).check(
        household_id=household_id, relation=relation, status=status
    )


def cached_facts() -> dict[str, Expression]:
    """The facts the households cache from their members (the active head's name, the number of
    active members, and of those who live here sharing income), as the expressions an UPDATE of
    the households writes them with."""
    active = Member.objects.filter(household=OuterRef("pk"), status=Member.Status.ACTIVE)
    return {
        "head_name": Coalesce(
            Subquery(
                active.filter(relation=Member.Relation.HEAD).order_by("pk").values("name")[:1]
            ),
            Value(""),
        ),
        "member_count": Coalesce(
            Subquery(
                active.order_by().values("household").annotate(count=Count("id")).values("count"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        "income_sharers": Coalesce(
            Subquery(
                active.filter(lives_here=True)
                .order_by()
                .values("household")
                .annotate(count=Count("id"))
                .values("count"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    }


def household_facts_refresh(*, household_ids: Iterable[int]) -> None:
    """Keep the households' cached facts (cached_facts), so that lists show them without a
    join: one UPDATE for any number of households."""
    household_ids = list(household_ids)
    if not household_ids:
        return
    Household.objects.filter(any_of(Household, "id", household_ids)).update(**cached_facts())


def cached_facts_of_new_household(members: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """What `cached_facts` gives a new household, worked out from its members before any is
    written, in the order they will be written: the import writes each new household once, with
    its facts, instead of writing it again once its members are in (a second write of 10,000
    rows with 14 indexes each, and on a county's first import, whose members the planner has no
    statistics of, three scans of the members for each household). A member is a mapping of its
    name, relation and status, and `lives_here` where it is not the default.
    tests/spreadsheets/test_import_facts.py holds both definitions to the same answer."""
    lives_here = Member._meta.get_field("lives_here").get_default()
    active = [member for member in members if member["status"] == Member.Status.ACTIVE]
    heads = [member["name"] for member in active if member["relation"] == Member.Relation.HEAD]
    return {
        "head_name": heads[0] if heads else "",
        "member_count": len(active),
        "income_sharers": sum(1 for member in active if member.get("lives_here", lives_here)),
    }


def members_changed(
    household_ids: list[int], *, sweep_past: int | None = None, marked_new: Sequence[int] = ()
) -> None:
    """What follows any change of members, by the services or the import alike: the households'
    cached facts refreshed, and the households judged again once the change commits. One UPDATE
    writes both: an import's 10,000 households written once, not twice (0.8 s at 1,000,000
    households). `marked_new`: new households written with their facts and mark
    (`cached_facts_of_new_household`), judged with the others."""
    if not household_ids and not marked_new:
        return
    request_evaluations(
        household_ids, sweep_past=sweep_past, refreshing=cached_facts(), marked_new=marked_new
    )


def change_date_check(*, occurred_on: datetime.date, birth_date: datetime.date | None) -> None:
    """The day a change happened lies between the member's birth and today."""
    if occurred_on > timezone.localdate():
        raise ValidationError({"changed_on": _("The date of the change cannot be in the future.")})
    if birth_date is not None and occurred_on < birth_date:
        raise ValidationError(
            {"changed_on": _("The date of the change cannot be before the member's birth.")}
        )


# What a member's facts were before an edit, as `member_change_events` compares them.
CHANGE_FACTS = (
    "status",
    "health",
    "disability",
    "labour",
    "relation",
    "registered_here",
    "lives_here",
)


def facts_before(member: Member) -> dict[str, Any]:
    return {name: getattr(member, name) for name in CHANGE_FACTS}


def member_change_events(
    *, before: dict[str, Any], member: Member, occurred_on: datetime.date, actor: "User | None"
) -> list[LifeEvent]:
    """The life events an edit of a member's facts records: the changes a household lives
    through (a death, a move, a serious illness, a disability, lost or recovered labour, a new
    head), each with the day it happened. Corrections of other facts record none; history keeps
    every edit anyway."""
    Kind = LifeEvent.Kind
    had_labour = before["labour"] in LABOUR_ABLE
    kinds: list[str] = []
    if member.status != before["status"]:
        by_status: dict[str, str] = {
            Member.Status.DECEASED: Kind.DIED,
            Member.Status.MOVED_OUT: Kind.MOVED_OUT,
            Member.Status.ACTIVE: Kind.MOVED_IN,
        }
        kinds.append(by_status[member.status])
    if member.status == Member.Status.ACTIVE:
        if member.health == Member.Health.SERIOUS and before["health"] != Member.Health.SERIOUS:
            kinds.append(Kind.SERIOUS_ILLNESS)
        if member.disability != before["disability"] and member.disability != "none":
            kinds.append(Kind.DISABILITY)
        if member.labour == Member.Labour.LOST and before["labour"] != Member.Labour.LOST:
            kinds.append(Kind.LABOUR_LOST)
        recovered = (
            before["health"] == Member.Health.SERIOUS and member.health != Member.Health.SERIOUS
        ) or (before["labour"] not in LABOUR_ABLE and member.labour in LABOUR_ABLE)
        if recovered:
            kinds.append(Kind.HEALTH_RECOVERED)
        if member.relation == Member.Relation.HEAD and before["relation"] != Member.Relation.HEAD:
            kinds.append(Kind.HEAD_CHANGED)
        if (member.registered_here, member.lives_here) != (
            before.get("registered_here", member.registered_here),
            before.get("lives_here", member.lives_here),
        ):
            kinds.append(Kind.RESIDENCE_CHANGED)
    return [
        LifeEvent(
            household_id=member.household_id,
            member=member,
            kind=kind,
            occurred_on=occurred_on,
            member_had_labour=had_labour,
            recorded_by=actor,
        )
        for kind in kinds
    ]
