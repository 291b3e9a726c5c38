"""A list longer than a request writes, exported by the worker: the worker's part called in the
test's own process, as the task calls it (the whole way through a real Celery worker, in a real
browser, is tests/browser/test_spreadsheets.py)."""

import datetime
import os
import stat
from io import BytesIO

import openpyxl
import pytest
from django.http import QueryDict
from django.utils import timezone

from audit.models import ExportEvent
from households import services
from spreadsheets import export_jobs
from spreadsheets.models import ExportJob
from spreadsheets.uploads import EXPORT_FILES
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP, client_for, committed_db
from tests.workers import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_folder(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EXPORT_IN_REQUEST_ROWS = 1


@pytest.fixture
def queued(monkeypatch):
    """What the service queues, kept here: nothing crosses a broker in these tests."""
    sent: list[tuple] = []
    monkeypatch.setattr(export_jobs, "enqueue", lambda *args: sent.append(args))
    monkeypatch.setattr(export_jobs, "enqueue_after_commit", lambda *args: sent.append(args))
    return sent


@pytest.fixture
def two_households(township_cadre, household):
    services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )


def _ask(user, query="") -> ExportJob:
    response = client_for(user).post(f"/export/households.xlsx?{query}")
    assert response.status_code == 302, response.content.decode()[:1000]
    return ExportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_short_list_is_still_written_in_the_request_as_its_page_shows_it(
    township_cadre, household, queued
):
    # The page leaves an ID-like search out of its address, and so does the export.
    response = client_for(township_cadre).post("/export/households.xlsx?q=620423196803151234")
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists() and not queued
    record = ExportEvent.objects.get()
    assert record.row_count == 1 and record.filters == {}


def test_the_page_follows_a_waiting_job_and_the_status_part_alone_answers_htmx(
    township_cadre, two_households, queued
):
    job = _ask(township_cadre, "ordering=number")
    assert queued == [("spreadsheets.tasks.export_job_write", [job.pk], "celery")]
    client = client_for(township_cadre)
    page = client.get(f"/export/jobs/{job.pk}/").content.decode()
    assert "等待空闲的后台进程" in page and 'hx-trigger="every 2s"' in page
    assert "/households/?ordering=number" in page  # back to the list as it was
    part = client.get(f"/export/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert part.content.decode().startswith('<section class="card export-job"')
    # A POST: its address opened as a page leads to the job's page (core/post_only.py).
    assert client.get(f"/export/jobs/{job.pk}/download/")["Location"] == f"/export/jobs/{job.pk}/"
    assert client.post(f"/export/jobs/{job.pk}/download/").status_code == 302  # not ready
    assert not ExportEvent.objects.exists()


@committed_db
def test_the_same_export_asked_for_twice_at_once_is_one_job(township_cadre, two_households, queued):
    # Signed in before the barrier, so that the two asks leave it together; nothing writes the
    # job meanwhile (no worker here), so the second finds it waiting.
    clients = [client_for(township_cadre), client_for(township_cadre)]

    def ask():
        return clients.pop().post("/export/households.xlsx")["Location"]

    locations = at_once(ask, times=2)
    assert len(set(locations)) == 1, locations
    assert ExportJob.objects.count() == 1 and len(queued) == 1


def test_a_fourth_export_waiting_is_refused_with_a_message_and_no_job(
    township_cadre, two_households, queued
):
    for query in ("a=1", "a=2", "a=3"):
        _ask(township_cadre, query)
    response = client_for(township_cadre).post("/export/households.xlsx?a=4", follow=True)
    assert response.redirect_chain[-1][0] == "/households/?a=4"
    assert "3 个导出仍在生成" in response.content.decode()
    assert ExportJob.objects.count() == 3


def test_the_worker_writes_nothing_for_an_owner_moved_to_another_region(
    township_cadre, two_households, queued
):
    job = _ask(township_cadre)
    township_cadre.region_id = OTHER_TOWNSHIP
    township_cadre.save(update_fields=["region"])
    assert export_jobs.export_job_write(job.pk) == "failed"
    job.refresh_from_db()
    assert "角色或辖区已变更" in job.failure
    assert not EXPORT_FILES.path(job.file_key).exists() and not ExportEvent.objects.exists()
    # The moved user no longer sees the job at all.
    assert client_for(township_cadre).get(f"/export/jobs/{job.pk}/").status_code == 404


def test_the_task_that_took_a_job_writes_it_again_when_retried_and_no_other_does(
    township_cadre, two_households, queued
):
    job = _ask(township_cadre)
    assert export_jobs.export_job_write(job.pk, writer="task-1") == "ready"
    assert export_jobs.export_job_write(job.pk, writer="task-2") is None  # the sweep's twin
    # Task 1 wrote the file but lost the database before the move to ready: retried, it writes
    # the file again and ends the job; the sweep's message for the job finds it taken.
    ExportJob.objects.filter(pk=job.pk).update(status="writing", row_count=0)
    assert export_jobs.export_job_write(job.pk, writer="task-2") is None
    assert ExportJob.objects.get(pk=job.pk).status == "writing"
    assert export_jobs.export_job_write(job.pk, writer="task-1") == "ready"
    job.refresh_from_db()
    assert job.row_count == 2 and EXPORT_FILES.path(job.file_key).exists()
    assert not list(EXPORT_FILES.root.glob("*.part")) and not ExportEvent.objects.exists()


def test_the_query_keeps_no_id_like_value_and_another_role_loses_the_job(
    township_cadre, two_households, queued
):
    # (A list searched by an ID number shows no rows, so its export is never a job; a crafted
    # ask is kept without it all the same.)
    job = export_jobs.export_job_create(
        actor=township_cadre,
        kind="households",
        params=QueryDict("q=620423196803151234&ordering=number&region=%00"),
    )
    assert job.query == "ordering=number&region="
    export_jobs.export_job_write(job.pk)
    client = client_for(township_cadre)
    assert client.get(f"/export/jobs/{job.pk}/").status_code == 200
    township_cadre.is_superuser = True  # whom the rows were read for is no longer this user
    township_cadre.save(update_fields=["is_superuser"])
    assert client.get(f"/export/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/export/jobs/{job.pk}/download/").status_code == 404
    assert not ExportEvent.objects.exists()


def test_a_file_past_its_time_is_not_given_even_before_the_sweep(
    township_cadre, two_households, queued, settings
):
    job = _ask(township_cadre)
    export_jobs.export_job_write(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=settings.EXPORT_FILE_TTL_MINUTES)
    )
    response = client_for(township_cadre).post(f"/export/jobs/{job.pk}/download/", follow=True)
    assert response.redirect_chain[-1][0] == f"/export/jobs/{job.pk}/"
    assert "请重新导出" in response.content.decode() and not ExportEvent.objects.exists()


def test_a_list_grown_past_the_limit_meanwhile_fails_with_the_reason(
    township_cadre, two_households, queued, monkeypatch
):
    job = _ask(township_cadre)
    monkeypatch.setattr(export_jobs.exports, "MAX_EXPORT_ROWS", 1)
    assert export_jobs.export_job_write(job.pk) == "failed"
    job.refresh_from_db()
    assert "共 2 行，超出单个文件上限" in job.failure, job.failure
    page = client_for(township_cadre).get(f"/export/jobs/{job.pk}/").content.decode()
    assert job.failure in page


def test_the_sweep_deletes_files_past_their_time_and_requeues_or_gives_up_lost_jobs(
    township_cadre, two_households, queued, settings
):
    now = timezone.now()
    ready = _ask(township_cadre, "a=ready")
    export_jobs.export_job_write(ready.pk)
    lost, given_up, stalled = (_ask(township_cadre, f"a={name}") for name in ("l", "g", "s"))
    ExportJob.objects.filter(pk=ready.pk).update(
        updated_at=now - datetime.timedelta(minutes=settings.EXPORT_FILE_TTL_MINUTES + 1)
    )
    ExportJob.objects.filter(pk=lost.pk).update(updated_at=now - datetime.timedelta(minutes=6))
    ExportJob.objects.filter(pk=given_up.pk).update(
        created_at=now - datetime.timedelta(minutes=61),
        updated_at=now - datetime.timedelta(minutes=6),
    )
    ExportJob.objects.filter(pk=stalled.pk).update(
        status="writing", updated_at=now - datetime.timedelta(minutes=31)
    )
    orphan = EXPORT_FILES.path("8d7f6a52-0000-4000-8000-000000000000")
    orphan.write_bytes(b"left behind")
    an_hour_ago = (now - datetime.timedelta(hours=1)).timestamp()
    os.utime(orphan, (an_hour_ago, an_hour_ago))
    queued.clear()

    assert export_jobs.export_jobs_sweep(now=now) == 2

    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {
        ready.pk: "expired",
        lost.pk: "queued",
        given_up.pk: "failed",
        stalled.pk: "failed",
    }
    assert queued == [("spreadsheets.tasks.export_job_write", [lost.pk], "celery")]
    # Queued again, its time restarted: the next sweep leaves it alone.
    queued.clear()
    export_jobs.export_jobs_sweep(now=now)
    assert queued == []
    assert not EXPORT_FILES.path(ready.file_key).exists() and not orphan.exists()
    client = client_for(township_cadre)
    response = client.post(f"/export/jobs/{ready.pk}/download/", follow=True)
    assert response.redirect_chain[-1][0] == f"/export/jobs/{ready.pk}/"
    assert "请重新导出" in response.content.decode()


def test_a_role_that_may_not_export_the_list_gets_no_job(partner, queued):
    response = client_for(partner).post("/export/households.xlsx")
    assert response.status_code == 403 and not ExportJob.objects.exists()


def test_a_long_list_is_written_apart_shown_on_its_page_and_downloaded_masked(
    township_cadre, household, other_township_household, queued
):
    second = services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    client = client_for(township_cadre)
    job = _ask(township_cadre, "ordering=number")
    assert (job.kind, job.query, job.owner_id) == (
        "households",
        "ordering=number",
        township_cadre.pk,
    )
    assert not ExportEvent.objects.exists()  # recorded when the file is taken, not when asked

    assert export_jobs.export_job_write(job.pk) == "ready"
    job.refresh_from_db()
    assert job.row_count == 2
    path = EXPORT_FILES.path(job.file_key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    page = client.get(f"/export/jobs/{job.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "可以下载" in text and f"/export/jobs/{job.pk}/download/" in text
    assert 'hx-trigger="every 2s"' not in text  # nothing left to follow
    assert not ExportEvent.objects.exists()

    for _attempt in range(2):  # a download lost on a weak network is asked for again
        response = client.post(f"/export/jobs/{job.pk}/download/")
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        assert "%E5%86%9C%E6%88%B7_" in response["Content-Disposition"]  # 农户_
        book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
        rows = list(book.active.values)
        assert rows[0][:3] == ("户编号", "户主", "行政村")
        assert [row[0] for row in rows[1:]] == sorted([household.number, second.number])
        cells = " ".join(str(cell) for row in rows for cell in row)
        assert "138****1234" in cells and "13893001234" not in cells
        assert other_township_household.number not in cells

    # Each download is recorded, as each export in a request is.
    records = list(ExportEvent.objects.all())
    assert len(records) == 2
    for record in records:
        assert (record.user_id, record.name, record.row_count) == (
            township_cadre.pk,
            "households",
            2,
        )
        assert record.filters == {"ordering": "number"} and record.ip == "127.0.0.1"


def test_a_colleague_or_an_outsider_finds_no_export_of_anothers(
    queued,
    township_cadre,
    household,
    other_township_cadre,
    django_user_model,
):
    services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    job = _ask(township_cadre)
    export_jobs.export_job_write(job.pk)
    colleague = django_user_model.objects.create_user(
        username="同镇同事",
        password="test-password-123",
        role=township_cadre.role,
        region_id=township_cadre.region_id,
    )
    for user in (colleague, other_township_cadre):
        client = client_for(user)
        assert client.get(f"/export/jobs/{job.pk}/").status_code == 404
        assert client.post(f"/export/jobs/{job.pk}/download/").status_code == 404
    anonymous = client_for(township_cadre)
    anonymous.logout()
    response = anonymous.post(f"/export/jobs/{job.pk}/download/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def _adding_a_household_from_another_connection(township_cadre):
    """What a colleague's registration does while a list is read: a household committed by
    another connection (a thread has its own)."""

    def add() -> None:
        services.household_create(
            actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )

    (result,) = at_once(add, times=1)
    assert not isinstance(result, Exception), result


def _numbers_in(workbook) -> list:
    return [row[0] for row in list(openpyxl.load_workbook(workbook).active.values)[1:]]


@committed_db
def test_the_count_recorded_is_the_files_though_the_list_grows_while_it_is_written(
    township_cadre, two_households, queued, monkeypatch, settings
):
    write = export_jobs.exports.export_workbook
    seen: list = []

    def grown_after_the_count(resource, queryset, *, title):
        _adding_a_household_from_another_connection(township_cadre)
        workbook, written = write(resource, queryset, title=title)
        seen.append(_numbers_in(workbook))
        workbook.seek(0)
        return workbook, written

    monkeypatch.setattr(export_jobs.exports, "export_workbook", grown_after_the_count)

    # The worker's file: two households counted when asked, three written.
    job = _ask(township_cadre)
    assert export_jobs.export_job_write(job.pk) == "ready"
    job.refresh_from_db()
    assert job.row_count == len(seen[-1]) == 3
    assert client_for(township_cadre).post(f"/export/jobs/{job.pk}/download/").status_code == 200
    assert ExportEvent.objects.get().row_count == 3

    # The export in a request: three counted, four written and recorded.
    settings.EXPORT_IN_REQUEST_ROWS = 100
    response = client_for(township_cadre).post("/export/households.xlsx")
    assert response.status_code == 200
    assert len(seen[-1]) == 4 and ExportEvent.objects.latest("pk").row_count == 4
