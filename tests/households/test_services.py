import threading

import pghistory.models
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core import id_numbers
from core.errors import EditConflict
from households import services
from households.models import Household, Member, SensitiveAccess
from tests.conftest import (
    HOME_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    OTHER_VILLAGE_SAME_TOWNSHIP,
    committed_db,
)
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db


def test_household_numbers_follow_the_village_code(township_cadre):
    first = services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    second = services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    assert first.number == HOME_VILLAGE + "0001"
    assert second.number == HOME_VILLAGE + "0002"


def test_a_household_outside_the_actors_region_is_refused_and_nothing_is_written(township_cadre):
    with pytest.raises(ValidationError) as error:
        services.household_create(
            actor=township_cadre, village_code=OTHER_TOWNSHIP_VILLAGE, poverty_status="ordinary"
        )
    assert "village" in error.value.message_dict
    assert not Household.objects.exists()


def test_a_lifted_out_household_needs_its_exit_year(township_cadre):
    with pytest.raises(ValidationError) as error:
        services.household_create(
            actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="lifted_out"
        )
    assert "poverty_exit_year" in error.value.message_dict


def test_the_id_number_is_stored_encrypted_hashed_and_masked(household):
    head = household.members.get(relation="head")
    number = make_id_number("620423", "19680315", 1)
    assert number not in head.id_number_encrypted
    assert id_numbers.decrypt(head.id_number_encrypted) == number
    assert head.id_number_hash == id_numbers.lookup_hash(number)
    assert head.id_number_masked == number[:6] + "********" + number[-4:]
    assert head.sex == "male"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM households_member WHERE id_number_encrypted LIKE %s",
            [f"%{number}%"],
        )
        assert cursor.fetchone()[0] == 0


def test_the_household_caches_its_head_and_size(household):
    assert household.head_name == "张建国"
    assert household.member_count == 2


def test_a_person_registered_twice_is_refused_naming_the_household(household, township_cadre):
    with pytest.raises(ValidationError) as error:
        services.member_create(
            actor=township_cadre,
            household_id=household.pk,
            name="张建国",
            id_number=make_id_number("620423", "19680315", 1),
            relation="other",
            labour="ordinary",
            education="junior",
        )
    assert household.number in error.value.message_dict["id_number"][0]
    assert household.members.count() == 2


def test_a_person_registered_where_the_actor_cannot_see_says_elsewhere(
    household, other_township_cadre, other_township_household
):
    with pytest.raises(ValidationError) as error:
        services.member_create(
            actor=other_township_cadre,
            household_id=other_township_household.pk,
            name="张建国",
            id_number=make_id_number("620423", "19680315", 1),
            relation="other",
            labour="ordinary",
            education="junior",
        )
    message = error.value.message_dict["id_number"][0]
    assert "elsewhere" in message or "其他地区" in message
    assert household.number not in message


@committed_db
def test_concurrent_registrations_of_one_person_leave_one_member(household, township_cadre):
    """Two cadres register the same person at the same moment: the unique hash decides."""
    number = make_id_number("620423", "19991111", 7)
    results = []

    def register():
        try:
            services.member_create(
                actor=township_cadre,
                household_id=household.pk,
                name="张小明",
                id_number=number,
                relation="child",
                labour="ordinary",
                education="senior",
            )
            results.append("ok")
        except ValidationError as error:
            results.append(error.message_dict["id_number"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Member.objects.filter(id_number_hash=id_numbers.lookup_hash(number)).count() == 1
    assert results.count("ok") == 1
    assert household.number in [result for result in results if result != "ok"][0]


def test_a_household_has_one_head(household, township_cadre):
    with pytest.raises(ValidationError) as error:
        services.member_create(
            actor=township_cadre,
            household_id=household.pk,
            name="张二",
            id_number=make_id_number("620423", "19700101", 5),
            relation="head",
            labour="ordinary",
            education="junior",
        )
    assert "relation" in error.value.message_dict


def test_a_stale_edit_is_refused_and_the_first_one_kept(household, township_cadre):
    services.household_update(
        actor=township_cadre, household=household, version=household.version, address="新地址"
    )
    with pytest.raises(EditConflict):
        services.household_update(
            actor=township_cadre, household=household, version=household.version, address="旧"
        )
    household.refresh_from_db()
    assert household.address == "新地址"
    assert household.version == 2


def test_a_member_cannot_be_moved_to_a_household_the_actor_cannot_see(
    household, township_cadre, other_township_household
):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError) as error:
        services.member_move(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            household_id=other_township_household.pk,
            relation="spouse",
        )
    assert "household" in error.value.message_dict
    spouse.refresh_from_db()
    assert spouse.household_id == household.pk
    assert spouse.status == "active"


def test_moving_a_member_refreshes_both_households(household, township_cadre):
    target = services.household_create(
        actor=township_cadre, village_code=OTHER_VILLAGE_SAME_TOWNSHIP, poverty_status="ordinary"
    )
    spouse = household.members.get(relation="spouse")
    services.member_move(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        household_id=target.pk,
        relation="head",
    )
    household.refresh_from_db()
    target.refresh_from_db()
    assert (household.member_count, target.member_count) == (1, 1)
    assert target.head_name == "李秀英"


def test_a_partner_may_not_register_households(partner):
    with pytest.raises(PermissionDenied):
        services.household_create(
            actor=partner, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )


def test_unmasking_returns_full_values_and_records_who_and_why(household, township_cadre):
    unmasked = services.sensitive_unmask(
        actor=township_cadre, household=household, reason="核实医疗救助", channel="page"
    )
    numbers = {member.name: member.id_number for member in unmasked.members}
    assert numbers["张建国"] == make_id_number("620423", "19680315", 1)
    assert unmasked.phone == "13893001234"
    records = SensitiveAccess.objects.filter(user=township_cadre, household=household)
    assert records.count() == 2
    assert {record.reason for record in records} == {"核实医疗救助"}


def test_unmasking_needs_a_reason_and_the_permission(household, township_cadre, village_worker):
    with pytest.raises(ValidationError):
        services.sensitive_unmask(
            actor=township_cadre, household=household, reason=" ", channel="api"
        )
    with pytest.raises(PermissionDenied):
        services.sensitive_unmask(
            actor=village_worker, household=household, reason="看看", channel="api"
        )
    assert not SensitiveAccess.objects.exists()


def test_every_change_is_in_the_history_with_its_author(household, township_cadre):
    services.household_update(
        actor=township_cadre, household=household, version=household.version, address="新地址"
    )
    events = pghistory.models.Events.objects.references(household).order_by("pgh_created_at")
    labels = [(event.pgh_obj_model, event.pgh_label) for event in events]
    assert ("households.Household", "insert") in labels
    assert labels.count(("households.Member", "insert")) == 2
    update = [
        event
        for event in events
        if event.pgh_label == "update"
        and event.pgh_obj_model == "households.Household"
        and "address" in (event.pgh_diff or {})
    ]
    assert update and update[-1].pgh_diff["address"] == ["水源村3社12号", "新地址"]
    assert update[-1].pgh_context["user"] == township_cadre.pk


def test_queryset_updates_are_in_the_history_too(household):
    Household.objects.filter(pk=household.pk).update(address="批量修改")
    updates = pghistory.models.Events.objects.tracks(household).filter(pgh_label="update")
    assert "批量修改" in [event.pgh_data["address"] for event in updates]


def test_finding_a_person_by_id_number(household, township_cadre, other_township_cadre):
    number = make_id_number("620423", "19680315", 1)
    assert (
        services.member_find_by_id_number(actor=township_cadre, id_number=number).name == "张建国"
    )
    with pytest.raises(ValidationError) as error:
        services.member_find_by_id_number(actor=other_township_cadre, id_number=number)
    assert error.value.message_dict["id_number"]
    unknown = make_id_number("620423", "19800101", 9)
    assert services.member_find_by_id_number(actor=township_cadre, id_number=unknown) is None
