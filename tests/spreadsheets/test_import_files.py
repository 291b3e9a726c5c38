"""The uploaded workbooks themselves: kept for their owner's eyes only, in files only the server
user can read, for as long as their job needs them. No worker here: the services the tasks call
run in the test, and the tasks' messages are caught where they leave for the broker."""

import datetime
import os
import stat
import time

import psycopg
import pytest
from celery.signals import before_task_publish
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from config.celery import app
from households.models import Household
from spreadsheets import jobs, uploads
from spreadsheets.models import ImportJob
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE, OTHER_TOWNSHIP, client_for, committed_db
from tests.spreadsheets.books import good_rows, workbook
from tests.workers import test_database_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


def _upload(client, content: bytes | None = None) -> ImportJob:
    content = workbook(good_rows()) if content is None else content
    response = client.post(
        "/households/import/", {"file": SimpleUploadedFile("农户.xlsx", content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _job(owner, **fields) -> ImportJob:
    return ImportJob.objects.create(
        owner=owner, region_id=owner.region_id, file_name="农户.xlsx", **fields
    )


def test_an_upload_is_readable_by_the_server_user_only(township_cadre, import_dir):
    import_dir.mkdir(mode=0o755)  # as an older version left it
    os.chmod(import_dir, 0o755)
    content = workbook(good_rows())
    job = _upload(client_for(township_cadre), content)
    path = uploads.upload_path(job.file_key)
    assert path.parent == import_dir and path.read_bytes() == content
    assert _mode(path) == 0o600 and _mode(import_dir) == 0o700
    assert not Household.objects.exists()


def test_an_upload_queues_its_check_with_nothing_but_the_job_id(
    township_cadre, django_capture_on_commit_callbacks
):
    published = []

    def record(sender=None, body=None, headers=None, routing_key=None, **extra):
        published.append((headers["task"], body[0], body[1], routing_key))

    before_task_publish.connect(record, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = _upload(client_for(township_cadre))
    finally:
        before_task_publish.disconnect(record)
    # The message crosses the broker and its logs: the file's ID numbers stay in the file.
    assert published == [("spreadsheets.tasks.import_job_check", [job.pk], {}, "celery")]
    assert job.status == "queued" and job.owner == township_cadre


def test_a_new_upload_cancels_the_one_waiting_and_deletes_its_file(
    township_cadre, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda *args: None)
    client = client_for(township_cadre)
    with django_capture_on_commit_callbacks(execute=True):
        first = _upload(client)
    with django_capture_on_commit_callbacks(execute=True):
        second = _upload(client)
    first.refresh_from_db()
    assert first.status == "cancelled" and second.status == "queued"
    assert not uploads.upload_path(first.file_key).exists()
    assert uploads.upload_path(second.file_key).exists()


def test_the_check_and_its_refusal_delete_a_bad_file(township_cadre):
    rows = good_rows()
    rows[0]["relation"] = "邻居"
    job = _upload(client_for(township_cadre), workbook(rows))
    assert jobs.import_job_check(job.pk) == "failed"
    job.refresh_from_db()
    assert job.problem_count == 1 and job.problems[0]["column"] == "与户主关系"
    assert not uploads.upload_path(job.file_key).exists()
    assert jobs.import_job_check(job.pk) is None  # a second delivery finds nothing to do


def test_cancelling_deletes_the_file(township_cadre):
    client = client_for(township_cadre)
    job = _upload(client)
    assert jobs.import_job_check(job.pk) == "checked"
    assert uploads.upload_path(job.file_key).exists()
    response = client.post(f"/households/import/{job.pk}/cancel/", follow=True)
    assert "已取消" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "cancelled" and not uploads.upload_path(job.file_key).exists()


def test_the_sweep_deletes_old_files_and_expires_their_jobs_but_leaves_young_ones(
    township_cadre, import_dir, settings
):
    settings.IMPORT_FILE_TTL_MINUTES = 60
    now = timezone.now()
    old, young = _job(township_cadre, status="checked"), _job(township_cadre, status="checked")
    for job in (old, young):
        uploads.upload_save(job.file_key, [b"ID numbers"])
    ImportJob.objects.filter(pk=old.pk).update(updated_at=now - datetime.timedelta(minutes=61))
    an_hour_ago = time.time() - 61 * 60
    os.utime(uploads.upload_path(old.file_key), (an_hour_ago, an_hour_ago))
    # Left behind by an upload whose job never committed: no job at all.
    stray = import_dir / "00000000-0000-4000-8000-000000000000.xlsx"
    stray.write_bytes(b"ID numbers")
    os.utime(stray, (an_hour_ago, an_hour_ago))

    last_week = _job(township_cadre, status="done")
    ImportJob.objects.filter(pk=last_week.pk).update(updated_at=now - datetime.timedelta(days=8))

    assert jobs.import_jobs_expire(now=now) == 2

    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == "expired" and not uploads.upload_path(old.file_key).exists()
    assert not stray.exists()
    assert young.status == "checked" and uploads.upload_path(young.file_key).exists()
    assert not ImportJob.objects.filter(pk=last_week.pk).exists()


def test_the_sweep_runs_every_hour_in_the_worker(settings):
    schedule = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "spreadsheets.tasks.import_jobs_expire"
    ]
    assert len(schedule) == 1 and schedule[0]["schedule"].minute == {20}
    assert schedule[0]["schedule"].hour == set(range(24))
    app.loader.import_default_modules()
    assert "spreadsheets.tasks.import_jobs_expire" in app.tasks


def test_a_page_of_a_job_still_running_polls_and_offers_a_refresh_link(township_cadre):
    job = _job(township_cadre, status="checking", progress_done=500, progress_total=2000)
    text = client_for(township_cadre).get(f"/households/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in text and f'hx-get="/households/import/{job.pk}/"' in text
    assert f'href="/households/import/{job.pk}/"' in text  # the same without JavaScript
    assert 'value="500"' in text and "500 / 2000" in text


def test_the_page_states_the_row_limit(township_cadre):
    text = client_for(township_cadre).get("/households/import/").content.decode()
    assert "20,000" in text


@pytest.mark.parametrize("stranger", ["colleague", "village_worker", "other_township_cadre"])
def test_another_users_import_job_is_not_found(stranger, township_cadre, request):
    if stranger == "colleague":  # a cadre of the same township, with the same rights
        user = User.objects.create_user(
            username="colleague", password="x", role=Role.TOWNSHIP_CADRE, region_id=HOME_TOWNSHIP
        )
    else:
        user = request.getfixturevalue(stranger)
    job = _upload(client_for(township_cadre))
    client = client_for(user)
    assert client.get(f"/households/import/{job.pk}/").status_code == 404
    assert client.post(f"/households/import/{job.pk}/confirm/").status_code == 404
    assert client.post(f"/households/import/{job.pk}/cancel/").status_code == 404
    job.refresh_from_db()
    assert job.status == "queued" and uploads.upload_path(job.file_key).exists()


def test_an_owner_moved_to_another_region_no_longer_sees_the_job(township_cadre):
    job = _upload(client_for(township_cadre))
    User.objects.filter(pk=township_cadre.pk).update(region_id=OTHER_TOWNSHIP)
    township_cadre.refresh_from_db()
    assert client_for(township_cadre).get(f"/households/import/{job.pk}/").status_code == 404


@committed_db
def test_progress_is_seen_by_the_page_before_the_import_commits(township_cadre):
    """The import writes its rows in one transaction; how far it has got must be readable by
    the page (another connection) while that transaction is still open."""
    job = _job(township_cadre, status="importing")
    with transaction.atomic(), jobs.JobProgress(job.pk, "importing") as progress:
        Household.objects.create(
            number="6204231002009999", village_id=HOME_VILLAGE, poverty_status="ordinary"
        )
        progress.start(1200)
        progress.advance(jobs.JobProgress.EVERY)
        with psycopg.connect(test_database_url()) as page:
            seen = page.execute(
                "SELECT progress_done, progress_total FROM spreadsheets_importjob WHERE id = %s",
                [job.pk],
            ).fetchone()
            unseen = page.execute("SELECT count(*) FROM households_household").fetchone()
    assert seen == (500, 1200) and unseen == (0,)
    # Once the job has moved on, a late progress write changes nothing.
    ImportJob.objects.filter(pk=job.pk).update(status="done", progress_done=1200)
    with jobs.JobProgress(job.pk, "importing") as late:
        late.start(1200)
    assert ImportJob.objects.get(pk=job.pk).progress_done == 1200
