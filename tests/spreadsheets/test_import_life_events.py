"""The registry import and the rows a person leaves behind when they move out or die."""

import pytest
from django.utils import timezone

from households import services
from households.models import LifeEvent, Member
from spreadsheets.services import registry_import
from tests.conftest import HOME_VILLAGE
from tests.idgen import make_id_number
from tests.spreadsheets.books import member_row, workbook

pytestmark = pytest.mark.django_db

SPOUSE_ID = make_id_number("620423", "19700621", 2)
HEAD_ID = make_id_number("620423", "19680315", 1)


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


def test_a_death_in_a_file_is_a_life_event_the_rules_read(township_cadre, household):
    """The registry import is a door like the member form: a labourer recorded as deceased in a
    file is a death on the day of the import, from a member who could work."""
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    rows = [
        member_row(household.number, HOME_VILLAGE, head.name, HEAD_ID, "户主", health="长期慢性病"),
        member_row(household.number, HOME_VILLAGE, "李秀英", SPOUSE_ID, "配偶", status="已故"),
    ]
    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)
    assert report.ok, report.problems

    event = LifeEvent.objects.get(member=spouse, kind="died")
    assert (event.occurred_on, event.member_had_labour, event.recorded_by) == (
        timezone.localdate(),
        True,
        township_cadre,
    )
    assert not LifeEvent.objects.filter(member=head).exclude(kind="registered").exists()


def test_a_file_that_is_only_checked_records_no_life_event(township_cadre, household):
    rows = [
        member_row(household.number, HOME_VILLAGE, "李秀英", SPOUSE_ID, "配偶", status="已故"),
    ]
    registry_import(actor=township_cadre, content=workbook(rows), dry_run=True)
    assert not LifeEvent.objects.exclude(kind="registered").exists()
