"""The registry import through the worker, as a township cadre does it: the upload returns at
once, a real Celery worker on the broker checks the file, the page follows it, the confirm
imports it. No eager mode: the tasks cross the broker as JSON and run after commit."""

from django.core.files.uploadedfile import SimpleUploadedFile

from households.models import Household, Member
from spreadsheets import uploads
from spreadsheets.models import ImportJob
from tests.conftest import HOME_VILLAGE, client_for, committed_db
from tests.spreadsheets.books import good_rows, member_row, workbook
from tests.workers import at_once, wait_for

pytestmark = committed_db


def _upload(client, content: bytes, name: str = "农户.xlsx") -> ImportJob:
    response = client.post("/households/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response["Location"] == f"/households/import/{job.pk}/"
    return job


def _gone(job: ImportJob) -> None:
    """The file is deleted right after the job's state commits."""
    path = uploads.upload_path(job.file_key)
    wait_for(lambda: not path.exists(), message=f"the file of job {job.pk} to be deleted")


def _judged() -> None:
    """The imported households are judged by the worker after the import: let it finish before
    the test's tables are flushed under it."""
    wait_for(
        lambda: not Household.objects.filter(evaluation_pending_since__isnull=False).exists(),
        message="the imported households to be judged",
    )


def _settled(job: ImportJob, *statuses: str) -> ImportJob:
    def reached():
        job.refresh_from_db()
        return job if job.status in statuses else None

    return wait_for(reached, message=f"job {job.pk} to become {' or '.join(statuses)}")


def test_the_worker_checks_an_upload_the_page_shows_it_and_the_confirm_imports_it(
    celery_worker, township_cadre
):
    client = client_for(township_cadre)
    job = _upload(client, workbook(good_rows()))
    assert uploads.upload_path(job.file_key).exists()

    _settled(job, "checked")
    assert (job.rows, job.progress_done, job.progress_total) == (3, 5, 5)  # 2 households, 3 people
    assert not Household.objects.exists()
    page = client.get(f"/households/import/{job.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert f"/households/import/{job.pk}/confirm/" in text and "hx-trigger" not in text

    response = client.post(f"/households/import/{job.pk}/confirm/")
    assert response.status_code == 302 and response["Location"] == f"/households/import/{job.pk}/"
    _settled(job, "done")
    assert Household.objects.count() == 2 and Member.objects.count() == 3
    assert (job.households_new, job.members_new) == (2, 3)
    _gone(job)
    # htmx's poll gets the status part only, and once done, one that polls no more.
    done = client.get(f"/households/import/{job.pk}/", headers={"HX-Request": "true"}).content
    assert b"<html" not in done and b"hx-trigger" not in done and b'data-status="done"' in done
    _judged()


def test_a_confirm_sent_twice_at_once_imports_once(celery_worker, township_cadre):
    client = client_for(township_cadre)
    job = _upload(client, workbook(good_rows()))
    _settled(job, "checked")

    def confirm():
        return client_for(township_cadre).post(f"/households/import/{job.pk}/confirm/")

    responses = at_once(confirm, times=2)
    assert [response.status_code for response in responses] == [302, 302]
    _settled(job, "done")
    assert Household.objects.count() == 2 and Member.objects.count() == 3
    again = client.post(f"/households/import/{job.pk}/confirm/", follow=True)
    assert "此文件已不在等待确认" in again.content.decode()
    assert Household.objects.count() == 2
    _judged()


def test_a_file_with_a_bad_row_fails_its_check_and_is_deleted(celery_worker, township_cadre):
    rows = good_rows()
    rows[0]["relation"] = "邻居"
    client = client_for(township_cadre)
    job = _upload(client, workbook(rows))
    _settled(job, "failed")
    _gone(job)
    text = client.get(f"/households/import/{job.pk}/").content.decode()
    assert "与户主关系" in text and "邻居" in text and "/confirm/" not in text
    assert client.post(f"/households/import/{job.pk}/confirm/").status_code == 302
    assert not Household.objects.exists()


def test_a_file_over_the_row_limit_is_refused_and_nothing_is_written(celery_worker, township_cadre):
    # One cell in row 20,002 makes 20,001 data rows: the sheet's dimension says so unread.
    content = workbook(good_rows(), edit=lambda sheet: sheet.cell(row=20_002, column=1, value=1))
    job = _upload(client_for(township_cadre), content)
    _settled(job, "failed")
    assert job.problem_count == 1 and "20,000" in job.problems[0]["message"]
    assert not Household.objects.exists()
    _gone(job)


def test_the_worker_refuses_a_file_of_candidate_numbers_past_the_allowance_unsearched(
    celery_worker, village_worker, household
):
    """The attack: the ~33 numbers a head's mask and age leave, one row each, for a new
    household. The worker runs with the default allowance; the worker has used all but 10."""
    from django.conf import settings
    from django.utils import timezone

    from core.masking import age_this_year
    from households.models import IdNumberLookup
    from tests.security.test_id_number_lookups import candidates_from_mask_and_age

    IdNumberLookup.objects.bulk_create(
        IdNumberLookup(
            user=village_worker, id_number_hash=f"{index:064x}", outcome="unknown", channel="import"
        )
        for index in range(settings.ID_IMPORT_ROWS_PER_DAY - 10)
    )
    head = household.members.get(relation="head")
    today = timezone.localdate()
    candidates = candidates_from_mask_and_age(
        head.id_number_masked, age_this_year(head.birth_date, today=today), today
    )
    rows = [
        member_row("6204231002000199", HOME_VILLAGE, f"候选{index}", number, "其他")
        for index, number in enumerate(candidates)
    ]
    rows[0]["relation"] = "户主"
    client = client_for(village_worker)

    job = _upload(client, workbook(rows))

    _settled(job, "failed")
    _gone(job)
    text = client.get(f"/households/import/{job.pk}/").content.decode()
    assert f"{len(candidates)} 个身份证号" in text and "还剩 10 个" in text
    assert "已登记" not in text and household.number not in text
    assert (job.members_new, job.members_changed) == (0, 0)
    assert not IdNumberLookup.objects.filter(outcome__in=("found", "elsewhere")).exists()
    unknown = IdNumberLookup.objects.filter(outcome="unknown").count()
    assert unknown == settings.ID_IMPORT_ROWS_PER_DAY - 10  # none of the file's numbers
    assert IdNumberLookup.objects.filter(outcome="refused", channel="import").count() == 1
    assert not Household.objects.filter(number="6204231002000199").exists()
    _judged()


def test_a_cancelled_job_loses_its_file_and_cannot_be_confirmed(celery_worker, township_cadre):
    client = client_for(township_cadre)
    job = _upload(client, workbook(good_rows()))
    _settled(job, "checked")
    assert uploads.upload_path(job.file_key).exists()
    assert client.post(f"/households/import/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled" and not uploads.upload_path(job.file_key).exists()
    client.post(f"/households/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "cancelled" and not Household.objects.exists()
