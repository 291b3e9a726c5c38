"""A case's conversation: scoped like the case, partners with a measure on it, mentions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from assistance.models import CaseComment, CaseMention, Measure
from assistance.services import comments as comment_services
from monitoring.models import Notification
from tests.conftest import client_for
from tests.idgen import make_id_number


@pytest.fixture
def measure(case, partner_org, township_cadre):
    return Measure.objects.create(
        case=case,
        kind="employment",
        title="枸杞基地季节工",
        partner=partner_org,
        responsible=township_cadre,
        planned_start=case.proposed_on,
        created_by=township_cadre,
    )


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_cadre_posts_and_mentions_a_colleague(case, township_cadre, village_worker):
    comment = comment_services.comment_post(
        actor=township_cadre, case=case, text="请@village_worker 本周入户核实。"
    )
    assert list(comment.mentions.values_list("user", flat=True)) == [village_worker.pk]
    note = Notification.objects.get(user=village_worker, link__endswith="#conversation")
    assert note.link == reverse("case-detail", args=[case.pk]) + "#conversation"
    assert case.household.number in note.text
    # The mention waits until the colleague writes in the thread.
    mention = CaseMention.objects.get(user=village_worker)
    assert mention.answered_at is None
    comment_services.comment_post(actor=village_worker, case=case, text="已入户，情况属实。")
    mention.refresh_from_db()
    assert mention.answered_at is not None


def test_a_mention_of_someone_who_may_not_see_the_case_is_refused(
    case, township_cadre, other_township_cadre
):
    with pytest.raises(ValidationError) as refused:
        comment_services.comment_post(
            actor=township_cadre, case=case, text="@other_township_cadre 请看一下"
        )
    assert "text" in refused.value.message_dict
    assert not CaseComment.objects.exists()
    assert not Notification.objects.filter(link__endswith="#conversation").exists()


@pytest.mark.parametrize(
    "text", ["户主电话13912345678", "身份证 62042319800101123X", "卡号 6222 0212 3456 7890"]
)
def test_a_note_with_a_personal_number_is_refused(case, township_cadre, text):
    with pytest.raises(ValidationError):
        comment_services.comment_post(actor=township_cadre, case=case, text=text)
    assert not CaseComment.objects.exists()


def test_another_township_may_not_read_or_write(case, township_cadre, other_township_cadre):
    comment_services.comment_post(actor=township_cadre, case=case, text="已核实")
    with pytest.raises(PermissionDenied):
        comment_services.comment_post(actor=other_township_cadre, case=case, text="看一看")
    url = f"/api/v1/cases/{case.pk}/comments/"
    assert api_for(other_township_cadre).get(url).status_code == 404
    assert api_for(other_township_cadre).post(url, {"text": "看一看"}).status_code == 404
    assert CaseComment.objects.count() == 1


def test_a_partner_without_a_measure_on_the_case_is_refused(case, partner, township_cadre):
    comment_services.comment_post(actor=township_cadre, case=case, text="已核实")
    url = f"/api/v1/cases/{case.pk}/comments/"
    assert api_for(partner).get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        comment_services.comment_post(actor=partner, case=case, text="我们能帮忙")


def test_a_partner_with_a_measure_reads_and_writes_without_personal_data(
    case, measure, partner, township_cadre
):
    comment_services.comment_post(actor=township_cadre, case=case, text="@partner 请更新岗位进展")
    note = Notification.objects.get(user=partner, link__endswith="#conversation")
    assert note.link == reverse("measure-detail", args=[measure.pk]) + "#conversation"
    url = f"/api/v1/cases/{case.pk}/comments/"
    api = api_for(partner)
    listed = api.get(url)
    assert listed.status_code == 200
    body = listed.content.decode()
    assert "请更新岗位进展" in body
    for private in (
        make_id_number("620423", "19680315", 1),
        "13893005678",
        "13893001234",
        "6228480402564890018",
        "高血压",
        "张建国",
    ):
        assert private not in body
    assert set(listed.json()["results"][0]) == {"id", "author", "text", "created_at", "mentions"}
    posted = api.post(url, {"text": "已安排上岗 @township_cadre"}, format="json")
    assert posted.status_code == 201, posted.content
    assert posted.json()["mentions"][0]["id"] == township_cadre.pk
    # The measure page shows the thread to the partner; the case page stays closed to it.
    page = client_for(partner).get(reverse("measure-detail", args=[measure.pk]))
    assert "已安排上岗" in page.content.decode()
    assert client_for(partner).get(reverse("case-detail", args=[case.pk])).status_code in (
        403,
        404,
    )


def test_the_case_page_shows_and_posts_the_thread(case, township_cadre):
    client = client_for(township_cadre)
    response = client.post(reverse("case-comment-post", args=[case.pk]), {"text": "下周入户"})
    assert response.status_code == 302
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert "下周入户" in page.content.decode()
    refused = client.post(reverse("case-comment-post", args=[case.pk]), {"text": "13912345678"})
    assert refused.status_code == 302 and CaseComment.objects.count() == 1


def test_the_api_wants_json_and_a_reader(case, township_cadre, auditor, api_client_user):
    url = f"/api/v1/cases/{case.pk}/comments/"
    form = api_for(township_cadre).post(
        url, "text=hello", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    assert APIClient().get(url).status_code == 401
    # An auditor reads, and may not write; a department system does neither.
    assert api_for(auditor).get(url).status_code == 200
    assert api_for(auditor).post(url, {"text": "审计"}, format="json").status_code == 403
    assert api_for(api_client_user).get(url).status_code == 403
    assert not CaseComment.objects.exists()


def test_a_partner_that_gave_its_referral_back_no_longer_reads_the_thread(
    case, measure, partner, township_cadre
):
    comment_services.comment_post(actor=township_cadre, case=case, text="岗位下周开始")
    url = f"/api/v1/cases/{case.pk}/comments/"
    assert api_for(partner).get(url).status_code == 200
    Measure.objects.filter(pk=measure.pk).update(
        referral_status="declined", decline_reason="名额已满"
    )
    assert api_for(partner).get(url).status_code == 404
    page = client_for(partner).get(reverse("measure-detail", args=[measure.pk]))
    assert "岗位下周开始" not in page.content.decode()
    # Nor can it be mentioned there: it would be told of a household it has given back.
    with pytest.raises(ValidationError):
        comment_services.comment_post(actor=township_cadre, case=case, text="@partner 还能来吗")
    assert not Notification.objects.filter(user=partner).exists()


@pytest.mark.parametrize(
    "text",
    ["卡号 6222.0212.3456.7890", "卡号 6222/0212/3456/7890", "电话 138  0013  8000"],
)
def test_a_long_number_split_by_dots_slashes_or_spaces_is_refused(case, township_cadre, text):
    with pytest.raises(ValidationError) as refused:
        comment_services.comment_post(actor=township_cadre, case=case, text=text)
    assert "text" in refused.value.message_dict
    assert not CaseComment.objects.exists()
