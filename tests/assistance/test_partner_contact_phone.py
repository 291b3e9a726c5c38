"""A partner's contact phone may be a person's own mobile: masked in every list (page, API,
export), in full on one partner only to its own users and to county officers."""

import io

import pytest
from knox.models import AuthToken
from openpyxl import load_workbook

from assistance.models import Partner, PartnerKind
from tests.conftest import HOME_TOWNSHIP, client_for

MOBILE, MASKED = "13800001111", "138****1111"


@pytest.fixture
def volunteers(db) -> Partner:
    return Partner.objects.create(
        name="一条山镇志愿服务队",
        kind=PartnerKind.VOLUNTEER_GROUP,
        area_id=HOME_TOWNSHIP,
        contact_name="赵队长",
        contact_phone=MOBILE,
    )


def _api(user):
    _, token = AuthToken.objects.create(user)
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Token {token}")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["township_cadre", "county_officer", "auditor"])
def test_partner_lists_show_the_contact_phone_masked(request, volunteers, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    page = client.get("/partners/").content.decode()
    assert "赵队长" in page and MASKED in page and MOBILE not in page

    listed = _api(user).get("/api/v1/partners/").json()["results"]
    assert [row["contact_phone"] for row in listed if row["id"] == volunteers.pk] == [MASKED]

    export = client.post("/export/partners.xlsx")
    assert export.status_code == 200
    cells = [
        str(cell)
        for row in load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values
        for cell in row
    ]
    assert MASKED in cells and MOBILE not in cells


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["township_cadre", "village_worker", "auditor"])
def test_one_partner_shows_the_phone_masked_to_those_who_only_see_it(request, volunteers, persona):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(f"/partners/{volunteers.pk}/")
    assert response.status_code == 200
    assert MASKED in response.content.decode() and MOBILE not in response.content.decode()
    detail = _api(user).get(f"/api/v1/partners/{volunteers.pk}/").json()
    assert detail["contact_phone"] == MASKED


@pytest.mark.django_db
def test_county_officer_reads_the_full_phone_on_the_partners_own_page(volunteers, county_officer):
    page = client_for(county_officer).get(f"/partners/{volunteers.pk}/").content.decode()
    assert MOBILE in page
    detail = _api(county_officer).get(f"/api/v1/partners/{volunteers.pk}/").json()
    assert detail["contact_phone"] == MOBILE


@pytest.mark.django_db
def test_partner_user_reads_its_own_phone_in_full(partner, partner_org):
    page = client_for(partner).get(f"/partners/{partner_org.pk}/").content.decode()
    assert partner_org.contact_phone in page
    assert (
        _api(partner).get(f"/api/v1/partners/{partner_org.pk}/").json()["contact_phone"]
        == partner_org.contact_phone
    )
