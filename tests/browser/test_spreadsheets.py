"""A township cadre imports households from Excel in a real browser, with a real worker checking
and importing the file while the page follows it (htmx), and exports the list: a short one at
once, a long one written by the worker while the page follows it."""

import openpyxl

from households import services
from households.models import Household
from tests.conftest import HOME_VILLAGE, committed_db
from tests.spreadsheets.books import good_rows, workbook
from tests.workers import wait_for


@committed_db
def test_a_cadre_imports_from_excel_fixing_a_bad_row_and_exports_the_list(
    celery_worker, visit_as, clock, township_cadre, tmp_path
):
    cadre = visit_as(township_cadre)
    page = cadre.open("/households/")
    page.locator("a[href='/households/import/']").click()
    assert "20,000" in page.inner_text(".import-limit")
    with page.expect_download() as template:
        page.locator("a[href$='template.xlsx']").click()
    saved = tmp_path / "template.xlsx"
    template.value.save_as(saved)
    assert openpyxl.load_workbook(saved).active["A1"].value == "户编号"

    rows = good_rows()
    rows[1]["relation"] = "邻居"
    bad = tmp_path / "农户_有错.xlsx"
    bad.write_bytes(workbook(rows))
    page.set_input_files("input[type=file]", str(bad))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    # The job's page asks for its status every 2 s until the worker has checked the file.
    problems = page.locator("#import-job[data-status=failed] .import-problems")
    problems.wait_for()
    assert "与户主关系" in problems.inner_text() and "邻居" in problems.inner_text()
    cadre.shot("01-bad-row-named")
    phone = visit_as(township_cadre, phone=True)
    phone.open(page.url.removeprefix(phone.live_server.url))
    phone.shot("01-bad-row-named-phone")

    page.locator("#import-job a[href='/households/import/']").click()
    good = tmp_path / "农户.xlsx"
    good.write_bytes(workbook(good_rows()))
    page.set_input_files("input[type=file]", str(good))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    confirm = page.locator("form[action$='/confirm/'] button")
    confirm.wait_for()
    cadre.shot("02-checked")
    phone.open(page.url.removeprefix(phone.live_server.url))
    phone.shot("02-checked-phone")
    confirm.click()
    page.wait_for_load_state()
    page.locator("#import-job[data-status=done]").wait_for()
    cadre.shot("03-imported")
    page.locator("#import-job a[href='/households/']").click()
    page.wait_for_load_state()
    assert "赵大山" in page.inner_text("#household-rows")
    # The worker judges the imported households next: let it finish before the tables are flushed.
    wait_for(
        lambda: not Household.objects.filter(evaluation_pending_since__isnull=False).exists(),
        message="the imported households to be judged",
    )

    with page.expect_download() as export:
        page.locator("form[action*='/export/households.xlsx'] button").click()
    assert export.value.suggested_filename.startswith("农户_")
    exported = tmp_path / "export.xlsx"
    export.value.save_as(exported)
    sheet = openpyxl.load_workbook(exported).active
    assert sheet["A1"].value == "户编号" and sheet["B1"].value == "户主"
    assert {sheet["B2"].value, sheet["B3"].value} == {"赵大山", "孙长河"}


@committed_db
def test_a_cadre_exports_a_long_list_and_downloads_it_when_the_worker_is_done(
    celery_worker, visit_as, clock, township_cadre, household, settings, tmp_path
):
    settings.EXPORT_IN_REQUEST_ROWS = 1  # the live server runs here: the two rows are "long"
    services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    cadre = visit_as(township_cadre)
    page = cadre.open("/households/?ordering=number")
    page.locator("form[action*='/export/households.xlsx'] button").click()
    page.wait_for_load_state()
    assert "/export/jobs/" in page.url
    # The page asks for the job's state every 2 s until the worker has written the file.
    download = page.locator("#export-job[data-status=ready] form.export-download button")
    download.wait_for()
    assert "共 2 行" in page.inner_text("#export-job")
    cadre.shot("04-export-ready")
    with page.expect_download() as export:
        download.click()
    assert export.value.suggested_filename.startswith("农户_")
    exported = tmp_path / "long-export.xlsx"
    export.value.save_as(exported)
    sheet = openpyxl.load_workbook(exported).active
    assert sheet.max_row == 3 and sheet["A2"].value == household.number
    # Excel is for the desktop, but a link to the job opened on a phone reads and downloads.
    phone = visit_as(township_cadre, phone=True)
    phone.open(page.url.removeprefix(phone.live_server.url))
    phone.shot("04-export-ready-phone")
    page.locator(".crumbs a").click()
    page.wait_for_load_state()
    assert page.url.endswith("/households/?ordering=number")
