"""Importing the registry from the template: a dry run that lists every problem, then all of it
or nothing. The same rules as the registry's pages (households/services.py) apply to each row."""

import logging
from dataclasses import dataclass, field
from typing import Protocol

import pghistory
import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import id_numbers
from core.arrays import any_of
from households import registry_rules
from households.models import Household, LifeEvent, Member, Region
from households.selectors import regions_visible_to
from households.services import ImportAllowanceExceeded, registry_search_for_import
from spreadsheets.columns import BY_KEY, HOUSEHOLD_COLUMNS
from spreadsheets.resources import (
    HOUSEHOLD_FAILED,
    MEMBER_COLUMN_OF,
    HouseholdImportResource,
    MemberImportResource,
    member_facts,
)
from spreadsheets.widgets import cell_text
from spreadsheets.workbook import MAX_PROBLEMS, Problem, SheetRefused, read_registry_sheet

logger = logging.getLogger(__name__)

IMPORT_PERMISSIONS = ("households.add_household", "households.add_member")
# One registry import at a time in the whole county: a second waits for the first to commit and
# then finds its rows already there, so the same file sent twice never makes duplicates.
IMPORT_LOCK = 0x5EE7_1A27
# Past this many changed households, one sweep judges them rather than a task each.
EVALUATE_ONE_BY_ONE = 50


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    households: Counts = field(default_factory=Counts)
    members: Counts = field(default_factory=Counts)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def shown_problems(self) -> list[Problem]:
        return self.problems[:MAX_PROBLEMS]

    @property
    def hidden_problems(self) -> int:
        return max(len(self.problems) - MAX_PROBLEMS, 0)

    @property
    def changes_anything(self) -> bool:
        return any(counts.new or counts.changed for counts in (self.households, self.members))


class Progress(Protocol):
    """Told how far an import has got: the total once the file is read, then every row."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


def may_import(user) -> bool:
    return user.is_authenticated and all(user.has_perm(perm) for perm in IMPORT_PERMISSIONS)


def registry_import(
    *, actor: User, content: bytes, dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    """Read a filled-in template. A dry run writes nothing; a real run writes every row or none.
    `progress` hears of each household and member row handled (the page of an import job)."""
    if not may_import(actor):
        raise PermissionDenied(_("Your role may not do this."))
    report = ImportReport(dry_run=dry_run)
    try:
        sheet = read_registry_sheet(content)
    except SheetRefused as refused:
        report.problems = refused.problems
        return report
    report.rows = len(sheet.rows)
    villages = list(regions_visible_to(actor).filter(level=Region.Level.VILLAGE))
    plan = _Plan(sheet, today=timezone.localdate())
    if dry_run:
        # The check is where the file's numbers are searched and answered row by row; the
        # import that follows its confirm searches the same file's numbers again.
        try:
            registry_search_for_import(actor=actor, hashes=plan.hashes)
        except ImportAllowanceExceeded as refused:
            report.problems = [Problem(None, "", _allowance_message(refused)), *plan.problems]
            return report
    report.problems.extend(plan.problems)
    if progress is not None:
        progress.start(len(plan.household_dataset) + len(plan.member_dataset))

    with transaction.atomic(), pghistory.context(user=actor.pk):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        household_resource = HouseholdImportResource(
            villages=villages, new_facts=_new_household_facts(plan.member_dataset)
        )
        household_resource.progress = progress
        households = household_resource.import_data(
            plan.household_dataset, dry_run=False, raise_errors=False, use_transactions=True
        )
        report.problems.extend(_problems(households, plan.household_rows, sheet.headers, {}))
        failed = {
            plan.household_dataset[row.number - 1][0] for row in households.invalid_rows
        } | plan.failed_numbers
        by_number = {
            household.number: household
            for household in Household.objects.filter(
                any_of(Household, "number", plan.numbers - failed)
            )
        }
        member_resource = MemberImportResource(
            households=by_number,
            id_checks=plan.id_checks,
            # The heads the file's households have in members the file does not write.
            heads=registry_rules.SingleHeads(
                household_ids=[household.pk for household in by_number.values()],
                excluding=any_of(Member, "id_number_hash", plan.hashes),
            ),
            duplicates=registry_rules.DuplicatePersons(actor=actor, id_hashes=plan.hashes),
            hashes=plan.hashes,
            actor=actor,
        )
        member_resource.progress = progress
        members = member_resource.import_data(
            plan.member_dataset, dry_run=False, raise_errors=False, use_transactions=True
        )
        report.problems.extend(_problems(members, sheet.rows, sheet.headers, MEMBER_COLUMN_OF))
        report.problems.sort(key=lambda problem: (problem.row or 0, problem.column))
        report.households = _counts(households)
        report.members = _counts(members)
        LifeEvent.objects.bulk_create(member_resource.life_events)

        if report.ok:
            # The new households were written with their facts and marked for evaluation.
            new = _numbers(households, plan.household_dataset, "new")
            changed = _numbers(households, plan.household_dataset, "update")
            changed |= _numbers(members, plan.member_dataset, "new", "update") - new
            registry_rules.members_changed(
                _ids(by_number, changed),
                sweep_past=EVALUATE_ONE_BY_ONE,
                marked_new=_ids(by_number, new),
            )
        if dry_run or not report.ok:
            transaction.set_rollback(True)
    return report


class _Plan:
    """The rows split into one row per household and one per member, with what can be told
    without the database: a household written differently on two of its rows, an ID number
    that is wrong or given twice."""

    def __init__(self, sheet, *, today):
        self.problems: list[Problem] = []
        self.id_checks: dict[str, id_numbers.IdNumber | str] = {}
        self.failed_numbers: set[str] = set()
        dataset = sheet.dataset
        keys = dataset.headers
        number_at = keys.index("number")
        household_keys = [column.key for column in HOUSEHOLD_COLUMNS]
        self.household_dataset = tablib.Dataset(headers=household_keys)
        self.household_rows: list[int] = []
        first_of: dict[str, tuple[int, list]] = {}
        member_rows = []
        hashes: list[str] = []
        seen_hash: dict[str, int] = {}
        for index, values in enumerate(dataset):
            excel_row = sheet.rows[index]
            values = list(values)
            values[number_at] = cell_text(values[number_at])
            number = values[number_at]
            household = [values[keys.index(key)] for key in household_keys]
            if not number:
                self.problems.append(
                    Problem(excel_row, sheet.headers["number"], _("This field cannot be blank."))
                )
            elif number not in first_of:
                first_of[number] = (excel_row, household)
                self.household_dataset.append(household)
                self.household_rows.append(excel_row)
            else:
                first_row, first = first_of[number]
                differing = [
                    key
                    for key, mine, theirs in zip(household_keys, household, first, strict=True)
                    if cell_text(mine) != cell_text(theirs)
                ]
                if differing:
                    self.failed_numbers.add(number)
                    self.problems.append(
                        Problem(
                            excel_row,
                            sheet.headers.get(differing[0], BY_KEY[differing[0]].header),
                            _(
                                "Differs from row %(row)d of the same household: write the "
                                "household the same way on each of its rows."
                            )
                            % {"row": first_row},
                        )
                    )
            id_hash = self._check_id(values[keys.index("id_number")], index, today)
            if id_hash in seen_hash:
                placeholder = f"twice:{index}"
                self.id_checks[placeholder] = _(
                    "This ID number is already in row %(row)d of this file."
                ) % {"row": seen_hash[id_hash]}
                id_hash = placeholder
            elif not id_hash.startswith("invalid:"):
                seen_hash[id_hash] = excel_row
                hashes.append(id_hash)
            member_rows.append([*values, id_hash])
        self.member_dataset = tablib.Dataset(*member_rows, headers=[*keys, "id_hash"])
        self.numbers = set(first_of)
        self.hashes = hashes

    def _check_id(self, raw, index: int, today) -> str:
        if isinstance(raw, float):
            placeholder = f"invalid:{index}"
            self.id_checks[placeholder] = _(
                "Excel stored this ID number as a number, which loses its last digits: format "
                "the column as text and type the number again."
            )
            return placeholder
        try:
            checked = registry_rules.id_number_check(cell_text(raw), today=today)
        except ValidationError as error:
            placeholder = f"invalid:{index}"
            self.id_checks[placeholder] = " ".join(error.messages)
            return placeholder
        id_hash = id_numbers.lookup_hash(checked.number)
        self.id_checks.setdefault(id_hash, checked)
        return id_hash


def _allowance_message(refused: ImportAllowanceExceeded) -> str:
    return _(
        "This file has %(rows)d ID numbers to check against the registry, but you may have "
        "%(allowance)d checked by imports in 24 hours and %(remaining)d remain: nothing was "
        "checked or imported. Split the file, or ask the county to raise the allowance."
    ) % {"rows": refused.rows, "allowance": refused.allowance, "remaining": refused.remaining}


def _problems(result, rows: list[int], headers: dict[str, str], column_of: dict) -> list[Problem]:
    problems = []
    for error in result.base_errors:
        problems.append(Problem(None, "", _base_error_message(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            logger.warning("import row %s failed: %r", rows[number - 1], error.error)
            problems.append(
                Problem(rows[number - 1], "", _("This row could not be read; check its cells."))
            )
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            if messages == [HOUSEHOLD_FAILED]:
                continue
            key = column_of.get(attribute, attribute)
            column = headers.get(key) or (str(BY_KEY[key].header) if key in BY_KEY else "")
            for message in messages:
                if message != HOUSEHOLD_FAILED:
                    problems.append(Problem(rows[invalid.number - 1], column, str(message)))
    return problems


def _base_error_message(error: Exception) -> str:
    if isinstance(error, IntegrityError):
        return _(
            "Some of these households or people were registered by someone else meanwhile: "
            "nothing was saved. Run the import again."
        )
    logger.error("registry import failed", exc_info=error)
    return _("The import failed: nothing was saved.")


def _counts(result) -> Counts:
    return Counts(
        new=result.totals["new"], changed=result.totals["update"], unchanged=result.totals["skip"]
    )


def _numbers(result, dataset, *import_types: str) -> set[str]:
    """The household numbers of the rows the import wrote as these types ("new", "update")."""
    number_at = dataset.headers.index("number")
    return {
        dataset[index][number_at]
        for index, row in enumerate(result.rows)
        if row.import_type in import_types
    }


def _new_household_facts(member_dataset) -> dict[str, dict]:
    """By household number, the cached facts a household has once the file's member rows are
    in, for the household resource to write the new ones with. A row the import refuses counts
    for nothing: the file is then not written."""
    members: dict[str, list[dict]] = {}
    for row in member_dataset.dict:
        facts = member_facts(row)
        if facts is not None:
            members.setdefault(row["number"], []).append(facts)
    return {
        number: registry_rules.cached_facts_of_new_household(rows)
        for number, rows in members.items()
    }


def _ids(by_number: dict[str, Household], numbers: set[str]) -> list[int]:
    return sorted(by_number[number].pk for number in numbers if number in by_number)
