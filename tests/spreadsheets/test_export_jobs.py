"""A long list's export through the worker, as a township cadre does it: the export button
answers at once with the job's page, a real Celery worker on the broker writes the file, the
page follows it, the download sends it. No eager mode: the task crosses the broker as JSON and
runs after commit."""

import stat
from io import BytesIO

import openpyxl
import pytest

from audit.models import ExportEvent
from households import services
from spreadsheets.models import ExportJob
from spreadsheets.uploads import EXPORT_FILES
from tests.conftest import HOME_VILLAGE, client_for, committed_db
from tests.workers import wait_for

pytestmark = committed_db


@pytest.fixture
def longer_than_a_request(settings):
    """Lists of more than one row go to the worker (the worker reads the row limit only in the
    web process: it writes whatever it is given)."""
    settings.EXPORT_IN_REQUEST_ROWS = 1


def _ready(job: ExportJob) -> ExportJob:
    def reached():
        job.refresh_from_db()
        return job if job.status in ("ready", "failed") else None

    return wait_for(reached, message=f"export job {job.pk} to be written")


def _asked(response) -> ExportJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response["Location"] == f"/export/jobs/{job.pk}/"
    return job


def test_a_long_list_is_written_by_the_worker_followed_on_its_page_and_downloaded_masked(
    celery_worker, longer_than_a_request, township_cadre, household, other_township_household
):
    second = services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    client = client_for(township_cadre)
    job = _asked(client.post("/export/households.xlsx?ordering=number"))
    assert (job.kind, job.query, job.owner_id) == (
        "households",
        "ordering=number",
        township_cadre.pk,
    )
    assert not ExportEvent.objects.exists()  # recorded when the file is taken, not when asked

    job = _ready(job)
    assert job.status == "ready" and job.row_count == 2
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
    celery_worker,
    longer_than_a_request,
    township_cadre,
    household,
    other_township_cadre,
    django_user_model,
):
    services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    job = _ready(_asked(client_for(township_cadre).post("/export/households.xlsx")))
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
