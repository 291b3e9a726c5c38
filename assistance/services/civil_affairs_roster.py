"""Civil affairs' roster (民政名单) of dibao, tekun and dibao-edge recipients, reconciled with ours.

An import is checked whole before anything is written: every bad ID number, every number given
twice, every unknown status, date or amount is named by its row and column, and one problem
leaves nothing written. A clean file is kept in one transaction as three lists of the region it
covers (the importer's region, or a region they choose within it):

- in both: registered here and flagged here (a member's dibao or tekun, a household in the
  dibao-edge layer), with the two statuses side by side, a mismatch marked;
- only theirs: not registered in the region, or registered and not flagged here;
- only ours: flagged here and not in their roster.

The ID numbers of the file are kept as the registry keeps them, a keyed hash and the masked form.
Matching a number to a person tells the importer whether it is registered: it is done only in
the importer's region, and counted against the same daily allowance of look-ups as the registry
import (households.services.registry_search_for_import), which records each number searched.
Each line is then acted on once: a case proposed for the household, a civil affairs signal
raised about the person, or a reason noted.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assistance.models import (
    CATEGORY_FOR_STATUS,
    CivilAffairsRoster,
    CivilAffairsRosterEntry,
    RiskType,
    RosterOutcome,
    RosterSide,
    RosterStatus,
)
from assistance.selectors import roster_entries_visible_to, roster_members
from assistance.services.cases import case_propose
from assistance.services.comments import LONG_NUMBER
from core import id_numbers
from core.errors import EditConflict
from core.regions import prefix_of
from households.models import Layer, Member, Region
from households.selectors import region_within
from households.services import ImportAllowanceExceeded, registry_search_for_import
from monitoring.models import SignalKind, SignalSource
from monitoring.services.signals import SignalItem, signals_store

IMPORT_PERMISSION = "assistance.add_civilaffairsroster"
ACT_PERMISSION = "assistance.change_civilaffairsrosterentry"
MAX_ROWS = 20_000
MAX_PROBLEMS = 200
# A month's dibao or tekun beyond this is a slip of the finger.
MAX_AMOUNT = Decimal(100_000)

# The columns of a roster, by key: their names when the file's own header is not known.
COLUMN_LABELS = {
    "id_number": gettext_lazy("ID number"),
    "status": gettext_lazy("Status"),
    "since": gettext_lazy("Since"),
    "amount": gettext_lazy("Amount (yuan)"),
    "region_code": gettext_lazy("Region code"),
}

# The words a roster writes a status in: civil affairs' own, ours, and the codes.
STATUS_WORDS = {
    "低保": RosterStatus.DIBAO,
    "农村低保": RosterStatus.DIBAO,
    "低保对象": RosterStatus.DIBAO,
    "最低生活保障": RosterStatus.DIBAO,
    "dibao": RosterStatus.DIBAO,
    "特困": RosterStatus.TEKUN,
    "特困供养": RosterStatus.TEKUN,
    "特困人员": RosterStatus.TEKUN,
    "特困供养人员": RosterStatus.TEKUN,
    "tekun": RosterStatus.TEKUN,
    "低保边缘": RosterStatus.DIBAO_EDGE,
    "低保边缘家庭": RosterStatus.DIBAO_EDGE,
    "低保边缘对象": RosterStatus.DIBAO_EDGE,
    "dibao_edge": RosterStatus.DIBAO_EDGE,
    "dibao edge": RosterStatus.DIBAO_EDGE,
}
DATE_SHAPES = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m", "%Y/%m")
REGION_CODE = re.compile(r"[0-9]{6}([0-9]{3}([0-9]{3})?)?")


@dataclass(frozen=True)
class RosterRow:
    """One data row of the file as its door read it: the cells as they were, untouched."""

    row: int  # the row number in the file (the header is row 1)
    id_number: object = None
    status: object = None
    since: object = None
    amount: object = None
    region_code: object = None


@dataclass(frozen=True)
class RosterProblem:
    row: int | None  # None: the file as a whole
    column: str
    message: str


class RosterRefused(ValidationError):
    """The file, refused whole: every problem by row and column. Nothing was written."""

    def __init__(self, problems: list[RosterProblem]):
        super().__init__([problem.message for problem in problems[:MAX_PROBLEMS]])
        self.problems = problems

    @property
    def shown_problems(self) -> list[RosterProblem]:
        return self.problems[:MAX_PROBLEMS]

    @property
    def hidden_problems(self) -> int:
        return max(len(self.problems) - MAX_PROBLEMS, 0)


@dataclass(frozen=True)
class _Checked:
    row: int
    number: id_numbers.IdNumber
    status: str
    since: datetime.date | None
    amount: Decimal | None
    region_code: str


def may_import(user) -> bool:
    return user.is_authenticated and user.has_perm(IMPORT_PERMISSION)


def may_act(user) -> bool:
    return user.is_authenticated and user.has_perm(ACT_PERMISSION)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _date(value: object, today: datetime.date) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        day = value
    else:
        text = _text(value)
        if not text:
            return None
        for shape in DATE_SHAPES:
            try:
                day = datetime.datetime.strptime(text, shape).date()
                break
            except ValueError:
                continue
        else:
            raise ValidationError(_("Write the date as 2026-03-01."))
    if day > today:
        raise ValidationError(_("This date is in the future."))
    if day.year < 1990:
        raise ValidationError(_("This date is too long ago."))
    return day


def _amount(value: object) -> Decimal | None:
    text = _text(value).replace(",", "").removesuffix("元").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Write the amount as a number of yuan, such as 650.00.")) from None
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise ValidationError(
            _("The amount is at least 0 and at most %(max)s yuan.") % {"max": f"{MAX_AMOUNT:,}"}
        )
    return amount.quantize(Decimal("0.01"))


def _check_rows(
    rows: list[RosterRow], columns: dict[str, str], today: datetime.date
) -> tuple[list[_Checked], list[RosterProblem]]:
    """Every row checked on its own, and each number against the rows before it."""
    problems: list[RosterProblem] = []
    checked: list[_Checked] = []
    first_row_of: dict[str, int] = {}

    def problem(row: int, key: str, message: str) -> None:
        problems.append(RosterProblem(row, columns.get(key) or str(COLUMN_LABELS[key]), message))

    for line in rows:
        failed = False
        number = None
        if isinstance(line.id_number, float):
            problem(
                line.row,
                "id_number",
                _(
                    "Excel stored this ID number as a number, which loses its last digits: format "
                    "the column as text and type the number again."
                ),
            )
            failed = True
        elif not _text(line.id_number):
            problem(line.row, "id_number", _("This field cannot be blank."))
            failed = True
        else:
            try:
                number = id_numbers.check_id_number(_text(line.id_number), today=today)
            except ValidationError as error:
                problem(line.row, "id_number", " ".join(error.messages))
                failed = True
        if number is not None:
            first = first_row_of.setdefault(number.number, line.row)
            if first != line.row:
                problem(
                    line.row,
                    "id_number",
                    _("This ID number is already in row %(row)d of this file.") % {"row": first},
                )
                failed = True
        status_text = _text(line.status)
        status = STATUS_WORDS.get(status_text.casefold()) or STATUS_WORDS.get(status_text)
        if not status_text:
            problem(line.row, "status", _("This field cannot be blank."))
            failed = True
        elif status is None:
            problem(
                line.row,
                "status",
                _("“%(value)s” is not a status of the roster: write 低保, 特困 or 低保边缘.")
                % {"value": status_text[:20]},
            )
            failed = True
        since = amount = None
        try:
            since = _date(line.since, today)
        except ValidationError as error:
            problem(line.row, "since", " ".join(error.messages))
            failed = True
        try:
            amount = _amount(line.amount)
        except ValidationError as error:
            problem(line.row, "amount", " ".join(error.messages))
            failed = True
        region_code = _text(line.region_code)
        if region_code and not REGION_CODE.fullmatch(region_code):
            problem(
                line.row,
                "region_code",
                _("A region code is the 6, 9 or 12 digits of the statistical division code."),
            )
            failed = True
        if not failed and number is not None and status is not None:
            checked.append(_Checked(line.row, number, status, since, amount, region_code))
    return checked, problems


def _our_status(member: Member) -> str:
    if member.tekun:
        return RosterStatus.TEKUN
    if member.dibao:
        return RosterStatus.DIBAO
    if member.household.layer == Layer.DIBAO_EDGE:
        return RosterStatus.DIBAO_EDGE
    return ""


def _covers(region: Region, code: str) -> bool:
    """Whether a roster row's region code lies in the region reconciled. A code of a wider
    region (a county's, given to a township) cannot tell: the row is kept."""
    mine, theirs = prefix_of(region.code), prefix_of(code.ljust(12, "0"))
    return theirs.startswith(mine) or mine.startswith(theirs)


def roster_import(
    *,
    actor: User,
    file_name: str,
    rows: list[RosterRow],
    columns: dict[str, str] | None = None,
    region_code: str = "",
) -> CivilAffairsRoster:
    """Check civil affairs' roster whole and keep its reconciliation with ours, or raise
    RosterRefused naming every problem (nothing written). `columns` names each column as the
    file wrote it (key -> header); `region_code` narrows the region to one within the actor's."""
    if not may_import(actor):
        raise PermissionDenied(_("Your role may not do this."))
    columns = columns or {}
    if region_code:
        region = region_within(user=actor, code=region_code)
        if region is None:
            raise ValidationError({"region": _("No such region in your region.")})
    else:
        region = actor.region
        if region is None:
            raise PermissionDenied(_("Your account has no region."))
    if not rows:
        raise RosterRefused([RosterProblem(None, "", _("The file has no rows to import."))])
    if len(rows) > MAX_ROWS:
        raise RosterRefused(
            [
                RosterProblem(
                    None,
                    "",
                    _("The file has %(rows)s rows; at most %(limit)s can be imported at once.")
                    % {"rows": f"{len(rows):,}", "limit": f"{MAX_ROWS:,}"},
                )
            ]
        )
    today = timezone.localdate()
    checked, problems = _check_rows(rows, columns, today)
    if problems:
        raise RosterRefused(problems)
    inside = [line for line in checked if not line.region_code or _covers(region, line.region_code)]
    hashes = {id_numbers.lookup_hash(line.number.number): line for line in inside}
    try:
        # Committed on its own: the look-ups stay recorded whatever follows.
        registry_search_for_import(actor=actor, hashes=list(hashes))
    except ImportAllowanceExceeded as refused:
        raise RosterRefused(
            [
                RosterProblem(
                    None,
                    "",
                    _(
                        "This file has %(rows)d ID numbers to check against the registry, but you "
                        "may have %(allowance)d checked by imports in 24 hours and %(remaining)d "
                        "remain: nothing was checked or imported. Split the file, or ask the "
                        "county to raise the allowance."
                    )
                    % {
                        "rows": refused.rows,
                        "allowance": refused.allowance,
                        "remaining": refused.remaining,
                    },
                )
            ]
        ) from None

    with transaction.atomic(), pghistory.context(user=actor.pk):
        members = roster_members(user=actor, region_code=region.code)
        registered = {
            member.id_number_hash: member
            for member in members.filter(id_number_hash__in=list(hashes))
        }
        entries: list[CivilAffairsRosterEntry] = []
        for number_hash, line in hashes.items():
            member = registered.get(number_hash)
            ours = _our_status(member) if member is not None else ""
            entries.append(
                CivilAffairsRosterEntry(
                    side=RosterSide.BOTH if ours else RosterSide.THEIRS,
                    row=line.row,
                    id_number_hash=number_hash,
                    id_number_masked=line.number.masked,
                    their_status=line.status,
                    since=line.since,
                    amount=line.amount,
                    region_code=line.region_code,
                    our_status=ours,
                    mismatch=bool(ours) and ours != line.status,
                    member=member,
                    household=member.household if member is not None else None,
                )
            )
        # Ours alone: a person flagged dibao or tekun here, or the head of a dibao-edge
        # household none of whose members is in their roster.
        in_theirs = {member.household_id for member in registered.values()}
        flagged = members.exclude(id_number_hash__in=list(hashes)).filter(
            # The edge is the household's layer: its head stands for it.
            Q(dibao=True)
            | Q(tekun=True)
            | Q(household__layer=Layer.DIBAO_EDGE, relation=Member.Relation.HEAD)
        )
        for member in flagged.order_by("household__number", "pk"):
            ours = _our_status(member)
            if not ours or (ours == RosterStatus.DIBAO_EDGE and member.household_id in in_theirs):
                continue
            entries.append(
                CivilAffairsRosterEntry(
                    side=RosterSide.OURS,
                    id_number_hash=member.id_number_hash,
                    id_number_masked=member.id_number_masked,
                    our_status=ours,
                    member=member,
                    household=member.household,
                )
            )
        both = [entry for entry in entries if entry.side == RosterSide.BOTH]
        roster = CivilAffairsRoster.objects.create(
            region=region,
            imported_by=actor,
            file_name=file_name[:120],
            rows=len(rows),
            outside_rows=len(checked) - len(inside),
            in_both=len(both),
            mismatches=sum(entry.mismatch for entry in both),
            only_theirs=sum(entry.side == RosterSide.THEIRS for entry in entries),
            only_ours=sum(entry.side == RosterSide.OURS for entry in entries),
        )
        for entry in entries:
            entry.roster = roster
        CivilAffairsRosterEntry.objects.bulk_create(entries, batch_size=2000)
    return roster


def _check_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and len(note) < 2:
        raise ValidationError({"note": _("Say why, in a few words.")})
    if len(note) > 200:
        raise ValidationError({"note": _("At most 200 characters.")})
    if LONG_NUMBER.search(unicodedata.normalize("NFKC", note)):
        raise ValidationError(
            {"note": _("A note may not hold an ID number, a phone or a bank account number.")}
        )
    return note


def _entry_locked(actor: User, entry: CivilAffairsRosterEntry, version: int):
    if not may_act(actor):
        raise PermissionDenied(_("Your role may not do this."))
    locked = (
        roster_entries_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("member", "household", "roster")
        .filter(pk=entry.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This line is outside your region."))
    if locked.version != version:
        raise EditConflict()
    if locked.outcome != RosterOutcome.OPEN:
        raise ValidationError(_("This line has been acted on already."), code="acted")
    return locked


def _record(entry: CivilAffairsRosterEntry, actor: User, outcome: str, note: str) -> None:
    entry.outcome, entry.note = outcome, note
    entry.acted_by, entry.acted_at = actor, timezone.now()
    entry.version += 1
    entry.save()


def roster_entry_note(
    *, actor: User, entry: CivilAffairsRosterEntry, version: int, note: str
) -> CivilAffairsRosterEntry:
    """Note why a line needs nothing more (a person who moved away, a decision pending)."""
    note = _check_note(note, required=True)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _entry_locked(actor, entry, version)
        _record(locked, actor, RosterOutcome.NOTED, note)
    return locked


def roster_entry_propose_case(
    *,
    actor: User,
    entry: CivilAffairsRosterEntry,
    version: int,
    note: str,
    risk_type: str = RiskType.OTHER,
) -> CivilAffairsRosterEntry:
    """Propose a case for the registered household of the line. A person we flag dibao or tekun
    and civil affairs does not list is referred to civil affairs with the case."""
    note = _check_note(note, required=True)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _entry_locked(actor, entry, version)
        household = locked.household
        if household is None:
            raise ValidationError(
                _("This person is not registered in your region: register the household first."),
                code="not_registered",
            )
        refer = (
            locked.our_status
            if locked.side == RosterSide.OURS
            and locked.our_status in (RosterStatus.DIBAO, RosterStatus.TEKUN)
            else None
        )
        case = case_propose(
            actor=actor,
            household_id=household.pk,
            origin="cadre",
            category=CATEGORY_FOR_STATUS[household.poverty_status],
            risk_types=[risk_type],
            situation=_("Civil affairs roster: %(note)s") % {"note": note},
            civil_affairs=refer,
        )
        locked.case = case
        _record(locked, actor, RosterOutcome.CASE_PROPOSED, note)
    return locked


def roster_entry_signal(
    *, actor: User, entry: CivilAffairsRosterEntry, version: int, note: str = ""
) -> CivilAffairsRosterEntry:
    """Raise civil affairs' signal about the registered person of the line, so that the early
    warning judges the household again: assistance granted (in their roster) or cancelled (only
    in ours)."""
    note = _check_note(note, required=False)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _entry_locked(actor, entry, version)
        member = locked.member
        if member is None:
            raise ValidationError(
                _("This person is not registered in your region: there is no one to warn about."),
                code="not_registered",
            )
        kind = (
            SignalKind.ASSISTANCE_CANCELLED
            if locked.side == RosterSide.OURS
            else SignalKind.ASSISTANCE_GRANTED
        )
        status = locked.their_status or locked.our_status
        detail = _("Civil affairs roster of %(day)s: %(status)s.") % {
            "day": locked.roster.imported_at.date().isoformat(),
            "status": RosterStatus(status).label if status else "",
        }
        [result] = signals_store(
            actor=actor,
            items=[
                SignalItem(
                    source=SignalSource.CIVIL_AFFAIRS,
                    external_id=f"roster-{locked.roster_id}-{locked.pk}",
                    kind=kind,
                    occurred_on=locked.since or timezone.localdate(),
                    # Decrypted only to be checked and hashed again by the signal's own store.
                    id_number=id_numbers.decrypt(member.id_number_encrypted),
                    amount=locked.amount,
                    detail=f"{detail} {note}".strip()[:500],
                )
            ],
        )
        if result.result == "invalid" or result.signal_id is None:
            raise ValidationError(_("The signal could not be raised."), code="signal")
        locked.signal_id = result.signal_id
        _record(locked, actor, RosterOutcome.SIGNAL_RAISED, note)
    return locked
