"""The partner edit form in a browser: the contact phone masked beside an empty input, and a
save that leaves it empty keeps the stored number (issue 14)."""

from assistance.models import Partner, PartnerKind
from tests.conftest import HOME_TOWNSHIP, committed_db

MOBILE, MASKED = "13800001111", "138****1111"


# A live server reads what this test writes: committed data, restored after the flush like every
# browser test's (without it, the flush takes the regions every later test needs).
@committed_db
def test_partner_edit_keeps_the_unshown_phone(visit_as, township_cadre):
    partner = Partner.objects.create(
        name="一条山镇志愿服务队",
        kind=PartnerKind.VOLUNTEER_GROUP,
        area_id=HOME_TOWNSHIP,
        contact_name="赵队长",
        contact_phone=MOBILE,
    )
    for phone in (True, False):
        visitor = visit_as(township_cadre, phone=phone)
        if phone:
            visitor.page.set_viewport_size({"width": 360, "height": 740})
        page = visitor.open(f"/partners/{partner.pk}/edit/")
        assert page.input_value("input[name=contact_phone]") == ""
        assert MASKED in page.content() and MOBILE not in page.content()
        visitor.shot("phone" if phone else "desktop")

    page.fill("input[name=address]", "一条山镇中街 8 号")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    assert page.url.endswith(f"/partners/{partner.pk}/")
    partner.refresh_from_db()
    assert partner.address == "一条山镇中街 8 号"
    assert partner.contact_phone == MOBILE
