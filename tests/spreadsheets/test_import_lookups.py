"""The registry import searches the registry by ID number: each row recorded, and a daily allowance.

An import's check answers, row by row, "this person is already registered in household …" or
"… registered elsewhere", and counts the people it would add. With a masked number and an age
about 33 numbers are left to try, so a file of them is a look-up in bulk: each searched row is
recorded as a look-up, and a file past what remains of its owner's daily allowance is refused
before any number is searched.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core import id_numbers
from core.masking import age_this_year
from core.scope import Scope
from households.models import Household, IdNumberLookup, Member
from spreadsheets import jobs
from spreadsheets.models import ImportJob
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number
from tests.security.test_id_number_lookups import HEAD_ID, api, candidates_from_mask_and_age
from tests.spreadsheets.books import good_rows, member_row, workbook

pytestmark = pytest.mark.django_db

SEARCHED = ("found", "elsewhere", "unknown")


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


def _checked(client, content: bytes) -> ImportJob:
    """Upload a file as its owner does and have the worker's check run it."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.post(
        "/households/import/", {"file": SimpleUploadedFile("农户.xlsx", content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("pk")
    jobs.import_job_check(job.pk)
    job.refresh_from_db()
    return job


def _page(client, job: ImportJob) -> str:
    return client.get(f"/households/import/{job.pk}/").content.decode()


def test_the_check_records_one_look_up_per_member_row_without_the_number(
    township_cadre, household, other_township_household
):
    elsewhere = Member.objects.filter(household=other_township_household).first()
    elsewhere_number = id_numbers.decrypt(elsewhere.id_number_encrypted)
    rows = [
        *good_rows(),
        member_row("6204231002000101", HOME_VILLAGE, "张建国", HEAD_ID, "父母"),
        member_row("6204231002000101", HOME_VILLAGE, "某某", elsewhere_number, "其他"),
    ]
    client = client_for(township_cadre)
    job = _checked(client, workbook(rows))

    # Honest users still learn which rows hold people already registered, to fix their files.
    assert job.status == "failed"
    page = _page(client, job)
    assert "此人已登记在户" in page and "此人已在其他地区登记" in page
    records = list(IdNumberLookup.objects.filter(user=township_cadre).order_by("id"))
    numbers = [row["id_number"] for row in rows]
    assert [(record.channel, record.outcome) for record in records] == [
        ("import", "unknown"),
        ("import", "unknown"),
        ("import", "unknown"),
        ("import", "found"),
        ("import", "elsewhere"),
    ]
    assert [record.id_number_hash for record in records] == [
        id_numbers.lookup_hash(number) for number in numbers
    ]
    assert {record.region_code for record in records} == {Scope.of(township_cadre).prefix}
    # The record holds the keyed hash only, never the number, in any column.
    for record in records:
        assert not any(number in str(vars(record)) for number in numbers)


def test_a_clean_file_within_the_allowance_is_checked_and_imported_as_before(
    settings, township_cadre
):
    settings.ID_IMPORT_ROWS_PER_DAY = 3
    client = client_for(township_cadre)
    job = _checked(client, workbook(good_rows()))
    assert job.status == "checked" and job.members_new == 3
    client.post(f"/households/import/{job.pk}/confirm/")
    jobs.import_job_import(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and Member.objects.count() == 3
    # The check searched the numbers; the import of the same file is not counted again.
    assert IdNumberLookup.objects.filter(user=township_cadre).count() == 3


def test_a_file_past_what_remains_of_the_allowance_is_refused_before_any_search(
    settings, township_cadre
):
    settings.ID_IMPORT_ROWS_PER_DAY = 4
    client = client_for(township_cadre)
    first = _checked(client, workbook(good_rows()[2:]))  # one person: 3 left
    assert first.status == "checked"
    rows = [
        *good_rows(),
        member_row(
            "6204231002000101",
            HOME_VILLAGE,
            "李四",
            make_id_number("620423", "19900404", 14),
            "子女",
        ),
    ]
    searched_before = IdNumberLookup.objects.filter(outcome__in=SEARCHED).count()

    job = _checked(client, workbook(rows))

    assert job.status == "failed" and job.problem_count == 1
    message = job.problems[0]["message"]
    assert "4 个" in message and "还剩 3 个" in message and "4 个身份证号" in message
    assert (job.members_new, job.members_changed, job.progress_total) == (0, 0, 0)
    assert message in _page(client, job)
    assert IdNumberLookup.objects.filter(outcome__in=SEARCHED).count() == searched_before
    refusal = IdNumberLookup.objects.get(outcome="refused")
    assert (refusal.user, refusal.channel, refusal.id_number_hash) == (township_cadre, "import", "")
    assert not Household.objects.exists() and not Member.objects.exists()

    # A day later the allowance is whole again. (The test database lets its superuser move the
    # append-only rows back in time.)
    IdNumberLookup.objects.update(at=timezone.now() - datetime.timedelta(hours=25))
    assert _checked(client, workbook(rows)).status == "checked"


def test_a_file_of_the_numbers_a_mask_and_an_age_leave_is_refused_outright(
    settings, village_worker, household
):
    settings.ID_IMPORT_ROWS_PER_DAY = 10
    today = timezone.localdate()
    target = household.members.get(relation="head")
    # What the worker is shown: the mask and the age.
    candidates = candidates_from_mask_and_age(
        target.id_number_masked, age_this_year(target.birth_date, today=today), today
    )
    assert HEAD_ID in candidates and len(candidates) > settings.ID_IMPORT_ROWS_PER_DAY
    rows = [
        member_row("6204231002000199", HOME_VILLAGE, f"候选{index}", number, "其他")
        for index, number in enumerate(candidates)
    ]
    rows[0]["relation"] = "户主"
    client = client_for(village_worker)

    job = _checked(client, workbook(rows))

    assert job.status == "failed" and job.problem_count == 1
    assert (job.members_new, job.members_changed) == (0, 0)
    page = _page(client, job)
    assert "已登记" not in page and household.number not in page and "张建国" not in page
    assert f"{len(candidates)} 个身份证号" in page
    assert not IdNumberLookup.objects.filter(outcome__in=SEARCHED).exists()
    assert IdNumberLookup.objects.get().outcome == "refused"
    assert not Household.objects.filter(number="6204231002000199").exists()


def test_import_look_ups_do_not_use_up_the_hourly_look_up_allowance(
    settings, township_cadre, household
):
    settings.ID_LOOKUP_PER_HOUR = 1
    assert _checked(client_for(township_cadre), workbook(good_rows())).status == "checked"
    response = api(township_cadre).post("/api/v1/members/lookup/", {"id_number": HEAD_ID})
    assert response.status_code == 200


def test_the_audit_trail_lists_import_look_ups(county_officer, township_cadre):
    _checked(client_for(township_cadre), workbook(good_rows()))
    client = client_for(county_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = client.get("/audit/?kind=lookup").content.decode()
    assert page.count("登记表导入") == 3 and "未登记" in page
    assert id_numbers.lookup_hash(good_rows()[0]["id_number"])[:12] in page
    assert not any(row["id_number"] in page for row in good_rows())
