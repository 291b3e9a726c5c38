"""A partner's contact phone (often a person's own mobile) is never written into a form.

Issue 14: /partners/N/edit/ put the stored contact_phone into its input, and the admin's change
page showed it, to the township cadre, the county officer and the superuser. The edit form now
shows it masked beside an empty input (households/forms.py, SensitiveFieldsMixin): left empty,
the stored number is kept; a typed one replaces it. A partner must have a contact phone, so
there is nothing to remove it with. The admin shows it masked only.
"""

import pytest

from accounts.models import User
from assistance.models import Partner, PartnerKind
from tests.conftest import HOME_TOWNSHIP, client_for

MOBILE, MASKED = "13800001111", "138****1111"
NEW = "13912345678"

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteers(db) -> Partner:
    return Partner.objects.create(
        name="一条山镇志愿服务队",
        kind=PartnerKind.VOLUNTEER_GROUP,
        area_id=HOME_TOWNSHIP,
        contact_name="赵队长",
        contact_phone=MOBILE,
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="test-password-123")


def _edit(client, partner: Partner, **changes):
    body = {
        "name": partner.name,
        "kind": partner.kind,
        "department": partner.department,
        "area": partner.area_id,
        "contact_name": partner.contact_name,
        "contact_phone": "",
        "address": partner.address,
        "description": partner.description,
        "is_active": "on",
        "version": partner.version,
        **changes,
    }
    return client.post(f"/partners/{partner.pk}/edit/", body)


@pytest.mark.parametrize("persona", ["township_cadre", "county_officer"])
def test_partner_edit_form_shows_the_phone_masked_and_an_empty_input(request, volunteers, persona):
    page = client_for(request.getfixturevalue(persona)).get(f"/partners/{volunteers.pk}/edit/")

    assert page.status_code == 200
    html = page.content.decode()
    assert MOBILE not in html
    assert MASKED in html
    assert 'name="contact_phone"' in html and 'value="13' not in html
    assert 'name="contact_phone_clear"' not in html  # a partner must keep a contact phone


def test_partner_edit_left_empty_keeps_the_phone(township_cadre, volunteers):
    response = _edit(client_for(township_cadre), volunteers, address="一条山镇中街 8 号")

    assert response.status_code == 302, response.content.decode()
    volunteers.refresh_from_db()
    assert volunteers.contact_phone == MOBILE
    assert volunteers.address == "一条山镇中街 8 号"


def test_partner_edit_typed_phone_replaces_it(township_cadre, volunteers):
    response = _edit(client_for(township_cadre), volunteers, contact_phone=NEW)

    assert response.status_code == 302, response.content.decode()
    volunteers.refresh_from_db()
    assert volunteers.contact_phone == NEW


def test_partner_edit_cannot_remove_the_phone(township_cadre, volunteers):
    response = _edit(client_for(township_cadre), volunteers, contact_phone_clear="on")

    assert response.status_code == 302
    volunteers.refresh_from_db()
    assert volunteers.contact_phone == MOBILE


def test_refused_partner_edit_does_not_send_back_the_typed_phone(township_cadre, volunteers):
    response = _edit(client_for(township_cadre), volunteers, contact_phone=NEW, name="")

    assert response.status_code == 400
    html = response.content.decode()
    assert NEW not in html and MOBILE not in html
    volunteers.refresh_from_db()
    assert volunteers.contact_phone == MOBILE


def test_refused_partner_create_does_not_send_back_the_typed_phone(township_cadre):
    response = client_for(township_cadre).post(
        "/partners/new/",
        {"name": "", "kind": PartnerKind.VOLUNTEER_GROUP, "contact_phone": NEW},
    )

    assert response.status_code == 400
    assert NEW not in response.content.decode()
    assert not Partner.objects.filter(contact_phone=NEW).exists()


@pytest.mark.parametrize("persona", ["county_officer", "superuser"])
def test_admin_change_page_shows_the_phone_masked_and_changes_nothing(request, volunteers, persona):
    client = client_for(request.getfixturevalue(persona))
    url = f"/admin/assistance/partner/{volunteers.pk}/change/"

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert MOBILE not in html
    assert MASKED in html

    # The admin only shows partners: they change through their service (the page above).
    sent = client.post(url, {"contact_phone": NEW, "name": volunteers.name})
    assert sent.status_code == 403
    volunteers.refresh_from_db()
    assert volunteers.contact_phone == MOBILE
