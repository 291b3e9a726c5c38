"""Hostile input to the Excel pages and the lists they export: refused or ignored, never a 500,
and nothing written."""

import time
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from households.models import Household, Member
from spreadsheets.services import registry_import
from tests.conftest import client_for
from tests.spreadsheets.books import good_rows, workbook

pytestmark = pytest.mark.django_db

NUL = "%00"


@pytest.mark.parametrize(
    "url",
    [
        f"/export/cases.xlsx?show=all&q={NUL}",
        f"/export/partners.xlsx?q={NUL}",
        f"/export/alerts.xlsx?village={NUL}&reason={NUL}&status={NUL}",
        f"/cases/?show=all&q={NUL}",
        f"/partners/?q={NUL}",
        f"/alerts/?village={NUL}&reason={NUL}",
        f"/visits/households/?q=a{NUL}",
    ],
)
def test_a_nul_byte_in_a_lists_filter_is_ignored_rather_than_failing(
    url, county_officer, household
):
    client = client_for(county_officer)
    # An export is a POST (it writes an audit record); the list pages are GETs.
    response = (client.post if url.startswith("/export/") else client.get)(url)
    assert response.status_code == 200
    assert Household.objects.count() == 1


def _nothing_written():
    return Household.objects.count() == 0 and Member.objects.count() == 0


def _with_part(content: bytes, name: str, chunks) -> bytes:
    """The workbook with one part replaced by what `chunks` yields, deflated."""
    source = zipfile.ZipFile(BytesIO(content))
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry in source.infolist():
            if entry.filename != name:
                archive.writestr(entry.filename, source.read(entry.filename))
        with archive.open(name, "w", force_zip64=True) as part:
            for chunk in chunks:
                part.write(chunk)
    return output.getvalue()


def _tiny_strings(count: int):
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    for _ in range(count // 100_000):
        yield b"<x:si><x:t>a</x:t></x:si>" * 100_000
    yield b"</sst>"


def _tiny_cells(count: int):
    yield (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:A2"/><sheetData><row r="1">'
    )
    for _ in range(count // 100_000):
        yield b"<c/>" * 100_000
    yield b"</row></sheetData></worksheet>"


@pytest.mark.parametrize(
    "part, chunks",
    [
        ("xl/sharedStrings.xml", _tiny_strings(3_000_000)),
        ("xl/worksheets/sheet1.xml", _tiny_cells(3_000_000)),
    ],
    ids=["strings", "cells"],
)
def test_a_small_file_that_unpacks_into_millions_of_cells_is_refused_unread(
    township_cadre, part, chunks
):
    content = _with_part(workbook(good_rows()), part, chunks)
    assert len(content) < 1_000_000
    started = time.monotonic()
    report = registry_import(actor=township_cadre, content=content, dry_run=False)
    assert time.monotonic() - started < 5
    assert len(report.problems) == 1 and report.problems[0].row is None
    assert _nothing_written()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"PK\x03\x04",
        workbook(good_rows())[:-200],  # the central directory cut off
        workbook(good_rows())[:4000] + b"\0" * 4000 + workbook(good_rows())[8000:],  # a part
    ],
    ids=["empty", "zip-header-only", "truncated", "corrupt-part"],
)
def test_a_broken_workbook_is_refused_and_nothing_is_written(township_cadre, content):
    report = registry_import(actor=township_cadre, content=content, dry_run=False)
    assert report.problems and report.problems[0].row is None
    assert _nothing_written()


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04", b"<html>", b"\x89PNG\r\n"])
def test_uploading_a_broken_xlsx_is_refused_on_the_page(township_cadre, content):
    client = client_for(township_cadre)
    response = client.post(
        "/households/import/", {"file": SimpleUploadedFile("农户.xlsx", content, "image/png")}
    )
    assert response.status_code in (200, 400) and "registry_import" not in client.session
    assert client.post("/households/import/confirm/").status_code == 302
    assert _nothing_written()


def _kept_files():
    from spreadsheets.views import UPLOADS

    return set(UPLOADS.glob("*.xlsx")) if UPLOADS.is_dir() else set()


def test_a_second_check_replaces_the_first_file_so_confirm_cannot_import_the_old_one(
    township_cadre,
):
    client = client_for(township_cadre)
    before = _kept_files()
    client.post(
        "/households/import/", {"file": SimpleUploadedFile("a.xlsx", workbook(good_rows()))}
    )
    first = _kept_files() - before
    assert len(first) == 1
    bad = good_rows()
    bad[0]["relation"] = "邻居"
    response = client.post(
        "/households/import/", {"file": SimpleUploadedFile("b.xlsx", workbook(bad))}
    )
    assert response.status_code == 400
    assert _kept_files() - before == set()  # the first file, with its ID numbers, is gone
    assert client.post("/households/import/confirm/").status_code == 302
    assert _nothing_written()


def test_checked_files_left_by_ended_sessions_are_removed_by_the_next_check(township_cadre):
    import os

    from spreadsheets.views import KEEP_UPLOADS_SECONDS, UPLOADS

    UPLOADS.mkdir(parents=True, exist_ok=True)
    stale = UPLOADS / "00000000-0000-4000-8000-000000000000.xlsx"
    stale.write_bytes(b"left behind")
    old = time.time() - KEEP_UPLOADS_SECONDS - 60
    os.utime(stale, (old, old))
    client_for(township_cadre).post(
        "/households/import/", {"file": SimpleUploadedFile("a.xlsx", b"")}
    )
    assert not stale.exists()


def test_a_confirm_whose_file_was_removed_meanwhile_asks_for_the_file_again(township_cadre):
    client = client_for(township_cadre)
    client.post(
        "/households/import/", {"file": SimpleUploadedFile("a.xlsx", workbook(good_rows()))}
    )
    for path in _kept_files():
        path.unlink()
    response = client.post("/households/import/confirm/")
    assert response.status_code == 302 and response["Location"] == "/households/import/"
    assert _nothing_written()


def test_confirming_twice_imports_once(township_cadre):
    client = client_for(township_cadre)
    client.post(
        "/households/import/", {"file": SimpleUploadedFile("a.xlsx", workbook(good_rows()))}
    )
    assert client.post("/households/import/confirm/")["Location"] == "/households/"
    assert client.post("/households/import/confirm/")["Location"] == "/households/import/"
    assert Household.objects.count() == 2 and Member.objects.count() == 3
