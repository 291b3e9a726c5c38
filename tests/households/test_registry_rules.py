"""One write path for registry rows. The member and household services (behind the pages, the API
and the admin) and the Excel import ask the same rules (households/registry_rules.py): they give
the same answer for a person registered twice and for a second head, store an ID number alike,
leave the same cached facts, and a rule changed in households is changed for both."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from core import id_numbers
from households import registry_rules, services
from households.models import Household, Member
from spreadsheets.services import registry_import
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE
from tests.idgen import make_id_number
from tests.spreadsheets.books import member_row, workbook

pytestmark = pytest.mark.django_db

HEAD_ID = make_id_number("620423", "19680315", 1)  # the `household` fixture's head
NEW_NUMBER = f"{HOME_VILLAGE}0777"


def _person(**fields) -> dict:
    return {"labour": "ordinary", "education": "junior", **fields}


def _import_problems(actor, rows) -> list[str]:
    report = registry_import(actor=actor, content=workbook(rows), dry_run=False)
    assert not report.ok
    return [str(problem.message) for problem in report.problems]


def _service_error(field: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        services.member_create(**kwargs)
    return error.value.message_dict[field][0]


def test_a_person_registered_twice_gets_the_same_answer_from_the_service_and_the_import(
    household, township_cadre
):
    other = services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    from_service = _service_error(
        "id_number",
        actor=township_cadre,
        household_id=other.pk,
        **_person(name="张建国", id_number=HEAD_ID, relation="head"),
    )
    from_import = _import_problems(
        township_cadre,
        [
            member_row(
                NEW_NUMBER,
                HOME_VILLAGE,
                "张建国",
                HEAD_ID,
                "户主",
                poverty_status="一般农户",
                poverty_exit_year=None,
            )
        ],
    )

    assert household.number in from_service
    assert from_import == [from_service]


def test_a_person_registered_out_of_sight_is_elsewhere_for_the_service_and_the_import(
    household, other_township_cadre, other_township_household
):
    from_service = _service_error(
        "id_number",
        actor=other_township_cadre,
        household_id=other_township_household.pk,
        **_person(name="张建国", id_number=HEAD_ID, relation="other"),
    )
    from_import = _import_problems(
        other_township_cadre,
        [
            member_row(
                f"{OTHER_TOWNSHIP_VILLAGE}0777",
                OTHER_TOWNSHIP_VILLAGE,
                "张建国",
                HEAD_ID,
                "户主",
                poverty_status="一般农户",
                poverty_exit_year=None,
            )
        ],
    )

    assert household.number not in from_service
    assert from_import == [from_service]


def test_a_second_head_gets_the_same_answer_from_the_service_and_the_import(
    household, township_cadre
):
    second = make_id_number("620423", "19700101", 5)
    from_service = _service_error(
        "relation",
        actor=township_cadre,
        household_id=household.pk,
        **_person(name="张二", id_number=second, relation="head"),
    )
    from_import = _import_problems(
        township_cadre,
        [member_row(household.number, HOME_VILLAGE, "张二", second, "户主")],
    )

    assert from_import == [from_service]


def _stored(household: Household) -> tuple:
    household.refresh_from_db()
    members = [
        (
            member.name,
            id_numbers.decrypt(member.id_number_encrypted),
            member.id_number_hash,
            member.id_number_masked,
            member.birth_date,
            member.sex,
        )
        for member in household.members.order_by("name")
    ]
    return household.head_name, household.member_count, members


def test_the_service_and_the_import_store_the_same_people_alike(township_cadre, monkeypatch):
    head = make_id_number("620423", "19700101", 11)
    spouse = make_id_number("620423", "19720202", 12)
    stored_by = []
    store = registry_rules.id_number_store
    monkeypatch.setattr(
        registry_rules,
        "id_number_store",
        lambda member, checked: stored_by.append(checked.number) or store(member, checked),
    )
    rows = [
        member_row(NEW_NUMBER, HOME_VILLAGE, "赵大山", head, "户主"),
        member_row(NEW_NUMBER, HOME_VILLAGE, "钱小梅", spouse, "配偶"),
    ]
    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)
    assert report.ok, report.problems
    household = Household.objects.get(number=NEW_NUMBER)
    imported = _stored(household)
    assert stored_by == [head, spouse]

    # The same two people again, registered one by one through the service the pages call.
    Member.objects.filter(household=household).delete()
    Household.objects.filter(pk=household.pk).update(head_name="", member_count=0)
    for name, number, relation in (("赵大山", head, "head"), ("钱小梅", spouse, "spouse")):
        services.member_create(
            actor=township_cadre,
            household_id=household.pk,
            **_person(name=name, id_number=number, relation=relation),
        )

    assert _stored(household) == imported
    assert imported[:2] == ("赵大山", 2)
    assert imported[2][0][1:3] == (head, id_numbers.lookup_hash(head))
    assert head not in str(Member.objects.values_list("id_number_encrypted", flat=True))


def test_a_rule_changed_in_households_is_seen_by_the_service_and_the_import(
    household, township_cadre, monkeypatch
):
    def stricter() -> ValidationError:
        return ValidationError({"relation": "One head, and it is taken."})

    monkeypatch.setattr(registry_rules, "second_head_error", stricter)
    second = make_id_number("620423", "19700101", 5)

    from_service = _service_error(
        "relation",
        actor=township_cadre,
        household_id=household.pk,
        **_person(name="张二", id_number=second, relation="head"),
    )
    from_import = _import_problems(
        township_cadre,
        [member_row(household.number, HOME_VILLAGE, "张二", second, "户主")],
    )

    assert from_service == "One head, and it is taken."
    assert from_import == [from_service]


def test_an_exit_year_rule_changed_in_households_is_seen_by_the_service_and_the_import(
    township_cadre, monkeypatch
):
    def never(*, poverty_status, poverty_exit_year):
        raise ValidationError({"poverty_exit_year": "No exit years this season."})

    monkeypatch.setattr(registry_rules, "exit_year_check", never)
    with pytest.raises(ValidationError) as error:
        services.household_create(
            actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )
    from_import = _import_problems(
        township_cadre,
        [member_row(NEW_NUMBER, HOME_VILLAGE, "赵大山", HEAD_ID, "户主")],
    )

    assert error.value.message_dict["poverty_exit_year"] == ["No exit years this season."]
    assert from_import == ["No exit years this season."]


def test_the_rules_for_many_households_ask_the_database_once(
    household, township_cadre, django_assert_num_queries
):
    others = [
        services.household_create(
            actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )
        for _ in range(3)
    ]
    ids = [household.pk, *(other.pk for other in others)]
    with django_assert_num_queries(1):
        heads = registry_rules.SingleHeads(household_ids=ids, excluding=Q(pk=None))
        for other in others:
            heads.check(household_id=other.pk, relation="head", status="active")
        with pytest.raises(ValidationError):
            heads.check(household_id=household.pk, relation="head", status="active")
        with pytest.raises(ValidationError):
            heads.check(household_id=others[0].pk, relation="head", status="active")

    Household.objects.filter(pk__in=ids).update(head_name="?", member_count=9)
    with django_assert_num_queries(1):
        registry_rules.household_facts_refresh(household_ids=ids)
    facts = dict(Household.objects.filter(pk__in=ids).values_list("pk", "member_count"))
    assert facts == {household.pk: 2, **{other.pk: 0 for other in others}}
    assert Household.objects.get(pk=household.pk).head_name == "张建国"
