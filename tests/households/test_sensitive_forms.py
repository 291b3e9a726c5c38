"""Edit forms show sensitive values masked and replace them only when told: through the pages."""

import re

import pytest

from households.models import Member
from tests.conftest import HOME_VILLAGE, client_for

pytestmark = pytest.mark.django_db


def household_form(household, **changes) -> dict:
    return {
        "village": HOME_VILLAGE,
        "address": household.address,
        "poverty_status": household.poverty_status,
        "poverty_exit_year": household.poverty_exit_year,
        "version": household.version,
        **changes,
    }


def member_form(member, **changes) -> dict:
    return {
        "name": member.name,
        "relation": member.relation,
        "labour": member.labour,
        "education": member.education,
        "schooling": member.schooling,
        "work": member.work,
        "status": member.status,
        "medical_insurance": "on",
        "version": member.version,
        **changes,
    }


def test_a_worker_sees_phone_and_account_masked_and_keeps_them_by_leaving_them_empty(
    village_worker, household
):
    client = client_for(village_worker)
    page = client.get(f"/households/{household.pk}/edit/").content.decode()
    assert "138****1234" in page and "***************0018" in page
    assert "13893001234" not in page and "6228480402564890018" not in page
    response = client.post(f"/households/{household.pk}/edit/", household_form(household))
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.phone, household.bank_account) == ("13893001234", "6228480402564890018")


def test_a_typed_phone_replaces_and_the_box_removes_the_recorded_account(village_worker, household):
    client = client_for(village_worker)
    body = household_form(household, phone="13900001111", bank_account_clear="on")
    assert client.post(f"/households/{household.pk}/edit/", body).status_code == 302
    household.refresh_from_db()
    assert (household.phone, household.bank_account) == ("13900001111", "")


def test_a_new_value_and_its_removal_together_are_refused(village_worker, household):
    client = client_for(village_worker)
    body = household_form(household, phone="13900001111", phone_clear="on")
    response = client.post(f"/households/{household.pk}/edit/", body)
    assert response.status_code == 200
    assert "13900001111" not in response.content.decode()
    household.refresh_from_db()
    assert household.phone == "13893001234"


def test_health_is_unchanged_unless_chosen_and_never_shown(village_worker, household):
    head = household.members.get(relation="head")
    client = client_for(village_worker)
    page = client.get(f"/members/{head.pk}/edit/").content.decode()
    assert "13893005678" not in page and "高血压" not in page
    assert '<option value="chronic" selected' not in page
    assert '<option value="" selected>' in page  # health and disability: "unchanged"
    assert "138****5678" in page

    assert client.post(f"/members/{head.pk}/edit/", member_form(head)).status_code == 302
    head.refresh_from_db()
    assert (head.health, head.disability, head.health_note, head.phone) == (
        "chronic",
        "none",
        "高血压",
        "13893005678",
    )

    body = member_form(head, health="serious", health_note="确诊肺癌")
    assert client.post(f"/members/{head.pk}/edit/", body).status_code == 302
    head.refresh_from_db()
    assert (head.health, head.health_note) == ("serious", "确诊肺癌")

    body = member_form(head, health_note_clear="on", phone_clear="on")
    assert client.post(f"/members/{head.pk}/edit/", body).status_code == 302
    head.refresh_from_db()
    assert (head.health, head.health_note, head.phone) == ("serious", "", "")


def test_a_refused_member_form_sends_back_nothing_sensitive_and_says_so(village_worker, household):
    head = household.members.get(relation="head")
    client = client_for(village_worker)
    body = member_form(
        head,
        phone="13911112222",
        health="serious",
        disability="grade_2",
        health_note="确诊肺癌",
        id_number="620423199002300011",  # no such date
    )
    response = client.post(f"/members/{head.pk}/edit/", body)
    page = response.content.decode()
    assert response.status_code == 200
    for typed in ("13911112222", "确诊肺癌", "620423199002300011"):
        assert typed not in page
    assert '<option value="serious" selected' not in page
    assert '<option value="grade_2" selected' not in page
    assert "为保护隐私" in page  # enter them again
    head.refresh_from_db()
    assert (head.health, head.phone) == ("chronic", "13893005678")


def test_a_new_member_names_health_and_disability_again_after_a_refusal(township_cadre, household):
    client = client_for(township_cadre)
    page = client.get(f"/households/{household.pk}/members/new/").content.decode()
    assert '<option value="healthy" selected' in page  # the usual case, chosen for the worker
    body = {
        "name": "孙立",
        "id_number": "620423199002300011",
        "relation": "child",
        "health": "serious",
        "disability": "none",
        "labour": "none",
        "education": "primary",
        "schooling": "primary",
        "work": "none",
        "status": "active",
    }
    response = client.post(f"/households/{household.pk}/members/new/", body)
    assert response.status_code == 200
    # The refused choice is asked again: the blank "请选择" is selected, not the old value.
    assert re.search(
        r'<option value=""[^>]*selected[^>]*>请选择</option>', response.content.decode()
    )
    assert not Member.objects.filter(name="孙立").exists()
