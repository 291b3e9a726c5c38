"""What the cadres met on the needs board, the delegation form and the case conversation."""

import pytest

from accounts.models import Role, User
from assistance.models import CaseComment
from tests.assistance.test_needs import publish
from tests.conftest import HOME_VILLAGE, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(case, township_cadre):
    return publish(township_cadre, case)


def test_a_claimed_need_on_the_board_leads_the_cadre_to_the_case_to_confirm(
    need, partner, township_cadre
):
    from assistance.services import needs as need_services

    need_services.need_claim(actor=partner, need=need, version=need.version)
    page = client_for(township_cadre).get("/needs/").content.decode()
    assert f'href="/cases/{need.case_id}/#needs"' in page
    assert "到档案页确认认领" in page


def test_the_board_gives_a_partner_no_link_to_the_case(need, partner):
    page = client_for(partner).get("/needs/").content.decode()
    assert f"/cases/{need.case_id}/" not in page


def test_the_delegation_form_offers_no_one_who_would_be_refused(
    township_cadre, village_worker, clock
):
    # A village worker takes the village's steps by its role: the only steps a township cadre
    # hands on. The form says who can be a delegate instead of offering a sure refusal.
    page = client_for(township_cadre).get("/cases/delegations/").content.decode()
    assert f'<option value="{village_worker.pk}"' not in page
    assert "辖区内暂无可受托的人员" in page


def test_the_delegation_form_offers_a_work_team_member(township_cadre, village_worker, clock):
    member = User.objects.create_user(
        username="work_team", role=Role.TOWNSHIP_CADRE, region_id=HOME_VILLAGE, first_name="驻村"
    )
    page = client_for(township_cadre).get("/cases/delegations/").content.decode()
    assert f'<option value="{member.pk}"' in page
    assert "辖区内暂无可受托的人员" not in page


def test_a_refused_note_comes_back_with_its_text_and_reason_beside_the_field(case, township_cadre):
    client = client_for(township_cadre)
    text = "@nobody 请协助核实医疗支出票据"
    answer = client.post(f"/cases/{case.pk}/notes/", {"text": text})
    assert answer.status_code == 302 and answer["Location"].endswith("#conversation")
    assert not CaseComment.objects.exists()
    page = client.get(answer["Location"]).content.decode()
    assert f"{text}</textarea>" in page
    assert '<p class="error" role="alert">能查看本案件讨论的人中没有 @nobody。</p>' in page
    # Once: the next visit shows an empty form.
    assert text not in client.get(f"/cases/{case.pk}/").content.decode()


def test_a_note_refused_for_a_phone_number_is_not_kept(case, township_cadre):
    client = client_for(township_cadre)
    client.post(f"/cases/{case.pk}/notes/", {"text": "请拨打 13893001234 联系户主"})
    assert "13893001234" not in client.get(f"/cases/{case.pk}/").content.decode()
    assert "case_note_draft" not in client.session or not client.session["case_note_draft"]["text"]
