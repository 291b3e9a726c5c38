"""Life events through the services: moves, deaths, a new head, splits, merges, co-residence."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import EditConflict
from households import services
from households.models import Household, LifeEvent, Member
from tests.conftest import HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

SPOUSE_ID = make_id_number("620423", "19700621", 2)


def new_household(actor, village=HOME_VILLAGE, *, head="赵大山", birth="19800101", seq=11):
    household = services.household_create(
        actor=actor, village_code=village, poverty_status="ordinary"
    )
    services.member_create(
        actor=actor,
        household_id=household.pk,
        name=head,
        id_number=make_id_number("620423", birth, seq),
        relation="head",
        labour="ordinary",
        education="junior",
    )
    household.refresh_from_db()
    return household


def add_child(actor, household, *, name="张小军", birth="20000505", seq=21):
    return services.member_create(
        actor=actor,
        household_id=household.pk,
        name=name,
        id_number=make_id_number("620423", birth, seq),
        relation="child",
        labour="ordinary",
        education="senior",
    )


def kinds(household) -> list[str]:
    return sorted(household.life_events.exclude(kind="registered").values_list("kind", flat=True))


def fresh(row):
    row.refresh_from_db()
    return row


@pytest.fixture
def target(township_cadre):
    return new_household(township_cadre)


# Moves -----------------------------------------------------------------------------------


def test_a_move_closes_the_old_row_and_opens_one_in_the_new_household(
    township_cadre, household, target
):
    spouse = household.members.get(relation="spouse")
    moved = services.member_move(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        household_id=target.pk,
        relation="spouse",
        changed_on=datetime.date(2026, 10, 1),
    )
    spouse.refresh_from_db()
    assert spouse.status == "moved_out" and spouse.household_id == household.pk
    assert moved.household_id == target.pk and moved.status == "active"
    assert moved.pk != spouse.pk
    same = ("id_number_hash", "id_number_encrypted", "id_number_masked", "birth_date", "sex")
    assert all(getattr(moved, name) == getattr(spouse, name) for name in same)
    out = household.life_events.get(kind="moved_out")
    came = target.life_events.get(kind="moved_in")
    assert (out.member_id, out.other_household_id) == (spouse.pk, target.pk)
    assert (came.member_id, came.other_household_id) == (moved.pk, household.pk)
    assert out.occurred_on == came.occurred_on == datetime.date(2026, 10, 1)
    assert out.member_had_labour is True
    assert (fresh(household).member_count, fresh(target).member_count) == (1, 2)
    assert fresh(household).evaluation_pending_since is not None
    assert fresh(target).evaluation_pending_since is not None


def test_a_move_outside_the_actors_region_is_refused_and_nothing_is_written(
    township_cadre, household, other_township_household
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
    assert fresh(spouse).status == "active"
    assert not LifeEvent.objects.exclude(kind="registered").exists()
    assert other_township_household.members.count() == 1


def test_a_stale_move_is_refused(township_cadre, household, target):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(EditConflict):
        services.member_move(
            actor=township_cadre,
            member=spouse,
            version=spouse.version - 1,
            household_id=target.pk,
            relation="spouse",
        )
    assert fresh(spouse).status == "active"


def test_a_move_as_a_second_head_is_refused(township_cadre, household, target):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError) as error:
        services.member_move(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            household_id=target.pk,
            relation="head",
        )
    assert "relation" in error.value.message_dict
    assert fresh(spouse).status == "active"


def test_editing_the_household_of_a_member_is_refused_pointing_to_the_move(
    township_cadre, household, target
):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError) as error:
        services.member_update(
            actor=township_cadre, member=spouse, version=spouse.version, household=target.pk
        )
    assert "move" in error.value.message_dict["household"][0]
    assert fresh(spouse).household_id == household.pk
    # The household given unchanged (an API client sending the whole record) is fine.
    services.member_update(
        actor=township_cadre, member=spouse, version=spouse.version, household=household.pk
    )


# One person, one active membership -------------------------------------------------------


def test_the_database_keeps_one_active_membership_per_person(household, target):
    spouse = household.members.get(relation="spouse")
    twin = Member.objects.get(pk=spouse.pk)
    twin.pk = None
    twin.household = target
    twin.relation = "spouse"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    twin.pk = None
    twin.status = "moved_out"
    twin.save()  # a row left behind is no membership


def test_a_person_who_moved_out_can_be_registered_in_another_household(
    township_cadre, household, target
):
    spouse = household.members.get(relation="spouse")
    services.member_update(
        actor=township_cadre, member=spouse, version=spouse.version, status="moved_out"
    )
    again = services.member_create(
        actor=township_cadre,
        household_id=target.pk,
        name="李秀英",
        id_number=SPOUSE_ID,
        relation="spouse",
        labour="ordinary",
        education="primary",
    )
    assert again.household_id == target.pk
    assert Member.objects.filter(id_number_hash=spouse.id_number_hash).count() == 2
    # Found by ID number: the active row, not the one left behind.
    found = services.member_find_by_id_number(actor=township_cadre, id_number=SPOUSE_ID)
    assert found.pk == again.pk


def test_an_active_person_cannot_be_registered_twice(township_cadre, household, target):
    with pytest.raises(ValidationError) as error:
        services.member_create(
            actor=township_cadre,
            household_id=target.pk,
            name="李秀英",
            id_number=SPOUSE_ID,
            relation="spouse",
            labour="ordinary",
            education="primary",
        )
    assert household.number in error.value.message_dict["id_number"][0]


def test_a_person_recorded_as_deceased_is_not_registered_again(township_cadre, household, target):
    spouse = household.members.get(relation="spouse")
    services.member_update(
        actor=township_cadre, member=spouse, version=spouse.version, status="deceased"
    )
    with pytest.raises(ValidationError) as error:
        services.member_create(
            actor=township_cadre,
            household_id=target.pk,
            name="李秀英",
            id_number=SPOUSE_ID,
            relation="spouse",
            labour="ordinary",
            education="primary",
        )
    assert "死亡" in error.value.message_dict["id_number"][0]
    assert target.members.count() == 1


def test_a_member_who_moved_out_cannot_come_back_while_active_elsewhere(
    township_cadre, household, target
):
    spouse = household.members.get(relation="spouse")
    services.member_move(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        household_id=target.pk,
        relation="spouse",
    )
    spouse.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.member_update(
            actor=township_cadre, member=spouse, version=spouse.version, status="active"
        )
    assert "id_number" in error.value.message_dict
    assert fresh(spouse).status == "moved_out"


# The head --------------------------------------------------------------------------------


def test_the_head_dying_without_a_new_head_is_refused(township_cadre, household):
    head = household.members.get(relation="head")
    with pytest.raises(ValidationError) as error:
        services.member_update(
            actor=township_cadre, member=head, version=head.version, status="deceased"
        )
    assert "new_head" in error.value.message_dict
    assert fresh(head).status == "active"
    assert kinds(household) == []


def test_the_head_dying_names_the_new_head_in_the_same_action(township_cadre, household):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    services.member_update(
        actor=township_cadre,
        member=head,
        version=head.version,
        status="deceased",
        new_head_id=spouse.pk,
        changed_on=datetime.date(2026, 9, 30),
    )
    assert fresh(spouse).relation == "head"
    assert fresh(household).head_name == "李秀英"
    assert kinds(household) == ["died", "head_changed"]
    changed = household.life_events.get(kind="head_changed")
    assert (changed.member_id, changed.occurred_on) == (spouse.pk, datetime.date(2026, 9, 30))


def test_the_new_head_is_one_of_the_members_who_stay(township_cadre, household, target):
    head = household.members.get(relation="head")
    stranger = target.members.get()
    with pytest.raises(ValidationError) as error:
        services.member_update(
            actor=township_cadre,
            member=head,
            version=head.version,
            status="deceased",
            new_head_id=stranger.pk,
        )
    assert "new_head" in error.value.message_dict
    assert fresh(head).status == "active"


def test_a_new_head_is_named_only_when_the_head_leaves(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError) as error:
        services.member_update(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            status="deceased",
            new_head_id=spouse.pk,
        )
    assert "new_head" in error.value.message_dict


def test_the_head_moving_out_names_the_new_head(township_cadre, household, target):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError):
        services.member_move(
            actor=township_cadre,
            member=head,
            version=head.version,
            household_id=target.pk,
            relation="parent",
        )
    services.member_move(
        actor=township_cadre,
        member=head,
        version=head.version,
        household_id=target.pk,
        relation="parent",
        new_head_id=spouse.pk,
    )
    assert fresh(household).head_name == "李秀英"
    assert kinds(household) == ["head_changed", "moved_out"]


def test_the_last_member_leaving_leaves_an_empty_household(township_cadre, target):
    head = target.members.get()
    services.member_update(
        actor=township_cadre, member=head, version=head.version, status="deceased"
    )
    target.refresh_from_db()
    assert (target.member_count, target.head_name) == (0, "")


# Dates -----------------------------------------------------------------------------------


def test_a_death_in_the_future_is_refused_and_nothing_is_written(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError) as error:
        services.member_update(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            status="deceased",
            changed_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "changed_on" in error.value.message_dict
    assert fresh(spouse).status == "active"
    assert kinds(household) == []


def test_a_death_before_birth_is_refused(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError) as error:
        services.member_update(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            status="deceased",
            changed_on=datetime.date(1969, 1, 1),
        )
    assert "changed_on" in error.value.message_dict
    assert fresh(spouse).status == "active"


def test_a_move_dated_in_the_future_is_refused(township_cadre, household, target):
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError):
        services.member_move(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            household_id=target.pk,
            relation="spouse",
            changed_on=timezone.localdate() + datetime.timedelta(days=3),
        )
    assert fresh(spouse).status == "active"


# Split (分户) ------------------------------------------------------------------------------


def test_a_split_sets_up_the_next_household_of_the_village(township_cadre, household, target):
    child = add_child(township_cadre, household)
    split_off = services.household_split(
        actor=township_cadre, household=household, member_ids=[child.pk], head_id=child.pk
    )
    assert split_off.village_id == household.village_id
    assert split_off.number == HOME_VILLAGE + "0003"  # after the household and the target
    assert split_off.poverty_status == household.poverty_status
    split_off.refresh_from_db()
    assert (split_off.member_count, split_off.head_name) == (1, "张小军")
    assert fresh(household).member_count == 2
    assert fresh(child).status == "moved_out"
    assert kinds(household) == ["moved_out", "split_off"]
    assert kinds(split_off) == ["moved_in", "split_off"]
    assert household.life_events.get(kind="split_off").other_household_id == split_off.pk
    assert split_off.life_events.get(kind="split_off").other_household_id == household.pk


def test_a_split_that_empties_the_household_is_refused(township_cadre, household):
    ids = list(household.members.values_list("pk", flat=True))
    count = Household.objects.count()
    with pytest.raises(ValidationError) as error:
        services.household_split(
            actor=township_cadre, household=household, member_ids=ids, head_id=ids[0]
        )
    assert "members" in error.value.message_dict
    assert Household.objects.count() == count
    assert kinds(household) == []


def test_a_split_taking_the_head_needs_a_new_head(township_cadre, household):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    child = add_child(township_cadre, household)
    with pytest.raises(ValidationError) as error:
        services.household_split(
            actor=township_cadre,
            household=household,
            member_ids=[head.pk, child.pk],
            head_id=head.pk,
        )
    assert "new_head" in error.value.message_dict
    split_off = services.household_split(
        actor=township_cadre,
        household=household,
        member_ids=[head.pk, child.pk],
        head_id=child.pk,
        new_head_id=spouse.pk,
    )
    assert fresh(household).head_name == "李秀英"
    split_off.refresh_from_db()
    assert split_off.head_name == "张小军"
    assert split_off.members.get(name="张建国", status="active").relation == "other"


def test_a_split_head_from_outside_the_split_is_refused(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    head = household.members.get(relation="head")
    with pytest.raises(ValidationError) as error:
        services.household_split(
            actor=township_cadre, household=household, member_ids=[spouse.pk], head_id=head.pk
        )
    assert "head" in error.value.message_dict


# Merge (合户) ------------------------------------------------------------------------------


def test_a_merge_brings_the_other_households_members_in(township_cadre, household, target):
    merged = services.household_merge(
        actor=township_cadre,
        household=household,
        other_household_id=target.pk,
        changed_on=datetime.date(2026, 11, 1),
    )
    assert merged.member_count == 3 and merged.head_name == "张建国"
    joined = household.members.get(name="赵大山", status="active")
    assert joined.relation == "other"
    target.refresh_from_db()
    assert (target.member_count, target.head_name) == (0, "")
    assert kinds(household) == ["merged", "moved_in"]
    assert kinds(target) == ["merged", "moved_out"]


def test_a_merge_across_villages_is_refused(township_cadre, household):
    elsewhere = new_household(township_cadre, OTHER_VILLAGE_SAME_TOWNSHIP)
    with pytest.raises(ValidationError) as error:
        services.household_merge(
            actor=township_cadre, household=household, other_household_id=elsewhere.pk
        )
    assert "other_household" in error.value.message_dict
    assert fresh(elsewhere).member_count == 1
    assert kinds(household) == []


def test_a_merge_keeping_two_heads_is_refused(township_cadre, household, target):
    with pytest.raises(ValidationError) as error:
        services.household_merge(
            actor=township_cadre,
            household=household,
            other_household_id=target.pk,
            head_relation="head",
        )
    assert "relation" in error.value.message_dict
    assert fresh(target).member_count == 1


def test_a_merge_with_a_household_out_of_reach_is_refused(
    township_cadre, household, other_township_household
):
    with pytest.raises(ValidationError) as error:
        services.household_merge(
            actor=township_cadre,
            household=household,
            other_household_id=other_township_household.pk,
        )
    assert "other_household" in error.value.message_dict


# 户籍 and co-residence ---------------------------------------------------------------------


def test_a_member_living_elsewhere_does_not_share_the_households_income(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    assert fresh(household).income_sharers == 2
    services.member_update(
        actor=township_cadre, member=spouse, version=spouse.version, lives_here=False
    )
    household.refresh_from_db()
    assert (household.member_count, household.income_sharers) == (2, 1)
    assert kinds(household) == ["residence_changed"]


# Found by the acceptance review: a household with members always has a head; a case is never
# left on a household emptied by a move or a merge; a change is dated after the member came.


def test_the_only_member_ceasing_to_be_head_is_refused(township_cadre, target):
    head = target.members.get()
    with pytest.raises(ValidationError, match="必须有户主"):
        services.member_update(
            actor=township_cadre, member=head, version=head.version, relation="spouse"
        )
    assert fresh(head).relation == "head"


def test_members_coming_into_an_empty_household_bring_a_head(township_cadre, household, target):
    head = target.members.get()
    services.member_update(
        actor=township_cadre, member=head, version=head.version, status="deceased"
    )
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError, match="必须有户主"):
        services.member_move(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            household_id=target.pk,
            relation="child",
        )
    with pytest.raises(ValidationError, match="必须有户主"):
        add_child(township_cadre, target)
    assert not target.members.filter(status="active").exists()
    assert fresh(spouse).status == "active"

    services.member_move(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        household_id=target.pk,
        relation="head",
    )
    assert fresh(target).head_name == "李秀英"


def test_a_household_with_an_open_case_is_not_emptied_by_a_merge_or_a_move(
    township_cadre, household, target
):
    Household.objects.filter(pk=target.pk).update(has_open_case=True)
    with pytest.raises(ValidationError, match="未办结的帮扶案件"):
        services.household_merge(
            actor=township_cadre,
            household=household,
            other_household_id=target.pk,
            changed_on=timezone.localdate(),
        )
    head = target.members.get()
    with pytest.raises(ValidationError, match="未办结的帮扶案件"):
        services.member_move(
            actor=township_cadre,
            member=head,
            version=head.version,
            household_id=household.pk,
            relation="other",
        )
    assert fresh(head).status == "active"
    # The other way round is the way: the household with the case takes the family in.
    services.household_merge(
        actor=township_cadre, household=target, other_household_id=household.pk
    )
    assert fresh(target).member_count == 3


def test_a_change_cannot_be_dated_before_the_member_moved_in(township_cadre, household, target):
    spouse = household.members.get(relation="spouse")
    moved_on = timezone.localdate() - datetime.timedelta(days=10)
    arrived = services.member_move(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        household_id=target.pk,
        relation="spouse",
        changed_on=moved_on,
    )
    with pytest.raises(ValidationError, match="迁入本户"):
        services.member_update(
            actor=township_cadre,
            member=arrived,
            version=arrived.version,
            status="deceased",
            changed_on=moved_on - datetime.timedelta(days=1),
        )
    assert fresh(arrived).status == "active"
    services.member_update(
        actor=township_cadre,
        member=arrived,
        version=arrived.version,
        status="deceased",
        changed_on=moved_on,
    )
