"""Excel in and out through the pages, with the personas: who may import, who sees what."""

from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.utils.escape import unescape

from households.models import Household
from tests.conftest import client_for
from tests.spreadsheets.books import good_rows, workbook

pytestmark = pytest.mark.django_db


def _upload(client, content, name="农户.xlsx"):
    return client.post(
        "/households/import/", {"file": SimpleUploadedFile(name, content)}, follow=False
    )


def _sheet(response):
    book = openpyxl.load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return book.active


# Checking and importing run in the worker: tests/spreadsheets/test_import_jobs.py.


def test_a_file_that_is_not_xlsx_is_refused_by_the_form(township_cadre):
    response = _upload(client_for(township_cadre), b"x", name="农户.csv")
    assert response.status_code == 200 and ".xlsx" in response.content.decode()


def test_template_has_chinese_headers_and_drop_downs(township_cadre):
    response = client_for(township_cadre).get("/households/import/template.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = _sheet(response)
    assert sheet["A1"].value == "户编号" and sheet.data_validations.dataValidation


@pytest.mark.parametrize("persona", ["partner", "auditor"])
def test_roles_that_may_not_register_cannot_import(persona, request):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/households/import/").status_code == 403
    assert client.get("/households/import/template.xlsx").status_code == 403
    assert _upload(client, workbook(good_rows())).status_code == 403


def test_anonymous_user_is_sent_to_log_in():
    from django.test import Client

    response = Client().post("/export/households.xlsx")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_household_export_is_scoped_masked_and_headed_in_chinese(
    township_cadre, household, other_township_household
):
    response = client_for(township_cadre).post("/export/households.xlsx")
    assert response.status_code == 200
    assert "%E5%86%9C%E6%88%B7_" in response["Content-Disposition"]  # 农户_
    rows = list(_sheet(response).values)
    assert rows[0][:3] == ("户编号", "户主", "行政村")
    numbers = [row[0] for row in rows[1:]]
    assert numbers == [household.number]
    text = " ".join(str(cell) for cell in rows[1])
    assert "138****1234" in text and "13893001234" not in text
    assert "6228480402564890018" not in text and "0018" in text


def test_export_follows_the_lists_filters(township_cadre, household):
    client = client_for(township_cadre)
    response = client.post("/export/households.xlsx?poverty_status=ordinary")
    assert len(list(_sheet(response).values)) == 1  # the header only


def test_a_name_that_looks_like_a_formula_is_exported_as_text(township_cadre, household):
    Household.objects.filter(pk=household.pk).update(head_name='=HYPERLINK("http://x","y")')
    response = client_for(township_cadre).post("/export/households.xlsx")
    cell = _sheet(response)["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.parametrize("text", ["+SUM(1,1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_partner_named_like_a_formula_is_exported_as_text(county_officer, partner_org, text):
    # Every export shares ListResource.export_field, so one list stands for all six.
    type(partner_org).objects.filter(pk=partner_org.pk).update(name=text)
    response = client_for(county_officer).post("/export/partners.xlsx")
    cell = _sheet(response)["A2"]
    # A carriage return is stored escaped (_x000D_), as the file format asks and as Excel reads
    # it; openpyxl's reader leaves the escape as written.
    value = unescape(cell.value)
    assert cell.data_type == "s" and value.startswith("'")
    assert value[1:] == text


@pytest.mark.parametrize(
    "text",
    [
        "<r>A & B</r>",
        '<r><t>x</t></r></is></c><c r="H2"><f>1+1</f></c>'
        '<c r="I2" t="inlineStr"><is><r><t></t></r>',
    ],
)
def test_a_partner_named_like_the_files_own_xml_is_exported_as_that_text(
    county_officer, partner_org, text
):
    """Text shaped like a rich string of the file's own XML is still only text: one cell, as
    written, no formula smuggled in and no file broken for everyone."""
    type(partner_org).objects.filter(pk=partner_org.pk).update(name=text)
    sheet = _sheet(client_for(county_officer).post("/export/partners.xlsx"))
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == text
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert sheet.max_column == len([cell for cell in sheet[1] if cell.value])


def test_other_township_cadre_does_not_see_our_households(other_township_cadre, household):
    response = client_for(other_township_cadre).post("/export/households.xlsx")
    assert household.number not in [row[0] for row in _sheet(response).values]


@pytest.mark.parametrize("kind", ["visits", "alerts", "cases", "measures", "partners"])
def test_every_list_exports_for_the_county(kind, county_officer, partner_org):
    response = client_for(county_officer).post(f"/export/{kind}.xlsx")
    assert response.status_code == 200
    assert all(isinstance(h, str) for h in next(_sheet(response).values))


def test_a_partner_exports_its_own_measures_but_not_households(partner, partner_org):
    client = client_for(partner)
    assert client.post("/export/households.xlsx").status_code == 403
    response = client.post("/export/partners.xlsx")
    assert [row[0] for row in list(_sheet(response).values)[1:]] == [partner_org.name]
    assert client.post("/export/measures.xlsx").status_code == 200


def test_a_village_worker_exports_households_of_the_village_only(
    village_worker, household, other_township_household
):
    response = client_for(village_worker).post("/export/households.xlsx")
    assert [row[0] for row in list(_sheet(response).values)[1:]] == [household.number]


def test_an_export_past_the_cap_is_refused_with_a_message(township_cadre, household, settings):
    from spreadsheets import exports

    original, exports.MAX_EXPORT_ROWS = exports.MAX_EXPORT_ROWS, 0
    try:
        response = client_for(township_cadre).post("/export/households.xlsx", follow=True)
    finally:
        exports.MAX_EXPORT_ROWS = original
    assert response.redirect_chain and "message error" in response.content.decode()
