"""Writes of the monthly work records: one per member and month, of members of working age.

Sent again with the same content (a retried request, a form posted twice), a record answers the
stored row; a correction carries the version it was made on, and a record changed since is not
overwritten (EditConflict)."""

import datetime
from dataclasses import asdict, dataclass

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import EditConflict, save_or_conflict
from core.id_numbers import lookup_hash
from households.models import Member
from households.selectors import households_visible_to, members_visible_to
from livelihoods.models import IncomeBand, Sector, WorkPlace, WorkRecord, WorkSource, WorkStatus
from livelihoods.selectors.common import first_of_month, of_working_age
from livelihoods.services.common import active_member, require, visible_household
from monitoring.models import Visit

DETAILS = ("place", "sector", "employer", "income_band", "working_since")


def _clean(
    *,
    month: datetime.date,
    status: str,
    place: str,
    sector: str,
    employer: str,
    income_band: str,
    working_since: datetime.date | None,
) -> dict:
    if not isinstance(month, datetime.date):
        raise ValidationError({"month": _("Enter a month.")})
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise ValidationError({"month": _("Work cannot be recorded for a month still to come.")})
    if status not in WorkStatus.values:
        raise ValidationError({"status": _("Choose a work status.")})
    employer = (employer or "").strip()
    if len(employer) > 100:
        raise ValidationError({"employer": _("Keep the employer under 100 characters.")})
    for field, value, choices in (
        ("place", place, WorkPlace.values),
        ("sector", sector, Sector.values),
        ("income_band", income_band, IncomeBand.values),
    ):
        if value and value not in choices:
            raise ValidationError({field: _("Choose one of the options.")})
    if status == WorkStatus.WORKING:
        if not place:
            raise ValidationError({"place": _("Say where the member works.")})
        if working_since is not None and working_since >= _next_month(month):
            raise ValidationError(
                {"working_since": _("The work cannot have started after the month recorded.")}
            )
    elif place or sector or employer or income_band or working_since:
        raise ValidationError(
            {"status": _("Where, what and how much are recorded only for a member who works.")}
        )
    return {
        "month": month,
        "status": status,
        "place": place or "",
        "sector": sector or "",
        "employer": employer,
        "income_band": income_band or "",
        "working_since": working_since,
    }


def _not_of_working_age() -> str:
    return _("Work is recorded for members aged 16 to 64 only.")


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _same(record: WorkRecord, values: dict) -> bool:
    return all(getattr(record, key) == value for key, value in values.items() if key != "month")


def work_record_save(
    *,
    actor: User,
    member_id: int,
    month: datetime.date,
    status: str,
    place: str = "",
    sector: str = "",
    employer: str = "",
    income_band: str = "",
    working_since: datetime.date | None = None,
    source: str = WorkSource.FORM,
    visit_id: int | None = None,
    version: int | None = None,
) -> tuple[WorkRecord, bool]:
    """Record a member's work for a month; (record, created).

    The month's record already there: the same content answers it unchanged (a re-sent
    request); other content corrects it when `version` is its version, else EditConflict."""
    require(actor, "livelihoods.add_workrecord")
    if source not in WorkSource.values:
        raise ValidationError({"source": _("Choose one of the options.")})
    values = _clean(
        month=month,
        status=status,
        place=place,
        sector=sector,
        employer=employer,
        income_band=income_band,
        working_since=working_since,
    )
    member_household = _household_of_member(actor, member_id)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = visible_household(actor, member_household)
        member = active_member(household, member_id)
        if not of_working_age(member.birth_date, values["month"]):
            raise ValidationError({"member": _not_of_working_age()})
        visit = None
        if visit_id is not None:
            visit = Visit.objects.filter(pk=visit_id, household=household).first()
            if visit is None:
                raise ValidationError({"visit": _("No such visit of this household.")})
        existing = (
            WorkRecord.objects.select_for_update()
            .filter(member=member, month=values["month"])
            .first()
        )
        if existing is not None:
            if _same(existing, values):
                return existing, False
            if version is None or version != existing.version:
                raise EditConflict()
            require(actor, "livelihoods.change_workrecord")
            for key, value in values.items():
                setattr(existing, key, value)
            existing.source = source
            existing.visit = visit or existing.visit
            existing.recorded_by = actor
            existing.version += 1
            existing.save()
            return existing, False
        if version not in (None, 0):
            # Made on a record that is gone or never was: someone else's change.
            raise EditConflict()
        record = WorkRecord(
            household=household,
            member=member,
            source=source,
            visit=visit,
            recorded_by=actor,
            **values,
        )
        save_or_conflict(record)
        return record, True


def work_record_correct(*, actor: User, record: WorkRecord, version: int, **changes) -> WorkRecord:
    """Correct a record's fields (not its member nor month), made on `version`."""
    require(actor, "livelihoods.change_workrecord")
    current = {field: getattr(record, field) for field in ("status", *DETAILS)}
    current.update({k: v for k, v in changes.items() if k in current})
    if current["status"] != WorkStatus.WORKING:
        # No longer working: the details said of the work go, unless the caller sent some.
        for field in DETAILS:
            if field not in changes:
                current[field] = None if field == "working_since" else ""
    values = _clean(month=record.month, **current)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        visible_household(actor, record.household_id)
        locked = WorkRecord.objects.select_for_update().get(pk=record.pk)
        if locked.version != version:
            raise EditConflict()
        for key, value in values.items():
            setattr(locked, key, value)
        locked.recorded_by = actor
        locked.version += 1
        locked.save()
        return locked


def _household_of_member(actor: User, member_id) -> int | None:
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        raise ValidationError({"member": _("Choose a member who lives in this household.")})
    household_id = (
        members_visible_to(actor)
        .filter(pk=member_id)
        .values_list("household_id", flat=True)
        .first()
    )
    if household_id is None:
        raise ValidationError({"member": _("No such member in your region.")})
    return household_id


# Importing a department's file ----------------------------------------------------------------

MAX_IMPORT_ROWS = 5000


@dataclass(frozen=True, kw_only=True)
class WorkMonth:
    """What a line says of one month's work, whoever it names."""

    row: int
    month: datetime.date
    status: str
    place: str = ""
    sector: str = ""
    employer: str = ""
    income_band: str = ""


@dataclass(frozen=True, kw_only=True)
class WorkRow(WorkMonth):
    """One line of a work file, as read: the member by ID number, the rest as written."""

    id_number: str


@dataclass(frozen=True, kw_only=True)
class WorkEntry(WorkMonth):
    """One month of one member's work among many (a file's row, a demo's year)."""

    member_id: int


@dataclass(frozen=True)
class WorkProblem:
    row: int
    field: str
    message: str


class WorkImportRefused(Exception):
    """Something is wrong with some rows: nothing of the file was kept."""

    def __init__(self, problems: list[WorkProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


def work_records_import(*, actor: User, rows: list[WorkRow]) -> tuple[int, int]:
    """Every row of a work file, or none (WorkImportRefused lists each row's problem); (records
    created, rows already recorded with the same content). A row that says otherwise than the
    month's record already there is a problem: it is corrected on the page or with its version.
    Members are found by ID number among the active members of the actor's region."""
    require(actor, "livelihoods.add_workrecord")
    _within_limit(len(rows))
    hashes = {row.id_number: lookup_hash(row.id_number.strip().upper()) for row in rows}
    members = dict(
        members_visible_to(actor)
        .filter(id_number_hash__in=set(hashes.values()), status=Member.Status.ACTIVE)
        .values_list("id_number_hash", "pk")
    )
    entries, problems = [], []
    for row in rows:
        member_id = members.get(hashes[row.id_number])
        if member_id is None:
            problems.append(WorkProblem(row.row, "id_number", _("No such member in your region.")))
            continue
        said = {name: value for name, value in asdict(row).items() if name != "id_number"}
        entries.append(WorkEntry(member_id=member_id, **said))
    return work_records_save_many(actor=actor, entries=entries, problems=problems)


def work_records_save_many(
    *, actor: User, entries: list[WorkEntry], problems: list[WorkProblem] | None = None
) -> tuple[int, int]:
    """Many months of members' work, all or none, as `work_record_save` would keep each (an
    import's source); (created, already there with the same content). `problems` found before
    (a file's unknown ID numbers) are reported with the entries' own, by row.

    A few statements for the whole batch, not a handful per record: a department's file of
    5,000 rows took about 31 s one record at a time, past the server's 30 s limit on a request. The
    households are locked, in order, as each single write locks its own, so that no write of
    one of their records comes between what is read here and what is written."""
    require(actor, "livelihoods.add_workrecord")
    _within_limit(len(entries))
    problems = list(problems or [])
    with transaction.atomic(), pghistory.context(user=actor.pk):
        members = _members_locked(actor, {e.member_id for e in entries if _is_id(e.member_id)})
        wanted: dict[tuple[int, datetime.date], tuple[WorkEntry, dict]] = {}
        for entry in entries:
            member = members.get(entry.member_id) if _is_id(entry.member_id) else None
            if member is None:
                problems.append(
                    WorkProblem(entry.row, "member", _("No such member in your region."))
                )
                continue
            try:
                values = _clean(
                    month=entry.month,
                    status=entry.status,
                    place=entry.place,
                    sector=entry.sector,
                    employer=entry.employer,
                    income_band=entry.income_band,
                    working_since=None,
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    problems.append(WorkProblem(entry.row, field, " ".join(messages)))
                continue
            if (member.pk, values["month"]) in wanted:
                problems.append(
                    WorkProblem(entry.row, "month", _("The member's month is in the file twice."))
                )
                continue
            if not of_working_age(member.birth_date, values["month"]):
                problems.append(WorkProblem(entry.row, "member", _not_of_working_age()))
                continue
            wanted[(member.pk, values["month"])] = (entry, values)
        created, unchanged = _new_records(actor, members, wanted, problems)
        if problems:
            raise WorkImportRefused(sorted(problems, key=lambda problem: problem.row))
        WorkRecord.objects.bulk_create(created, batch_size=1000)
    return len(created), unchanged


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _within_limit(count: int) -> None:
    if count > MAX_IMPORT_ROWS:
        message = _("The file has more than %(limit)s rows; split it into several files.")
        raise WorkImportRefused([WorkProblem(0, "", message % {"limit": f"{MAX_IMPORT_ROWS:,}"})])


def _members_locked(actor: User, member_ids: set[int]) -> dict[int, Member]:
    """The active members of the actor's region among `member_ids`, their households locked."""
    visible = members_visible_to(actor).filter(pk__in=member_ids, status=Member.Status.ACTIVE)
    households = sorted(set(visible.values_list("household_id", flat=True)))
    locked = list(
        households_visible_to(actor)
        .select_for_update()
        .filter(pk__in=households)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Read again under the locks: a member who moved or died meanwhile is not written for.
    return {
        member.pk: member
        for member in visible.filter(household_id__in=locked).only(
            "pk", "household_id", "birth_date"
        )
    }


def _new_records(
    actor: User,
    members: dict[int, Member],
    wanted: dict[tuple[int, datetime.date], tuple[WorkEntry, dict]],
    problems: list[WorkProblem],
) -> tuple[list[WorkRecord], int]:
    """The records to create, and how many months are recorded already with the same content;
    a month recorded otherwise is a problem."""
    existing = {
        (record.member_id, record.month): record
        for record in WorkRecord.objects.filter(
            member_id__in={member_id for member_id, _month in wanted},
            month__in={month for _member_id, month in wanted},
        )
    }
    created, unchanged = [], 0
    for key, (entry, values) in wanted.items():
        record = existing.get(key)
        if record is None:
            created.append(
                WorkRecord(
                    household_id=members[entry.member_id].household_id,
                    member_id=entry.member_id,
                    source=WorkSource.IMPORT,
                    recorded_by=actor,
                    **values,
                )
            )
        elif _same(record, values):
            unchanged += 1
        else:
            problems.append(
                WorkProblem(
                    entry.row,
                    "month",
                    _("The month is recorded already, otherwise: correct it on its page."),
                )
            )
    return created, unchanged
