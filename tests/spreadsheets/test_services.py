"""The registry import: a dry run lists every problem and writes nothing; a real run writes all
or nothing; the same file again changes nothing."""

import pghistory.models
import pytest
from django.core.exceptions import PermissionDenied

from households.models import Household, Member
from spreadsheets.services import registry_import
from tests.conftest import OTHER_TOWNSHIP_VILLAGE
from tests.idgen import make_id_number
from tests.spreadsheets.books import good_rows, headers, member_row, workbook

pytestmark = pytest.mark.django_db


def _run(actor, content, dry_run=False):
    return registry_import(actor=actor, content=content, dry_run=dry_run)


def _nothing_written():
    return Household.objects.count() == 0 and Member.objects.count() == 0


def test_a_good_file_imports_households_members_and_their_cached_head(township_cadre):
    report = _run(township_cadre, workbook(good_rows()))
    assert report.ok, report.problems
    household = Household.objects.get(number="6204231002000101")
    assert (household.head_name, household.member_count, household.poverty_exit_year) == (
        "赵大山",
        2,
        2019,
    )
    spouse = Member.objects.get(name="钱小梅")
    assert (spouse.relation, spouse.work, spouse.sex) == ("spouse", "farming", "female")
    assert spouse.id_number_masked.startswith("620423") and "*" in spouse.id_number_masked
    assert household.evaluation_pending_since is not None


def test_a_dry_run_writes_nothing(township_cadre):
    report = _run(township_cadre, workbook(good_rows()), dry_run=True)
    assert report.ok and report.households.new == 2 and report.members.new == 3
    assert _nothing_written()


def test_importing_the_same_file_again_changes_nothing(township_cadre):
    content = workbook(good_rows())
    _run(township_cadre, content)
    events = pghistory.models.Events.objects.count()
    versions = list(Member.objects.values_list("version", flat=True))
    report = _run(township_cadre, content)
    assert report.ok and not report.changes_anything
    assert report.members.unchanged == 3 and report.households.unchanged == 2
    assert pghistory.models.Events.objects.count() == events
    assert list(Member.objects.values_list("version", flat=True)) == versions


def test_a_changed_cell_updates_the_record_and_bumps_its_version(township_cadre):
    _run(township_cadre, workbook(good_rows()))
    rows = good_rows()
    rows[1]["dibao"] = "是"
    report = _run(township_cadre, workbook(rows))
    assert report.members.changed == 1
    spouse = Member.objects.get(name="钱小梅")
    assert spouse.dibao and spouse.version == 2


def test_one_bad_row_names_row_and_column_and_nothing_is_written(township_cadre):
    rows = good_rows()
    rows[2]["poverty_exit_year"] = "去年"
    rows[1]["relation"] = "邻居"
    report = _run(township_cadre, workbook(rows))
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(3, "与户主关系"), (4, "脱贫年度")]
    assert "邻居" in report.problems[0].message
    assert _nothing_written()


def test_a_blank_relation_and_choices_not_in_the_list_are_refused(township_cadre):
    """Model validation leaves out the columns whose widget only gives a choice of the list or
    yes or no: the widget refuses what is not, and a blank relation is still refused."""
    rows = good_rows()
    rows[0]["relation"] = ""
    rows[1]["status"] = "外出"
    rows[2]["dibao"] = "也许"
    report = _run(township_cadre, workbook(rows))
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "与户主关系"),
        (3, "状态"),
        (4, "低保"),
    ]
    assert _nothing_written()


def test_wrong_headers_are_refused_by_name(township_cadre):
    header_row = headers()
    header_row[0] = "户号码"
    report = _run(township_cadre, workbook(good_rows(), header_row=header_row))
    assert not report.ok
    messages = " ".join(p.message for p in report.problems)
    assert "户号码" in messages and "户编号" in messages
    assert _nothing_written()


def test_english_headers_are_accepted(township_cadre):
    report = _run(township_cadre, workbook(good_rows(), header_row=headers("en")))
    assert report.ok, report.problems


def test_merged_cells_are_refused(township_cadre):
    report = _run(
        township_cadre, workbook(good_rows(), edit=lambda sheet: sheet.merge_cells("A2:A3"))
    )
    assert [p.row for p in report.problems] == [2]
    assert "A2:A3" in report.problems[0].message
    assert _nothing_written()


def test_a_formula_in_a_name_is_refused(township_cadre):
    rows = good_rows()
    rows[0]["name"] = '=HYPERLINK("http://evil","张三")'
    report = _run(township_cadre, workbook(rows))
    assert [(p.row, p.column) for p in report.problems] == [(2, "姓名")]
    assert _nothing_written()


def test_a_text_name_starting_like_a_formula_is_refused(township_cadre):
    rows = good_rows()
    rows[0]["name"] = "@SUM(1)"
    report = _run(township_cadre, workbook(rows))
    assert [(p.row, p.column) for p in report.problems] == [(2, "姓名")]


def test_200000_rows_are_refused_before_reading_them(township_cadre):
    content = workbook(good_rows(), edit=lambda sheet: sheet.cell(row=200_001, column=1, value=1))
    report = _run(township_cadre, content)
    assert len(report.problems) == 1 and "200,000" in report.problems[0].message
    assert _nothing_written()


def test_a_file_that_is_not_a_workbook_is_refused(township_cadre):
    report = _run(township_cadre, b"name,id\n")
    assert report.problems[0].row is None and ".xlsx" in report.problems[0].message


def test_an_id_number_stored_as_a_number_is_refused(township_cadre):
    rows = good_rows()
    rows[0]["id_number"] = float(rows[0]["id_number"][:17] + "1")
    report = _run(township_cadre, workbook(rows))
    assert [(p.row, p.column) for p in report.problems] == [(2, "身份证号")]


def test_a_wrong_check_digit_and_a_person_given_twice_are_named(township_cadre):
    rows = good_rows()
    rows[1]["id_number"] = rows[1]["id_number"][:17] + (
        "0" if rows[1]["id_number"][-1] != "0" else "1"
    )
    rows.append({**rows[2], "name": "孙长河二", "relation": "子女"})
    report = _run(township_cadre, workbook(rows))
    assert [(p.row, p.column) for p in report.problems] == [(3, "身份证号"), (5, "身份证号")]
    assert "4" in report.problems[1].message


def test_a_person_registered_in_another_household_is_refused(township_cadre, household):
    head_id = make_id_number("620423", "19680315", 1)  # the fixture household's head
    rows = [member_row("6204231002000177", "620423100200", "张建国", head_id, "户主")]
    report = _run(township_cadre, workbook(rows))
    assert household.number in report.problems[0].message
    assert not Household.objects.filter(number="6204231002000177").exists()


def test_a_second_head_is_refused(township_cadre):
    rows = good_rows()
    rows[1]["relation"] = "户主"
    report = _run(township_cadre, workbook(rows))
    assert [(p.row, p.column) for p in report.problems] == [(3, "与户主关系")]


def test_a_household_written_two_ways_is_refused(township_cadre):
    rows = good_rows()
    rows[1]["address"] = "别处"
    report = _run(township_cadre, workbook(rows))
    assert [(p.row, p.column) for p in report.problems] == [(3, "住址")]


def test_exit_year_must_match_the_status(township_cadre):
    rows = good_rows()
    rows[2]["poverty_exit_year"] = 2018  # an ordinary household
    report = _run(township_cadre, workbook(rows))
    assert [(p.row, p.column) for p in report.problems] == [(4, "脱贫年度")]


def test_another_townships_cadre_cannot_import_into_our_villages(other_township_cadre):
    report = _run(other_township_cadre, workbook(good_rows()))
    assert {p.column for p in report.problems} == {"行政村"}
    assert _nothing_written()


def test_a_household_of_another_township_cannot_be_overwritten(
    township_cadre, other_township_household
):
    rows = [
        member_row(
            other_township_household.number,
            "620423100200",
            "冒名",
            make_id_number("620423", "19800101", 44),
            "户主",
        )
    ]
    report = _run(township_cadre, workbook(rows))
    assert report.problems[0].column == "户编号"
    other_township_household.refresh_from_db()
    assert other_township_household.village_id == OTHER_TOWNSHIP_VILLAGE


def test_a_partner_may_not_import(partner):
    with pytest.raises(PermissionDenied):
        _run(partner, workbook(good_rows()))
