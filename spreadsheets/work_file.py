"""Reading a department's file of monthly work (务工就业月度信息): an Excel workbook (.xlsx) whose
header row names the columns in our words. Cells are read and turned into the values the service
takes (a month, a status's code from its Chinese or English name); what they must hold beyond
that is the service's to check (livelihoods/services/work.py), row by row, all or nothing."""

import datetime
import io
import unicodedata

import openpyxl
from django.utils import translation
from django.utils.translation import gettext as _

from livelihoods.models import IncomeBand, Sector, WorkPlace, WorkStatus
from livelihoods.services.work import MAX_IMPORT_ROWS, WorkImportRefused, WorkProblem, WorkRow
from spreadsheets.columns import normalise_header
from spreadsheets.workbook import MAX_BYTES, SheetRefused, _check_size

HEADER_WORDS = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "id_number"),
    "month": ("月份", "年月", "统计月份", "month"),
    "status": ("就业状态", "务工状态", "status"),
    "place": ("务工地点", "就业地点", "place"),
    "sector": ("行业", "从事行业", "sector"),
    "employer": ("务工单位", "就业单位", "用工单位", "employer"),
    "income_band": ("月收入", "月工资", "income_band"),
}
REQUIRED = ("id_number", "month", "status")
CHOICES = {
    "status": WorkStatus.choices,
    "place": WorkPlace.choices,
    "sector": Sector.choices,
    "income_band": IncomeBand.choices,
}


# Words departments write for a status, beside the form's own.
EXTRA_NAMES = {"status": {"务工": "working", "就业": "working", "外出务工": "working"}}


def _normalised(value) -> str:
    return normalise_header(unicodedata.normalize("NFKC", str(value or "")))


def _aliases() -> dict[str, str]:
    return {_normalised(word): key for key, words in HEADER_WORDS.items() for word in words}


def _choice_names() -> dict[str, dict[str, str]]:
    """Each column's choices by code and by name, in Chinese and in English."""
    names: dict[str, dict[str, str]] = {}
    for key, choices in CHOICES.items():
        names[key] = {_normalised(word): code for word, code in EXTRA_NAMES.get(key, {}).items()}
        for code, label in choices:
            names[key][_normalised(code)] = code
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    names[key][_normalised(str(label))] = code
    return names


def _month(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    for pattern in ("%Y-%m", "%Y/%m", "%Y%m", "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月"):
        try:
            return datetime.datetime.strptime(text, pattern).date().replace(day=1)
        except ValueError:
            continue
    return None


def _refused(message: str) -> WorkImportRefused:
    return WorkImportRefused([WorkProblem(0, "", message)])


def work_file_read(*, content: bytes) -> list[WorkRow]:
    """The rows of a work file, or WorkImportRefused saying what is wrong with each."""
    if len(content) > MAX_BYTES:
        raise _refused(_("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 2**20})
    try:
        _check_size(content)
    except SheetRefused as refused:
        raise WorkImportRefused(
            [WorkProblem(p.row or 0, p.column, p.message) for p in refused.problems]
        ) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = list(next(lines, ()))
        return _rows(header, enumerate(lines, start=2))
    except WorkImportRefused:
        raise
    except Exception:  # a corrupt part inside a valid zip: openpyxl raises many kinds
        raise _refused(_("This workbook cannot be read: save it again as .xlsx.")) from None


def _rows(header: list, lines) -> list[WorkRow]:
    aliases, names = _aliases(), _choice_names()
    index_of: dict[str, int] = {}
    for index, value in enumerate(header):
        key = aliases.get(_normalised(value))
        if key is not None and key not in index_of:
            index_of[key] = index
    missing = [key for key in REQUIRED if key not in index_of]
    if missing:
        raise WorkImportRefused(
            [
                WorkProblem(
                    1,
                    key,
                    _("The column “%(header)s” is missing from the header row.")
                    % {"header": HEADER_WORDS[key][0]},
                )
                for key in missing
            ]
        )
    rows: list[WorkRow] = []
    problems: list[WorkProblem] = []
    for number, cells in lines:
        cells = list(cells)
        if all(cell in (None, "") for cell in cells):
            continue  # an empty line is not an error
        if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
            raise _refused(
                _("The file has more than %(limit)s rows; split it into several files.")
                % {"limit": f"{MAX_IMPORT_ROWS:,}"}
            )
        raw = {key: cells[index] if index < len(cells) else None for key, index in index_of.items()}
        month = _month(raw["month"])
        if month is None:
            problems.append(WorkProblem(number, "month", _("Write the month as 2026-05.")))
            continue
        values: dict[str, str] = {}
        bad = False
        for key in CHOICES:
            text = _normalised(raw.get(key))
            if not text:
                values[key] = ""
                continue
            code = names[key].get(text)
            if code is None:
                problems.append(WorkProblem(number, key, _("Choose one of the options.")))
                bad = True
            values[key] = code or ""
        if bad:
            continue
        rows.append(
            WorkRow(
                row=number,
                id_number=str(raw["id_number"] or "").strip(),
                month=month,
                employer=str(raw.get("employer") or "").strip()[:100],
                **values,
            )
        )
    if problems:
        raise WorkImportRefused(problems)
    return rows
