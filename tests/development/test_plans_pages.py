"""The plan's pages: started from the household, goals and commitments side by side, agreed,
reviewed from a visit's page, and shown on the case page."""

import datetime
from decimal import Decimal

import pytest

from development.models import DevelopmentPlan, PlanCommitment, PlanReview
from development.services import plans as services
from tests.conftest import client_for
from tests.development.conftest import visit
from tests.security.conftest import body_text

pytestmark = pytest.mark.django_db


def test_the_household_page_offers_to_start_a_plan_and_the_draft_is_written(
    household, village_worker
):
    client = client_for(village_worker)
    page = body_text(client.get(f"/households/{household.pk}/"))
    assert f"/households/{household.pk}/plan/new/" in page
    response = client.post(f"/households/{household.pk}/plan/new/", {"case": ""})
    plan = DevelopmentPlan.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert plan.status == "draft" and plan.created_by == village_worker


def test_a_commitment_without_a_goal_is_refused_on_the_page(draft, village_worker):
    response = client_for(village_worker).post(
        f"/plans/{draft.pk}/commitment/",
        {"version": draft.version, "goal": "", "party": "household", "description": "参加培训"},
    )
    assert response.status_code == 400
    assert "承诺事项须对应本计划中的一个目标" in body_text(response)
    assert PlanCommitment.objects.filter(plan=draft).count() == 2


def test_the_plan_page_shows_both_sides_and_its_history(agreed, village_worker):
    text = body_text(client_for(village_worker).get(f"/plans/{agreed.pk}/"))
    for words in ("男主人到县城稳定务工", "参加县里的电焊培训", "推荐到工业园区就业"):
        assert words in text
    assert f"/plans/{agreed.pk}/review/" in text
    assert 'class="history"' in text


def test_plan_review_from_the_visit_page_rates_everything_once(agreed, later_visit, village_worker):
    client = client_for(village_worker)
    visit_page = body_text(client.get(f"/visits/{later_visit.pk}/"))
    link = f"/plans/{agreed.pk}/review/?visit={later_visit.pk}"
    assert link in visit_page.replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200
    data = {"visit": later_visit.pk, "notes": "整体进展顺利"}
    for goal in agreed.goals.all():
        data[f"goal-{goal.pk}"] = "on_track"
    commitments = list(agreed.commitments.all())
    for commitment in commitments:
        data[f"commitment-{commitment.pk}"] = "kept"
    data[f"commitment-{commitments[0].pk}"] = "not_kept"
    missing_why = client.post(f"/plans/{agreed.pk}/review/", data)
    assert missing_why.status_code == 400 and not PlanReview.objects.exists()
    data[f"commitment-{commitments[0].pk}-why"] = "培训时间和农忙冲突"
    saved = client.post(f"/plans/{agreed.pk}/review/", data)
    assert saved.status_code == 302
    again = client.post(f"/plans/{agreed.pk}/review/", data)  # sent twice
    assert again.status_code == 302
    review = PlanReview.objects.get()
    assert review.visit == later_visit and review.items.count() == 4
    assert review.items.get(commitment=commitments[0]).reason == "培训时间和农忙冲突"
    # Reviewed: the visit's page no longer offers it.
    assert link not in body_text(client.get(f"/visits/{later_visit.pk}/")).replace("&amp;", "&")


def test_a_visit_before_the_agreement_offers_no_review(
    draft, household, village_worker, township_cadre, clock
):
    clock.advance(10)
    earlier = visit(
        village_worker,
        household,
        on=clock.today() - datetime.timedelta(days=5),
        per_person=Decimal("9000"),
    )
    services.plan_agree(
        actor=township_cadre,
        plan_id=draft.pk,
        version=None,
        member_id=household.members.get(relation="head").pk,
        method="signature",
    )
    text = body_text(client_for(village_worker).get(f"/visits/{earlier.pk}/"))
    assert f"/plans/{draft.pk}/review/" not in text


def test_the_agreement_form_records_consent(draft, household, township_cadre, clock):
    head = household.members.get(relation="head")
    response = client_for(township_cadre).post(
        f"/plans/{draft.pk}/agree/",
        {
            "version": draft.version,
            "member": head.pk,
            "method": "thumbprint",
            "witness": "",
            "agreed_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.consent_member, draft.consent_method) == (
        "agreed",
        head,
        "thumbprint",
    )


def test_the_plan_is_refused_to_outsiders_and_partners(agreed, other_township_cadre, partner):
    for user in (other_township_cadre, partner):
        for path in (f"/plans/{agreed.pk}/", f"/plans/{agreed.pk}/review/"):
            response = client_for(user).get(path)
            assert response.status_code in (403, 404), (user, path)
            assert "男主人到县城稳定务工" not in body_text(response)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_plan_pages_and_the_card_speak_one_language(
    agreed, later_visit, household, village_worker, township_cadre, language
):
    import re

    from django.conf import settings

    from tests.page_language import chinese_words, english_words

    words_of = english_words if language == "zh-hans" else chinese_words
    pages = {
        village_worker: [
            f"/plans/{agreed.pk}/",
            f"/plans/{agreed.pk}/review/",
            f"/plans/{agreed.pk}/goal/",
            f"/plans/{agreed.pk}/commitment/",
            f"/households/{household.pk}/card/",
            f"/households/{household.pk}/",
            f"/visits/{later_visit.pk}/",
        ],
        township_cadre: [f"/plans/{agreed.pk}/agree/", f"/plans/{agreed.pk}/close/"],
    }
    found = {}
    for user, paths in pages.items():
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            left = {
                text
                for text in words_of(response.content.decode())
                if re.search(r"[A-Za-z]{3,}", text) or re.search(r"[\u4e00-\u9fff]", text)
            }
            if left:
                found[path] = left
    assert not found, found
