import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from livelihoods.models import WorkRecord
from livelihoods.services import work
from tests.conftest import client_for, committed_db
from tests.idgen import make_id_number
from tests.livelihoods.conftest import THIS_MONTH, months_ago
from tests.workers import at_once

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


# The batch behind a file (and the demo's year of work) -----------------------------------------


def year_of(member, *, status: str = "seeking", months: int = 6) -> list[work.WorkEntry]:
    return [
        work.WorkEntry(row=row, member_id=member.pk, month=months_ago(row), status=status)
        for row in range(1, months + 1)
    ]


def test_a_batch_keeps_every_month_once_and_answers_a_second_sending_unchanged(
    township_cadre, head, spouse
):
    entries = year_of(head) + year_of(spouse)
    assert work.work_records_save_many(actor=township_cadre, entries=entries) == (12, 0)
    assert work.work_records_save_many(actor=township_cadre, entries=entries) == (0, 12)
    records = WorkRecord.objects.all()
    assert records.count() == 12
    assert {(r.source, r.recorded_by_id, r.version) for r in records} == {
        ("import", township_cadre.pk, 1)
    }
    # Each record's history names the cadre, as a single write's does.
    events = WorkRecord.pgh_event_model.objects.filter(pgh_obj__in=records)
    assert events.count() == 12
    assert {event.pgh_context.metadata["user"] for event in events} == {township_cadre.pk}


def test_one_month_recorded_otherwise_refuses_the_batch_and_names_its_row(
    township_cadre, head, spouse
):
    work.work_record_save(
        actor=township_cadre, member_id=head.pk, month=months_ago(3), status="not_working"
    )
    entries = year_of(spouse) + year_of(head)
    with pytest.raises(work.WorkImportRefused) as refused:
        work.work_records_save_many(actor=township_cadre, entries=entries)
    assert [(p.row, p.field) for p in refused.value.problems] == [(3, "month")]
    assert WorkRecord.objects.count() == 1


def test_a_batch_refuses_twice_the_same_month_a_child_and_another_townships_member(
    township_cadre, other_township_cadre, head, child
):
    twice = [
        work.WorkEntry(row=1, member_id=head.pk, month=months_ago(1), status="seeking"),
        work.WorkEntry(row=2, member_id=head.pk, month=months_ago(1), status="seeking"),
        work.WorkEntry(row=3, member_id=child.pk, month=months_ago(1), status="seeking"),
        work.WorkEntry(row=4, member_id=head.pk, month=months_ago(2), status="working"),
    ]
    with pytest.raises(work.WorkImportRefused) as refused:
        work.work_records_save_many(actor=township_cadre, entries=twice)
    assert [(p.row, p.field) for p in refused.value.problems] == [
        (2, "month"),
        (3, "member"),
        (4, "place"),
    ]
    with pytest.raises(work.WorkImportRefused) as refused:
        work.work_records_save_many(actor=other_township_cadre, entries=year_of(head, months=1))
    assert [(p.row, p.field) for p in refused.value.problems] == [(1, "member")]
    assert not WorkRecord.objects.exists()


def test_a_batch_costs_the_same_statements_for_n_or_3n_months(township_cadre, head, spouse):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(entries) -> int:
        with CaptureQueriesContext(connection) as captured:
            work.work_records_save_many(actor=township_cadre, entries=entries)
        return len(captured)

    few = statements(year_of(head, months=2))
    many = statements(year_of(spouse, months=6))
    assert few == many


@committed_db
def test_one_file_imported_twice_at_once_is_kept_once(township_cadre, head, spouse):
    entries = year_of(head) + year_of(spouse)
    results = at_once(
        lambda: work.work_records_save_many(actor=township_cadre, entries=entries), times=2
    )
    assert sorted(results) == [(0, 12), (12, 0)]
    assert WorkRecord.objects.count() == 12


def test_a_member_named_by_anything_but_an_id_is_a_problem_not_an_error(township_cadre, head):
    odd = [
        work.WorkEntry(row=1, member_id="abc", month=months_ago(1), status="seeking"),  # type: ignore[arg-type]
        work.WorkEntry(row=2, member_id=True, month=months_ago(1), status="seeking"),
        work.WorkEntry(row=3, member_id=head.pk, month="2026-01", status="seeking"),  # type: ignore[arg-type]
    ]
    with pytest.raises(work.WorkImportRefused) as refused:
        work.work_records_save_many(actor=township_cadre, entries=odd)
    assert [(p.row, p.field) for p in refused.value.problems] == [
        (1, "member"),
        (2, "member"),
        (3, "month"),
    ]
    assert not WorkRecord.objects.exists()
