"""A township cadre imports households from Excel in a real browser, and exports the list."""

import openpyxl

from tests.conftest import committed_db
from tests.spreadsheets.books import good_rows, workbook


@committed_db
def test_a_cadre_imports_from_excel_fixing_a_bad_row_and_exports_the_list(
    visit_as, clock, township_cadre, tmp_path
):
    cadre = visit_as(township_cadre)
    page = cadre.open("/households/")
    page.locator("a[href='/households/import/']").click()
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
    problems = page.locator(".import-problems")
    assert "与户主关系" in problems.inner_text() and "邻居" in problems.inner_text()
    cadre.shot("01-bad-row-named")

    good = tmp_path / "农户.xlsx"
    good.write_bytes(workbook(good_rows()))
    page.set_input_files("input[type=file]", str(good))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    cadre.shot("02-checked")
    page.locator("form[action$='/confirm/'] button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/households/")
    assert "赵大山" in page.inner_text("#household-rows")
    cadre.shot("03-imported")

    with page.expect_download() as export:
        page.locator("form[action*='/export/households.xlsx'] button").click()
    assert export.value.suggested_filename.startswith("农户_")
    exported = tmp_path / "export.xlsx"
    export.value.save_as(exported)
    sheet = openpyxl.load_workbook(exported).active
    assert sheet["A1"].value == "户编号" and sheet["B1"].value == "户主"
    assert {sheet["B2"].value, sheet["B3"].value} == {"赵大山", "孙长河"}
