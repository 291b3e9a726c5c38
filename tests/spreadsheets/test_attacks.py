"""Hostile input to the Excel pages and the lists they export: refused or ignored, never a 500,
and nothing written. The import's check and import run here as the worker runs them (the
services its tasks call); tests/spreadsheets/test_import_jobs.py goes through a real worker."""

import time
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from households.models import Household, Member
from spreadsheets import jobs, uploads
from spreadsheets.models import ImportJob
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


@pytest.fixture
def import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


def _upload(client, content: bytes, name: str = "农户.xlsx"):
    return client.post("/households/import/", {"file": SimpleUploadedFile(name, content)})


def _job_of(response) -> ImportJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def test_an_empty_upload_is_refused_by_the_form(township_cadre, import_dir):
    response = _upload(client_for(township_cadre), b"")
    assert response.status_code == 200 and not ImportJob.objects.exists()


@pytest.mark.parametrize("content", [b"PK\x03\x04", b"<html>", b"\x89PNG\r\n"])
def test_uploading_a_broken_xlsx_fails_its_check_and_the_page_says_why(
    township_cadre, import_dir, content
):
    client = client_for(township_cadre)
    job = _job_of(_upload(client, content))
    assert jobs.import_job_check(job.pk) == "failed"  # what the worker runs
    page = client.get(f"/households/import/{job.pk}/")
    assert page.status_code == 200 and ".xlsx" in page.content.decode()
    assert client.post(f"/households/import/{job.pk}/confirm/").status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
    assert not uploads.upload_path(job.file_key).exists()
    assert _nothing_written()


def test_a_new_upload_cancels_the_checked_one_so_its_confirm_imports_nothing(
    township_cadre, import_dir
):
    client = client_for(township_cadre)
    first = _job_of(_upload(client, workbook(good_rows()), "a.xlsx"))
    assert jobs.import_job_check(first.pk) == "checked"
    bad = good_rows()
    bad[0]["relation"] = "邻居"
    _job_of(_upload(client, workbook(bad), "b.xlsx"))
    client.post(f"/households/import/{first.pk}/confirm/")
    first.refresh_from_db()
    assert first.status == "cancelled" and jobs.import_job_import(first.pk) is None
    assert _nothing_written()


def test_a_confirmed_job_whose_file_was_removed_meanwhile_asks_for_the_file_again(
    township_cadre, import_dir
):
    client = client_for(township_cadre)
    job = _job_of(_upload(client, workbook(good_rows())))
    assert jobs.import_job_check(job.pk) == "checked"
    uploads.upload_delete(job.file_key)
    client.post(f"/households/import/{job.pk}/confirm/")
    assert jobs.import_job_import(job.pk) is None
    job.refresh_from_db()
    assert job.status == "failed" and "重新上传" in job.problems[0]["message"]
    assert _nothing_written()


def test_confirming_twice_imports_once(township_cadre, import_dir):
    client = client_for(township_cadre)
    job = _job_of(_upload(client, workbook(good_rows())))
    assert jobs.import_job_check(job.pk) == "checked"
    client.post(f"/households/import/{job.pk}/confirm/")
    again = client.post(f"/households/import/{job.pk}/confirm/", follow=True)
    assert "此文件已不在等待确认" in again.content.decode()
    # Each confirm that moved the job queued one import; a task delivered twice imports once.
    assert jobs.import_job_import(job.pk) == "done"
    assert jobs.import_job_import(job.pk) is None
    assert Household.objects.count() == 2 and Member.objects.count() == 3
