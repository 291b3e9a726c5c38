"""The shape of an uploaded workbook, checked with openpyxl before any row is read as data.

tablib (and so django-import-export) opens workbooks with `data_only=True`, which silently turns
a formula into its last computed value, and it knows nothing of merged cells. Both are refused
here, with the cell named, as are a wrong header row and a sheet too large to take at once. The
size is read from the sheet's recorded dimension first, so a 200,000-row file is refused without
reading its rows.
"""

import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO

import openpyxl
import tablib
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from households.models import Region
from households.selectors import regions_visible_to
from spreadsheets.columns import COLUMNS, Column, header_aliases, normalise_header

MAX_ROWS = 20_000
MAX_BYTES = 15 * 1024 * 1024
# A full 20,000-row template unpacks to about 50 MB; four times that is refused unread.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# A filled-in template has at most this many cells, and so this many shared strings; twice as
# many is refused unread. Far more is a file built to exhaust memory: a few hundred kilobytes of
# "<si><t>a</t></si>" or "<c/>" unpack into millions of objects when openpyxl parses them.
MAX_ELEMENTS = (MAX_ROWS + 1) * len(COLUMNS) * 2
MAX_PROBLEMS = 200  # listed one by one; the rest are counted


@dataclass(frozen=True)
class Problem:
    row: int | None  # the Excel row number; None for the file as a whole
    column: str  # the header as the file has it, or ""
    message: str


@dataclass
class Sheet:
    """The data rows of the first sheet, keyed by column key, with their Excel row numbers."""

    dataset: tablib.Dataset
    rows: list[int]
    headers: dict[str, str]  # column key -> the header as written in the file
    problems: list[Problem] = field(default_factory=list)


class SheetRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].message if problems else "")
        self.problems = problems


def _too_many(rows: int) -> Problem:
    return Problem(
        None,
        "",
        _(
            "The sheet has %(rows)s rows; at most %(limit)s can be imported at once. "
            "Split it into several files."
        )
        % {"rows": f"{rows:,}", "limit": f"{MAX_ROWS:,}"},
    )


def _check_size(content: bytes):
    """Refuse a file that is not a workbook, or too big, before reading its cells; else the
    workbook opened read-only, for the caller to read and close."""
    if len(content) > MAX_BYTES:
        raise SheetRefused(
            [
                Problem(
                    None,
                    "",
                    _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 2**20},
                )
            ]
        )
    not_a_workbook = SheetRefused(
        [Problem(None, "", _("This is not an Excel workbook (.xlsx): save it as .xlsx."))]
    )
    # The archive is measured before openpyxl parses any part of it: even a read-only load
    # reads the whole shared-string table.
    try:
        _check_unpacked(content)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ):
        # RuntimeError: an encrypted part; NotImplementedError: an unknown compression.
        raise not_a_workbook from None
    try:
        book = openpyxl.load_workbook(BytesIO(content), read_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise not_a_workbook from None
    try:
        # The dimension Excel records (A1:X20001) tells the size without reading a row. A writer
        # that records none is measured while reading, below.
        rows = book.worksheets[0].max_row
        if rows is not None and rows > MAX_ROWS + 1:
            raise SheetRefused([_too_many(rows - 1)])
    except BaseException:
        book.close()
        raise
    return book


def _check_unpacked(content: bytes) -> None:
    """Refuse a small file that unpacks into gigabytes, or into millions of tiny strings. The
    sizes are the archive's own; zipfile never unpacks more than an entry declares."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        entries = archive.infolist()
        if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
            raise SheetRefused([_too_many(MAX_ROWS * 10)])
        # Every part is unpacked once, so a truncated or corrupt archive is refused here too.
        for entry in entries:
            name = entry.filename.lower()
            if name.endswith("sharedstrings.xml"):
                element = b"si"
            elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                element = b"c"
            else:
                element = b""
            with archive.open(entry) as part:
                if _elements(part, element) > MAX_ELEMENTS:
                    raise SheetRefused([_too_many(MAX_ROWS * 10)])


def _elements(part, name: bytes) -> int:
    """About how many elements of this name the part holds (<si …> or <x:si …>; a few others
    starting alike are counted too), read a megabyte at a time."""
    count, tail = 0, b""
    while chunk := part.read(1 << 20):
        if not name:
            continue
        text = tail + chunk
        count += text.count(b"<" + name) + text.count(b":" + name)
        tail = text[-len(name) :]  # shorter than a match: none is counted twice
    return count


def _header_problems(found: list, aliases: dict[str, str]) -> tuple[dict[int, str], list[Problem]]:
    """Map each header cell to its column key; name whatever is unknown, doubled or missing."""
    problems: list[Problem] = []
    by_index: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, value in enumerate(found):
        if value is None or not str(value).strip():
            continue
        key = aliases.get(normalise_header(value))
        letter = get_column_letter(index + 1)
        if key is None:
            problems.append(
                Problem(
                    1,
                    str(value),
                    _("Column %(letter)s: “%(header)s” is not a column of the template.")
                    % {"letter": letter, "header": value},
                )
            )
        elif key in seen:
            problems.append(
                Problem(
                    1,
                    str(value),
                    _("Column %(letter)s repeats column %(first)s.")
                    % {"letter": letter, "first": get_column_letter(seen[key] + 1)},
                )
            )
        else:
            seen[key] = index
            by_index[index] = key
    for column in COLUMNS:
        if column.required and column.key not in seen:
            problems.append(
                Problem(
                    1,
                    column.header,
                    _("The column “%(header)s” is missing: use the template’s header row.")
                    % {"header": column.header},
                )
            )
    return by_index, problems


def read_registry_sheet(content: bytes) -> Sheet:
    """The rows of an uploaded registry workbook, or SheetRefused naming what is wrong."""
    book = _check_size(content)
    try:
        cells, merged = _sheet_cells(book)
    except SheetRefused:
        raise
    except Exception:  # a corrupt part inside a valid zip: openpyxl raises many kinds
        raise SheetRefused(
            [Problem(None, "", _("This workbook cannot be read: save it again as .xlsx."))]
        ) from None
    finally:
        book.close()
    numbers = sorted(cells)
    header_row = cells[numbers[0]] if numbers else {}
    found: list = [None] * max(header_row, default=0)
    for column, (value, _data_type) in header_row.items():
        found[column - 1] = value
    by_index, problems = _header_problems(found, header_aliases())
    if problems:
        raise SheetRefused(problems)
    headers = {key: str(found[index]).strip() for index, key in by_index.items()}

    for ref in merged:
        cell_range = CellRange(ref)
        problems.append(
            Problem(
                cell_range.min_row,
                headers.get(by_index.get(cell_range.min_col - 1, ""), ""),
                _("Cells %(range)s are merged: unmerge them and fill in every cell.")
                % {"range": cell_range.coord},
            )
        )

    keys = [column.key for column in COLUMNS]
    dataset = tablib.Dataset(headers=keys)
    rows: list[int] = []
    for number in numbers[1:]:
        values: dict[str, object] = {}
        for column, (value, data_type) in sorted(cells[number].items()):
            key = by_index.get(column - 1)
            if key is None or value is None:
                continue
            if data_type == "f":
                problems.append(
                    Problem(
                        number,
                        headers[key],
                        _("This cell holds a formula (%(formula)s): type the value itself.")
                        % {"formula": str(value)[:40]},
                    )
                )
                continue
            value = value.strip() if isinstance(value, str) else value
            if value != "":
                values[key] = value
        if not values:
            continue  # an empty line between blocks is not an error
        dataset.append([values.get(key) for key in keys])
        rows.append(number)
    if problems:
        raise SheetRefused(problems)
    if not rows:
        raise SheetRefused([Problem(None, "", _("The sheet has no rows to import."))])
    return Sheet(dataset=dataset, rows=rows, headers=headers)


def _sheet_cells(book) -> tuple[dict[int, dict[int, tuple]], list[str]]:
    """The first sheet's cells, row -> column -> (value, data type; "f" for a formula, its text
    the value), and its merged ranges ("A2:B3").

    One pass of openpyxl's own sheet parser over the read-only workbook that `_check_size`
    opened: a full load parsed the shared strings again and made a styled Cell object of every
    cell, only for the values to be read once. The parser gives the same values and types (it is
    what a full load binds its cells from), and the merged ranges, which a read-only sheet does
    not keep, once it has read past the rows."""
    sheet = book.worksheets[0]
    cells: dict[int, dict[int, tuple]] = {}
    with sheet._get_source() as source:  # openpyxl 3.1 names no public way to the parser
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        last = 0
        for _index, row in parser.parse():
            for cell in row:
                last = max(last, cell["row"])
                if last <= MAX_ROWS + 1:
                    cells.setdefault(cell["row"], {})[cell["column"]] = (
                        cell["value"],
                        cell["data_type"],
                    )
    if last > MAX_ROWS + 1:
        # A sheet that records no dimension, measured now that it is read.
        raise SheetRefused([_too_many(last - 1)])
    merged = parser.merged_cells.mergeCell if parser.merged_cells else []
    return cells, [str(ref.ref) for ref in merged]


def _allowed_values_sheet(book, villages: list[Region]) -> dict[str, str]:
    """A second sheet listing what each choice column takes; returns the ranges for drop-downs."""
    sheet = book.create_sheet(_("Allowed values"))
    ranges: dict[str, str] = {}
    listed: list[tuple[Column, list[str]]] = [
        (column, [str(label) for label in column.choices.labels])
        for column in COLUMNS
        if column.choices
    ]
    listed += [(column, [_("Yes"), _("No")]) for column in COLUMNS if column.yes_no]
    for index, (column, labels) in enumerate(listed, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=column.header).font = openpyxl.styles.Font(bold=True)
        for row, label in enumerate(labels, start=2):
            sheet.cell(row=row, column=index, value=label)
        sheet.column_dimensions[letter].width = max(column.width, 14)
        title = sheet.title.replace("'", "''")
        ranges[column.key] = f"'{title}'!${letter}$2:${letter}${len(labels) + 1}"
    start = len(listed) + 2
    for offset, header in enumerate((_("Village"), _("Region code"))):
        cell = sheet.cell(row=1, column=start + offset, value=header)
        cell.font = openpyxl.styles.Font(bold=True)
        sheet.column_dimensions[get_column_letter(start + offset)].width = 22
    for row, village in enumerate(villages, start=2):
        sheet.cell(row=row, column=start, value=village.short_name)
        sheet.cell(row=row, column=start + 1, value=village.code).number_format = "@"
    return ranges


def registry_template(*, user) -> bytes:
    """The template to fill in: the header row, text columns, drop-downs of allowed values."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Households and members")
    villages = list(
        regions_visible_to(user).filter(level=Region.Level.VILLAGE).order_by("code")[:2000]
    )
    ranges = _allowed_values_sheet(book, villages)
    bold = openpyxl.styles.Font(bold=True)
    household_fill = openpyxl.styles.PatternFill("solid", fgColor="FFF2CC")
    last = MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        if column.household:
            cell.fill = household_fill
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            # Digits typed into a text column stay digits: an ID number keeps its last three.
            sheet.column_dimensions[letter].number_format = "@"
        if column.key in ranges:
            validation = DataValidation(type="list", formula1=ranges[column.key], allow_blank=True)
            validation.error = _("Pick one of the listed values.")
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
    sheet.freeze_panes = "C2"
    output = BytesIO()
    book.save(output)
    return output.getvalue()
