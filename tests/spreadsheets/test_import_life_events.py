"""The registry import and the rows a person leaves behind when they move out or die."""

import pytest

from households import services
from households.models import Member
from spreadsheets.services import registry_import
from tests.conftest import HOME_VILLAGE
from tests.idgen import make_id_number
from tests.spreadsheets.books import member_row, workbook

pytestmark = pytest.mark.django_db

SPOUSE_ID = make_id_number("620423", "19700621", 2)


def test_a_file_updates_the_persons_active_row_not_the_one_left_behind(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    target = services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    moved = services.member_move(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        household_id=target.pk,
        relation="head",
    )
    row = member_row(target.number, HOME_VILLAGE, "李秀英", SPOUSE_ID, "户主")
    report = registry_import(actor=township_cadre, content=workbook([row]), dry_run=False)
    assert report.ok, report.problems
    assert report.members.new == 0
    assert Member.objects.filter(id_number_hash=moved.id_number_hash).count() == 2
    assert Member.objects.get(pk=spouse.pk).status == "moved_out"


def test_a_file_does_not_register_a_person_recorded_as_deceased(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    services.member_update(
        actor=township_cadre, member=spouse, version=spouse.version, status="deceased"
    )
    target = services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    row = member_row(target.number, HOME_VILLAGE, "李秀英", SPOUSE_ID, "户主")
    report = registry_import(actor=township_cadre, content=workbook([row]), dry_run=False)
    assert not report.ok
    assert any("死亡" in problem.message for problem in report.problems)
    assert not target.members.exists()
