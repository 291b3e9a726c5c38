import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from livelihoods.models import WorkRecord
from tests.conftest import client_for
from tests.idgen import make_id_number
from tests.livelihoods.conftest import THIS_MONTH, months_ago

HEAD = make_id_number("620423", "19680315", 1)
SPOUSE = make_id_number("620423", "19700621", 2)
HEADER = ["身份证号", "月份", "就业状态", "务工地点", "行业", "务工单位", "月收入"]


def workbook(*rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("work.xlsx", out.getvalue())


def test_a_department_file_is_imported_in_chinese_words(township_cadre, household, head, spouse):
    last = months_ago(1).strftime("%Y-%m")
    upload = workbook(
        (HEAD, last, "务工", "省外", "建筑业", "新疆昌吉建筑工地", "3000至5000元"),
        (SPOUSE, months_ago(1), "正在找工作", None, None, None, None),
    )
    response = client_for(township_cadre).post("/livelihoods/work/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    records = {r.member_id: r for r in WorkRecord.objects.all()}
    assert records[head.pk].status == "working" and records[head.pk].source == "import"
    assert records[head.pk].employer == "新疆昌吉建筑工地"
    assert records[spouse.pk].status == "seeking" and records[spouse.pk].month == months_ago(1)


def test_one_bad_row_imports_nothing_and_names_the_row(
    township_cadre, other_township_cadre, household
):
    future = THIS_MONTH.replace(year=THIS_MONTH.year + 1).strftime("%Y-%m")
    upload = workbook(
        (HEAD, months_ago(1).strftime("%Y-%m"), "working", "county", "", "", ""),
        (SPOUSE, future, "working", "county", "", "", ""),
    )
    response = client_for(township_cadre).post("/livelihoods/work/import/", {"file": upload})
    text = response.content.decode()
    assert response.status_code == 400
    assert "不能为尚未到来的月份登记就业情况" in text
    assert not WorkRecord.objects.exists()
    # Another township's cadre finds nobody by these numbers.
    upload = workbook((HEAD, months_ago(1).strftime("%Y-%m"), "working", "county", "", "", ""))
    response = client_for(other_township_cadre).post("/livelihoods/work/import/", {"file": upload})
    assert response.status_code == 400 and "您的辖区内没有这名成员" in response.content.decode()
    assert not WorkRecord.objects.exists()
