"""Exports of the lists as .xlsx: what the list shows, in the user's scope, masked as the page.

Each list's rows come from `spreadsheets.selectors`, which applies the same selector and filters
as the page. django-import-export resources name the columns (the headers the page uses, in the
user's language) and turn each record into a row; xlsxwriter writes the rows as they come.

Streaming, because a file holds up to MAX_EXPORT_ROWS rows: the library's `Resource.export`
builds a whole tablib Dataset and tablib a whole openpyxl workbook, cell objects and all (348 MB
for 46,000 households, bench/export.py). Here the records are read in chunks from a server-side
cursor, each row goes straight into a worksheet of xlsxwriter's in constant-memory mode (written
to a temporary file at once), and the zipped workbook lands in a temporary file that the
response streams. The resources stay: they keep the columns, their headers and the masking
declared in one place, and per row they cost no more than the dehydrate methods they call.
xlsxwriter rather than openpyxl's write-only sheet, which made a cell object of every value: a
village's export takes a fifth to a quarter less CPU (docs/scaling.md, the capacity model).

Formulas: the library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT (4.4.3) only drops a leading "="
and turns every cell, dates too, into text. Here a text cell that starts with = + - @ or a tab
or carriage return gets a leading apostrophe instead, and is stored as text (never as a
formula: WORKBOOK_OPTIONS), so a spreadsheet program shows it as written without evaluating it.
Dates stay dates.
"""

import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain, islice
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from assistance.models import StepKind
from core.masking import mask_account, mask_phone
from monitoring.templatetags.monitoring_tags import rule_label
from spreadsheets.widgets import FORMULA_START

MAX_EXPORT_ROWS = 50_000


def too_many_rows(count: int) -> str:
    return _(
        "%(count)s rows are too many for one file (at most %(limit)s): "
        "narrow the filters and export again."
    ) % {"count": f"{count:,}", "limit": f"{MAX_EXPORT_ROWS:,}"}


NOT_IN_XML = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ufffe\uffff]")
# Rows fetched per round trip from the server-side cursor; the first chunk also sizes the columns.
CHUNK_ROWS = 2_000
MAX_COLUMN_WIDTH = 60


def neutralise(value):
    if isinstance(value, str):
        if value.startswith(FORMULA_START):
            value = "'" + value
        # Control characters other than tab and line breaks, and the noncharacters U+FFFE and
        # U+FFFF, cannot be stored in the file's XML: openpyxl refuses the whole workbook for
        # one of them (through lxml), so they are shown as U+FFFD.
        if NOT_IN_XML.search(value):
            value = NOT_IN_XML.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


class _Native(widgets.Widget):
    """The value as it is, so that a date is a date and a number a number in the sheet: the base
    widget turns every value into text, whatever `force_native_type` asks."""

    def render(self, value, obj=None, **kwargs):
        return value


def _field(attribute: str | None, label) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=label, widget=_Native())


class ListResource(resources.Resource):
    class Meta:
        chunk_size = CHUNK_ROWS

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def iter_queryset(self, queryset):
        # The library (4.4.3) pages a queryset with prefetches by OFFSET, which sorts again for
        # every page; Django's iterator has prefetched per chunk since 4.1.
        return queryset.iterator(chunk_size=self.get_chunk_size())

    def export_rows(self, queryset) -> Iterator[list]:
        """Each record as a row of native values (dates as dates), one chunk in memory at once:
        `Resource.export` without the Dataset that holds them all."""
        cells = [self._cell(field) for field in self.get_export_fields()]
        for instance in self.iter_queryset(queryset):
            yield [neutralise(cell(instance)) for cell in cells]

    def _cell(self, field) -> Callable[[Any], Any]:
        """What `export_field` does for this column, looked up once for the file: the library
        looks the dehydrate method up again for every cell, and finds the field's name by
        walking every field (`get_field_name`), 13 × 13 steps a household row."""
        dehydrate = field.get_dehydrate_method(self.get_field_name(field))
        method = dehydrate if callable(dehydrate) else getattr(self, dehydrate, None)
        if method is not None:
            return method
        return partial(field.export, force_native_type=True)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _display(instance, name: str) -> str:
    return getattr(instance, f"get_{name}_display")()


class HouseholdExport(ListResource):
    number = _field("number", gettext_lazy("household number"))
    head_name = _field("head_name", gettext_lazy("household head"))
    village = _field(None, gettext_lazy("Village"))
    poverty_status = _field(None, gettext_lazy("poverty status"))
    poverty_exit_year = _field("poverty_exit_year", gettext_lazy("year lifted out of poverty"))
    member_count = _field("member_count", gettext_lazy("members"))
    risk_level = _field(None, gettext_lazy("risk level"))
    risk_score = _field("risk_score", gettext_lazy("risk score"))
    address = _field("address", gettext_lazy("address"))
    phone = _field(None, gettext_lazy("phone"))
    bank_account = _field(None, gettext_lazy("bank account"))
    last_visit_on = _field("last_visit_on", gettext_lazy("last visit"))
    next_visit_due = _field("next_visit_due", gettext_lazy("next visit due"))

    def dehydrate_village(self, household):
        return household.village.short_name

    def dehydrate_poverty_status(self, household):
        return _display(household, "poverty_status")

    def dehydrate_risk_level(self, household):
        return _display(household, "risk_level")

    # Masked as on every page: the full values are shown only through an unmasking that is logged.
    def dehydrate_phone(self, household):
        return mask_phone(household.phone)

    def dehydrate_bank_account(self, household):
        return mask_account(household.bank_account)


class VisitExport(ListResource):
    visited_on = _field("visited_on", gettext_lazy("visit date"))
    number = _field("household__number", gettext_lazy("household number"))
    head_name = _field("household__head_name", gettext_lazy("household head"))
    village = _field(None, gettext_lazy("Village"))
    visitor = _field(None, gettext_lazy("visitor"))
    household_size = _field("household_size", gettext_lazy("household size"))
    total_net_income = _field("total_net_income", gettext_lazy("household net income"))
    per_capita_income = _field("per_capita_income", gettext_lazy("per-capita net income"))
    rigid_spending = _field("rigid_spending", gettext_lazy("rigid spending"))
    food_clothing_ok = _field(None, gettext_lazy("enough food and clothing"))
    compulsory_education_ok = _field(None, gettext_lazy("compulsory education ensured"))
    basic_medical_ok = _field(None, gettext_lazy("basic medical care ensured"))
    safe_housing_ok = _field(None, gettext_lazy("safe housing"))
    safe_water_ok = _field(None, gettext_lazy("safe drinking water"))
    notes = _field("notes", gettext_lazy("notes"))

    def dehydrate_village(self, visit):
        return visit.household.village.short_name

    def dehydrate_visitor(self, visit):
        return visit.visitor.display_name if visit.visitor else ""

    def dehydrate_food_clothing_ok(self, visit):
        return _yes_no(visit.food_clothing_ok)

    def dehydrate_compulsory_education_ok(self, visit):
        return _yes_no(visit.compulsory_education_ok)

    def dehydrate_basic_medical_ok(self, visit):
        return _yes_no(visit.basic_medical_ok)

    def dehydrate_safe_housing_ok(self, visit):
        return _yes_no(visit.safe_housing_ok)

    def dehydrate_safe_water_ok(self, visit):
        return _yes_no(visit.safe_water_ok)


class AlertExport(ListResource):
    level = _field(None, gettext_lazy("Level"))
    score = _field("score", gettext_lazy("score"))
    number = _field("household__number", gettext_lazy("household number"))
    head_name = _field("household__head_name", gettext_lazy("household head"))
    village = _field(None, gettext_lazy("Village"))
    reasons = _field(None, gettext_lazy("Reasons"))
    status = _field(None, gettext_lazy("Status"))
    assignee = _field(None, gettext_lazy("Assigned to"))
    opened_at = _field(None, gettext_lazy("Opened"))

    def dehydrate_level(self, alert):
        return alert.get_level_display()

    def dehydrate_village(self, alert):
        return alert.household.village.short_name

    def dehydrate_reasons(self, alert):
        return "、".join(str(rule_label(code)) for code in alert.reason_codes)

    def dehydrate_status(self, alert):
        return alert.get_status_display()

    def dehydrate_assignee(self, alert):
        user = alert.assignee
        return user.display_name if user else ""

    def dehydrate_opened_at(self, alert):
        return timezone.localtime(alert.opened_at).date()


class CaseExport(ListResource):
    number = _field("household__number", gettext_lazy("household number"))
    head_name = _field("household__head_name", gettext_lazy("Household"))
    village = _field(None, gettext_lazy("Village"))
    category = _field(None, gettext_lazy("Category"))
    status = _field(None, gettext_lazy("Status"))
    proposed_on = _field("proposed_on", gettext_lazy("proposed on"))
    enrolled_on = _field("enrolled_on", gettext_lazy("enrolled on"))
    next_step = _field(None, gettext_lazy("Next step"))
    next_due_on = _field("next_due_on", gettext_lazy("Due"))
    responsible = _field(None, gettext_lazy("Responsible cadre"))

    def dehydrate_village(self, case):
        return case.household.village.short_name

    def dehydrate_category(self, case):
        return case.get_category_display()

    def dehydrate_status(self, case):
        return case.get_status_display()

    def dehydrate_next_step(self, case):
        step = getattr(case, "next_step", None)
        return str(StepKind(step).label) if step in StepKind.values else ""

    def dehydrate_responsible(self, case):
        user = case.responsible
        return user.display_name if user else ""


class MeasureExport(ListResource):
    title = _field("title", gettext_lazy("Measure"))
    kind = _field(None, gettext_lazy("kind"))
    head_name = _field("case__household__head_name", gettext_lazy("Household head"))
    village = _field(None, gettext_lazy("Village"))
    partner = _field(None, gettext_lazy("Provided by"))
    planned_start = _field("planned_start", gettext_lazy("planned start"))
    planned_end = _field("planned_end", gettext_lazy("planned end"))
    actual_start = _field("actual_start", gettext_lazy("actual start"))
    actual_end = _field("actual_end", gettext_lazy("actual end"))
    planned_amount = _field("planned_amount", gettext_lazy("planned amount (yuan)"))
    delivered_amount = _field("delivered_amount", gettext_lazy("delivered amount (yuan)"))
    status = _field(None, gettext_lazy("Status"))

    def dehydrate_kind(self, measure):
        return measure.get_kind_display()

    def dehydrate_village(self, measure):
        return measure.case.household.village.short_name

    def dehydrate_partner(self, measure):
        return measure.partner.name if measure.partner else ""

    def dehydrate_status(self, measure):
        return measure.get_status_display()


class PartnerExport(ListResource):
    name = _field("name", gettext_lazy("Name of the partner"))
    kind = _field(None, gettext_lazy("Kind"))
    area = _field(None, gettext_lazy("Area served"))
    contact_name = _field("contact_name", gettext_lazy("Contact person"))
    contact_phone = _field("contact_phone", gettext_lazy("contact phone"))
    address = _field("address", gettext_lazy("address"))
    is_active = _field(None, gettext_lazy("Active"))

    def dehydrate_kind(self, partner):
        return partner.get_kind_display()

    def dehydrate_contact_phone(self, partner):
        # Masked like the list it exports (assistance.selectors.partner_contact_phone).
        return mask_phone(partner.contact_phone)

    def dehydrate_area(self, partner):
        return partner.area.short_name

    def dehydrate_is_active(self, partner):
        return _yes_no(partner.is_active)


def export_workbook(resource: ListResource, queryset, *, title: str) -> tuple[IO[bytes], int]:
    """The rows as an .xlsx workbook (bold frozen header, dates as dates, no formulas) in an
    anonymous temporary file, read from its start, and how many rows it holds: the number the
    audit trail records, counted as written (a count asked before may miss a household
    registered meanwhile). The caller closes the file; it has no name on disk, so it is gone
    with the process even if the caller never does."""
    output = tempfile.TemporaryFile()
    number = 0
    # xlsxwriter keeps the sheet's rows in a named temporary file until the workbook is closed;
    # in a folder of the export's own, removed whatever happens, so that an export failing
    # midway leaves nothing behind on a server whose processes live for days.
    with tempfile.TemporaryDirectory(prefix="dixian-export-") as scratch:
        book = xlsxwriter.Workbook(output, {**WORKBOOK_OPTIONS, "tmpdir": scratch})
        try:
            sheet = book.add_worksheet(_sheet_title(title))
            rows = resource.export_rows(queryset)
            first = list(islice(rows, CHUNK_ROWS))
            headers = [str(header) for header in resource.get_export_headers()]
            # Columns are sized from the header and the first chunk's rows.
            for index, width in enumerate(_widths(chain([headers], first))):
                sheet.set_column(index, index, width)
            sheet.freeze_panes(1, 0)
            sheet.write_row(0, 0, headers, book.add_format({"bold": True}))
            wrap = book.add_format({"text_wrap": True})
            for number, row in enumerate(chain(first, rows), 1):
                for column, value in enumerate(row):
                    _write(sheet, number, column, value, wrap)
            book.close()
        except BaseException:
            output.close()
            raise
    output.seek(0)
    return output, number


# Every value is written as what it is: text is text even when it starts with "=" or looks like
# a number or an address (a household number keeps its leading digits as typed), dates are dates.
# constant_memory writes each row to a temporary file as it comes, so a 50,000-row file never
# holds more than one row in memory.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd",
    # A sheet of long notes may pass the 2 GB that a zip without its 64-bit extension holds.
    "use_zip64": True,
}
_SHEET_TITLE_FORBIDS = re.compile(r"[\\*?:/\[\]]")


def _sheet_title(title: str) -> str:
    # Excel refuses a sheet name that starts or ends with an apostrophe.
    return _SHEET_TITLE_FORBIDS.sub("-", title)[:31].strip("'") or "Sheet"


def _write(sheet, row: int, column: int, value, wrap) -> None:
    cell_format = [wrap] if _multiline(value) else []
    if isinstance(value, str) and value.startswith("<r>") and value.endswith("</r>"):
        # xlsxwriter takes text of this shape for a rich string of its own making and puts it
        # into the sheet's XML unescaped: a visit's note could then bring cells of its own, a
        # formula among them, or break the file for everyone. Written as three plain pieces it
        # is escaped like any text and reads back as typed.
        sheet.write_rich_string(row, column, value[:1], value[1:2], value[2:], *cell_format)
    elif cell_format:
        sheet.write_string(row, column, value, *cell_format)
    else:
        sheet.write(row, column, value)


def _multiline(value) -> bool:
    return isinstance(value, str) and "\n" in value


def _widths(rows: Iterable[list]) -> list[int]:
    """Each column as wide as its longest value, a Chinese character counting twice."""
    widths: list[int] = []
    for row in rows:
        for index, value in enumerate(row):
            text = "" if value is None else str(value)
            width = len(text) + sum(unicodedata.east_asian_width(c) in "WF" for c in text)
            if index < len(widths):
                widths[index] = max(widths[index], width)
            else:
                widths.append(width)
    # A long note would otherwise push the next columns off the screen.
    return [min(width, MAX_COLUMN_WIDTH) for width in widths]
