"""Phones and bank accounts are digits, and names carry no invisible characters, through every
door: the page, the API (and the import, which ends in the same model checks)."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from core.validators import check_bank_account, check_phone, plain_text
from households.models import Household, Member
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

FORMULAS = ["=cmd|' /C calc'!A0", "=1+2", "+8613893001234", "@SUM(A1)", "138-", "12345"]
RLO, ZWSP, ZWJ, LRI, PDI, BOM = "\u202e", "\u200b", "\u200d", "\u2066", "\u2069", "\ufeff"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def errors_of(response) -> dict[str, str]:
    return {error["attr"]: error["detail"] for error in response.json()["errors"]}


@pytest.mark.parametrize("phone", FORMULAS)
def test_the_api_refuses_a_phone_that_is_not_digits_and_changes_nothing(
    village_worker, household, phone
):
    response = api(village_worker).patch(
        f"/api/v1/households/{household.pk}/",
        {"phone": phone, "version": household.version},
        format="json",
    )
    assert response.status_code == 400
    assert "请用数字填写电话号码" in errors_of(response)["phone"]
    household.refresh_from_db()
    assert household.phone == "13893001234" and household.version == 1


def test_the_api_refuses_a_formula_as_bank_account_on_create(township_cadre):
    response = api(township_cadre).post(
        "/api/v1/households/",
        {"village": HOME_VILLAGE, "poverty_status": "ordinary", "bank_account": "=1+2"},
        format="json",
    )
    assert response.status_code == 400
    assert "银行账号只能填写数字" in errors_of(response)["bank_account"]
    assert not Household.objects.exists()


def test_the_page_refuses_a_formula_as_phone_and_says_why(village_worker, household):
    head = household.members.get(relation="head")
    body = {
        "name": head.name,
        "relation": "head",
        "labour": "ordinary",
        "education": "junior",
        "schooling": "not_in_school",
        "work": "none",
        "status": "active",
        "phone": "=1+2",
        "version": head.version,
    }
    response = client_for(village_worker).post(f"/members/{head.pk}/edit/", body)
    assert response.status_code == 200
    assert "请用数字填写电话号码" in response.content.decode()
    head.refresh_from_db()
    assert head.phone == "13893005678" and head.version == 1


def test_names_are_stored_without_bidi_and_zero_width_characters(village_worker, household):
    response = api(village_worker).post(
        "/api/v1/members/",
        {
            "household": household.pk,
            "name": f"{BOM}张{ZWSP}小{RLO}川{LRI}{PDI}",
            "id_number": make_id_number("620423", "20100101", 41),
            "relation": "child",
            "labour": "none",
            "education": "primary",
            "health_note": f"近视{ZWJ}{RLO}",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    member = Member.objects.get(pk=response.json()["id"])
    assert (member.name, member.health_note) == ("张小川", "近视")

    head = household.members.get(relation="head")
    body = {
        "name": f"张{RLO}建国",
        "relation": "head",
        "labour": "ordinary",
        "education": "junior",
        "schooling": "not_in_school",
        "work": "none",
        "status": "active",
        "version": head.version,
    }
    assert client_for(village_worker).post(f"/members/{head.pk}/edit/", body).status_code == 302
    head.refresh_from_db()
    household.refresh_from_db()
    assert head.name == household.head_name == "张建国"


def test_a_name_of_invisible_characters_only_is_refused(village_worker, household):
    head = household.members.get(relation="head")
    response = api(village_worker).patch(
        f"/api/v1/members/{head.pk}/", {"name": ZWSP + RLO, "version": head.version}, format="json"
    )
    assert response.status_code == 400 and "name" in errors_of(response)
    head.refresh_from_db()
    assert head.name == "张建国"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13893001234", "13893001234"),
        ("0943-6123456", "0943-6123456"),
        ("0943-6123456-801", "0943-6123456-801"),
        ("１３８ ９３００ １２３４", "13893001234"),  # full-width, in groups
        (" 138\u200b93001234 ", "13893001234"),
        ("", ""),
    ],
)
def test_phones_as_people_type_them(typed, stored):
    assert check_phone(typed) == stored


@pytest.mark.parametrize("cut_short", ["1381234", "138930012345", "138-9300-123"])
def test_a_mobile_number_has_eleven_digits(cut_short):
    # A 7-digit local number is a landline (6123456); one that begins with 1 is a mobile cut
    # short, or one digit too many; grouped by hyphens, its digits are counted.
    assert check_phone("6123456") == "6123456"
    assert check_phone("138-9300-1234") == "138-9300-1234"
    with pytest.raises(ValidationError, match="11"):
        check_phone(cut_short)


def test_a_cut_short_mobile_stored_before_the_rule_holds_no_edit_up(village_worker, household):
    from households import services
    from households.models import Household

    Household.objects.filter(pk=household.pk).update(phone="1381234")
    household.refresh_from_db()
    edited = services.household_update(
        actor=village_worker, household=household, version=household.version, address="新址"
    )
    assert (edited.address, edited.phone) == ("新址", "1381234")
    with pytest.raises(ValidationError, match="11"):  # typed again now, it must be whole
        services.household_update(
            actor=village_worker, household=edited, version=edited.version, phone="1381235"
        )


def test_bank_accounts_in_groups_and_plain_text():
    assert check_bank_account("6228 4804 0256 4890 018") == "6228480402564890018"
    assert plain_text("第一行\n第二行\t") == "第一行 第二行"


def test_the_import_applies_the_same_rule(township_cadre):
    from spreadsheets.services import registry_import
    from tests.spreadsheets.books import good_rows, workbook

    rows = good_rows()
    rows[0]["phone"] = "=1+2"
    rows[0]["bank_account"] = "=cmd|' /C calc'!A0"
    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)
    assert {(p.row, p.column) for p in report.problems} >= {(2, "电话"), (2, "银行账号")}
    assert not Household.objects.exists()
    rows = good_rows()
    rows[0]["name"] = f"赵{RLO}大{ZWSP}山"
    registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)
    assert Member.objects.filter(name="赵大山").exists()
