import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_county_officer_sees_their_county_in_the_admin(
    county_officer, household, other_township_household
):
    client = client_for(county_officer)
    page = client.get("/admin/households/household/").content.decode()
    assert household.number in page and other_township_household.number in page
    assert client.get(f"/admin/households/household/{household.pk}/change/").status_code == 200


def test_a_county_officer_of_another_county_sees_nothing_of_ours(other_county_officer, household):
    client = client_for(other_county_officer)
    page = client.get("/admin/households/household/").content.decode()
    assert household.number not in page
    response = client.get(f"/admin/households/household/{household.pk}/change/")
    assert response.status_code == 302  # the admin's "does not exist", never the record
    member = household.members.first()
    assert member.name not in client.get("/admin/households/member/").content.decode()


def test_the_admin_never_shows_full_sensitive_fields(county_officer, household):
    member = household.members.get(relation="head")
    page = (
        client_for(county_officer)
        .get(f"/admin/households/member/{member.pk}/change/")
        .content.decode()
    )
    assert "高血压" not in page and member.id_number_encrypted not in page


@pytest.mark.parametrize("persona", ["village_worker", "township_cadre", "partner"])
def test_other_roles_have_no_admin(request, persona):
    response = client_for(request.getfixturevalue(persona)).get("/admin/")
    assert response.status_code == 302
