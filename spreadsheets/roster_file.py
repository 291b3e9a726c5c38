"""Reading civil affairs' roster (民政名单) from the file it sends: an Excel workbook (.xlsx) or a
CSV file (UTF-8, or GB18030 as Chinese Excel saves it). Only the cells are read here; what they
must hold is the service's to check (assistance/services/civil_affairs_roster.py).

The roster's own header row names the columns, in civil affairs' words or ours; columns this
reconciliation does not need (names, addresses, bank accounts) are left unread.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass, field

import openpyxl
from django.utils.translation import gettext as _

from assistance.models import RosterSide
from assistance.services.civil_affairs_roster import (
    COLUMN_LABELS,
    RosterProblem,
    RosterRefused,
    RosterRow,
)
from spreadsheets.columns import normalise_header
from spreadsheets.exports import neutralise
from spreadsheets.workbook import MAX_BYTES, MAX_ROWS, SheetRefused, _check_size

HEADER_WORDS = {
    "id_number": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "身份证",
        "idnumber",
        "id_number",
    ),
    "status": (
        "类别",
        "救助类别",
        "保障类别",
        "保障类型",
        "对象类别",
        "状态",
        "status",
    ),
    "since": ("起始日期", "保障起始日期", "开始日期", "享受起始日期", "起始年月", "since"),
    "amount": (
        "金额",
        "金额(元)",
        "保障金额",
        "月保障金额",
        "月发放金额",
        "amount",
        "amount(yuan)",
    ),
    "region_code": ("区划代码", "行政区划代码", "统计用区划代码", "regioncode", "region_code"),
}
REQUIRED = ("id_number", "status")


@dataclass
class RosterFile:
    rows: list[RosterRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key -> the header as written


def _normalised(value) -> str:
    """A header as compared: full-width brackets and spaces as half-width, no spaces, any case."""
    return normalise_header(unicodedata.normalize("NFKC", str(value or "")))


def _aliases() -> dict[str, str]:
    aliases = {}
    for key, words in HEADER_WORDS.items():
        for word in (*words, str(COLUMN_LABELS[key])):
            aliases[_normalised(word)] = key
    return aliases


def _refused(message: str, row: int | None = None, column: str = "") -> RosterRefused:
    return RosterRefused([RosterProblem(row, column, message)])


def _read(header: list, lines) -> RosterFile:
    aliases = _aliases()
    found = RosterFile()
    index_of: dict[str, int] = {}
    for index, value in enumerate(header):
        key = aliases.get(_normalised(value)) if value not in (None, "") else None
        if key is not None and key not in index_of:
            index_of[key] = index
            found.columns[key] = str(value).strip()
    missing = [key for key in REQUIRED if key not in index_of]
    if missing:
        raise RosterRefused(
            [
                RosterProblem(
                    1,
                    str(COLUMN_LABELS[key]),
                    _("The column “%(header)s” is missing from the header row.")
                    % {"header": COLUMN_LABELS[key]},
                )
                for key in missing
            ]
        )
    for number, cells in lines:
        cells = list(cells)
        values = {
            key: cells[index] if index < len(cells) else None for key, index in index_of.items()
        }
        if all(value in (None, "") for value in cells):
            continue  # an empty line is not an error
        if len(found.rows) >= MAX_ROWS:
            raise _refused(
                _("The file has more than %(limit)s rows; split it into several files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        found.rows.append(RosterRow(row=number, **values))
    return found


def _read_workbook(content: bytes) -> RosterFile:
    try:
        _check_size(content)
    except SheetRefused as refused:
        raise RosterRefused(
            [
                RosterProblem(problem.row, problem.column, problem.message)
                for problem in refused.problems
            ]
        ) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = list(next(lines, ()))
        return _read(header, ((number, cells) for number, cells in enumerate(lines, start=2)))
    except RosterRefused:
        raise
    except Exception:  # a corrupt part inside a valid zip: openpyxl raises many kinds
        raise _refused(_("This workbook cannot be read: save it again as .xlsx.")) from None


def _read_csv(content: bytes) -> RosterFile:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(_("This CSV file cannot be read: save it as UTF-8."))
    if "\x00" in text:
        raise _refused(_("This CSV file cannot be read: save it as UTF-8."))
    try:
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        return _read(header, ((reader.line_num, cells) for cells in reader))
    except csv.Error:
        raise _refused(_("This CSV file cannot be read: save it as UTF-8.")) from None


def roster_file_read(*, name: str, content: bytes) -> RosterFile:
    """The rows of a roster file, or RosterRefused saying what is wrong with the file."""
    if len(content) > MAX_BYTES:
        raise _refused(_("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 2**20})
    if name.lower().endswith(".csv"):
        return _read_csv(content)
    return _read_workbook(content)


def roster_export_workbook(roster, entries) -> bytes:
    """The three lists of a reconciled roster, one sheet each, for civil affairs: the ID number
    masked as everywhere, the name and household we hold for the people registered here."""
    book = openpyxl.Workbook(write_only=True)
    headers = [
        _("Row of the file"),
        _("ID number"),
        _("Name here"),
        _("Household number"),
        _("Status at civil affairs"),
        _("Status here"),
        _("Status mismatch"),
        _("Since"),
        _("Amount (yuan)"),
        _("Region code"),
        _("Action"),
        _("Note"),
    ]
    sheets = {side: book.create_sheet(str(RosterSide(side).label)[:31]) for side in RosterSide}
    for sheet in sheets.values():
        sheet.append(headers)
    for entry in entries.iterator(chunk_size=2000):
        sheets[entry.side].append(
            # Civil affairs opens the file: a note or a name that starts like a formula stays text.
            [
                neutralise(value)
                for value in (
                    entry.row,
                    entry.id_number_masked,
                    entry.member.name if entry.member is not None else "",
                    entry.household.number if entry.household is not None else "",
                    entry.get_their_status_display(),
                    entry.get_our_status_display(),
                    _("Yes") if entry.mismatch else "",
                    entry.since,
                    entry.amount,
                    entry.region_code,
                    entry.get_outcome_display(),
                    entry.note,
                )
            ]
        )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
