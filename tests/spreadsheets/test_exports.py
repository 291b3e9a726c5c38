"""The streamed list exports: rows in chunks, every row once in the page's order, the file sent
from a temporary file that is gone when the response is closed or the export fails."""

import datetime
import glob
import os
import tempfile
from io import BytesIO

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households import services
from households.models import Household
from spreadsheets import exports
from tests.conftest import HOME_VILLAGE, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two rows, so that a handful of households spans several."""
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(exports.ListResource._meta, "chunk_size", 2)
    monkeypatch.setattr(exports.HouseholdExport._meta, "chunk_size", 2)


def _households(actor, count: int) -> list[Household]:
    return [
        services.household_create(actor=actor, village_code=HOME_VILLAGE, poverty_status="ordinary")
        for _ in range(count)
    ]


def _book(response) -> openpyxl.Workbook:
    # Read to the end, the test client closes the response (and so the file) as a server would.
    assert response.streaming
    return openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))


def _temporary_files() -> set[str]:
    """Everything in the temporary folder (the test's own: `own_tempdir`), folders and all."""
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "**"), recursive=True))


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch):
    """This test's own temporary folder: another xdist worker's export, writing its files in the
    shared /tmp at the same moment, must not count as a file this test left behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def test_an_export_of_several_chunks_has_every_row_once_in_the_pages_order(
    township_cadre, household, small_chunks
):
    _households(township_cadre, 6)
    response = client_for(township_cadre).post("/export/households.xlsx")
    assert response.status_code == 200
    numbers = [row[0] for row in _book(response).active.iter_rows(min_row=2, values_only=True)]
    page_order = list(
        Household.objects.filter(village__code__startswith="620423100")
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert len(page_order) == 7 and numbers == page_order


def test_the_export_streams_a_file_with_its_length_and_a_bold_frozen_header(
    township_cadre, household
):
    Household.objects.filter(pk=household.pk).update(last_visit_on=datetime.date(2026, 11, 20))
    response = client_for(township_cadre).post("/export/households.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="export_')
    length = int(response["Content-Length"])
    content = b"".join(response.streaming_content)
    assert len(content) == length
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    assert sheet.title == "农户" and sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    last_visit = [cell for cell in sheet[1] if cell.value == "最近走访"][0].column
    visited = sheet.cell(row=2, column=last_visit)
    assert visited.is_date and visited.value.date() == datetime.date(2026, 11, 20)


def test_the_temporary_file_is_closed_with_the_response(township_cadre, household, own_tempdir):
    before = _temporary_files()
    response = client_for(township_cadre).post("/export/households.xlsx")
    assert _temporary_files() == before  # the sheet's own row file is gone once saved
    sent = response._resource_closers[0].__self__  # the file FileResponse closes when done
    assert not sent.closed and sent.tell() == 0
    _book(response)
    assert sent.closed


def test_an_export_that_fails_midway_leaves_no_file_behind(
    township_cadre, household, small_chunks, monkeypatch, own_tempdir
):
    _households(township_cadre, 4)
    calls = 0

    def failing(resource, instance):
        nonlocal calls
        calls += 1
        if calls > 3:  # past the first chunk: the sheet has started
            raise RuntimeError("the database went away")
        return instance.village.short_name

    monkeypatch.setattr(exports.HouseholdExport, "dehydrate_village", failing)
    before = _temporary_files()
    with pytest.raises(RuntimeError):
        client_for(township_cadre).post("/export/households.xlsx")
    assert _temporary_files() == before


def test_a_control_character_is_shown_as_a_replacement_rather_than_failing(
    township_cadre, household
):
    Household.objects.filter(pk=household.pk).update(address="水源村\x013社")
    response = client_for(township_cadre).post("/export/households.xlsx")
    assert response.status_code == 200
    text = [str(cell) for cell in list(_book(response).active.values)[1]]
    assert "水源村\N{REPLACEMENT CHARACTER}3社" in text


def test_a_multiline_note_wraps_and_widths_follow_the_first_rows(township_cadre, household):
    Household.objects.filter(pk=household.pk).update(address="水源村\n3社")
    sheet = _book(client_for(township_cadre).post("/export/households.xlsx")).active
    address = [cell for cell in sheet[1] if cell.value == "住址"][0]
    assert sheet.cell(row=2, column=address.column).alignment.wrap_text
    assert sheet.column_dimensions["A"].width >= len(household.number)


def test_the_statements_of_an_export_do_not_grow_with_its_chunks(township_cadre, small_chunks):
    """Chunks are fetched from one server-side cursor: a file of three chunks costs the
    statements of a file of one, and each row's village comes with it (select_related)."""

    def statements() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client_for(township_cadre).post("/export/households.xlsx")
            rows = len(list(_book(response).active.iter_rows(min_row=2)))
        return rows, len(captured)

    _households(township_cadre, 2)
    small_rows, small = statements()
    _households(township_cadre, 4)
    large_rows, large = statements()
    assert (small_rows, large_rows) == (2, 6) and small == large


def test_a_noncharacter_is_shown_as_a_replacement_rather_than_failing(township_cadre, household):
    # U+FFFE and U+FFFF pass the text fields' checks but are no XML character: through lxml,
    # openpyxl refused the whole workbook for one of them.
    Household.objects.filter(pk=household.pk).update(address="水源村\ufffe3社\uffff")
    response = client_for(township_cadre).post("/export/households.xlsx")
    assert response.status_code == 200
    text = [str(cell) for cell in list(_book(response).active.values)[1]]
    assert "水源村\N{REPLACEMENT CHARACTER}3社\N{REPLACEMENT CHARACTER}" in text
