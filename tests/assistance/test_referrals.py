"""Referrals (转介): a measure given to a partner waits for its answer, within the policy's days.

Time is pinned (tests/assistance/conftest.py): Monday 2 March 2026, 10:00 in Shanghai.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role, User
from assistance.models import Measure, MeasureStatus, PartnerOffer, ReferralPolicy, ReferralStatus
from assistance.services import referrals as referral_services
from assistance.services.measures import (
    MeasurePlan,
    measure_create,
    measure_record_delivery,
    measure_update,
)
from monitoring.models import Notification
from tests.assistance.conftest import START
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db

JSON = "application/json"


def plan(cadre, **overrides) -> MeasurePlan:
    fields = {
        "kind": "employment",
        "title": "枸杞基地季节工",
        "responsible_id": cadre.pk,
        "planned_start": START.date(),
    }
    return MeasurePlan(**{**fields, **overrides})


def http(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def referral(case, township_cadre, partner_org) -> Measure:
    return measure_create(
        actor=township_cadre, case=case, plan=plan(township_cadre, partner_id=partner_org.pk)
    )


@pytest.fixture
def other_partner_user(other_partner) -> User:
    return User.objects.create_user(
        username="civil_affairs",
        password="test-password-123",
        role=Role.PARTNER,
        region_id=HOME_COUNTY,
        partner=other_partner,
    )


def test_a_measure_given_to_a_partner_is_a_referral_due_in_the_policy_days(referral):
    assert referral.referral_status == ReferralStatus.PENDING
    assert referral.referred_at == START
    assert referral.referral_due == START + datetime.timedelta(days=3)


def test_a_measure_without_a_partner_is_no_referral(case, township_cadre):
    measure = measure_create(actor=township_cadre, case=case, plan=plan(township_cadre))
    assert measure.referral_status == ReferralStatus.NONE
    assert measure.referral_due is None


def test_the_nearest_region_policy_sets_the_days(case, township_cadre, partner_org):
    ReferralPolicy.objects.create(region=None, days=5)
    ReferralPolicy.objects.create(region_id=HOME_TOWNSHIP, days=2)
    measure = measure_create(
        actor=township_cadre, case=case, plan=plan(township_cadre, partner_id=partner_org.pk)
    )
    assert measure.referral_due == START + datetime.timedelta(days=2)


def test_the_partner_accepts_and_the_cadre_is_told(referral, partner, township_cadre):
    response = http(partner).post(f"/api/v1/measures/{referral.pk}/accept/", {}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["referral_status"] == "accepted"
    referral.refresh_from_db()
    assert referral.referral_status == ReferralStatus.ACCEPTED
    assert referral.responded_at == START
    assert Notification.objects.filter(
        user=township_cadre, message_key="referral_accepted"
    ).exists()


def test_a_second_answer_is_refused_clearly(referral, partner):
    client = http(partner)
    assert (
        client.post(f"/api/v1/measures/{referral.pk}/accept/", {}, content_type=JSON).status_code
        == 200
    )
    version = Measure.objects.get(pk=referral.pk).version
    again = client.post(
        f"/api/v1/measures/{referral.pk}/decline/", {"reason": "名额已满"}, content_type=JSON
    )
    assert again.status_code == 400
    assert "answered already" in again.json()["errors"][0]["detail"]
    assert Measure.objects.get(pk=referral.pk).version == version


def test_the_partner_declines_with_a_reason_and_the_township_cadres_are_told(
    referral, partner, township_cadre, village_worker
):
    response = http(partner).post(
        f"/api/v1/measures/{referral.pk}/decline/",
        {"reason": "本季度岗位已满"},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    referral.refresh_from_db()
    assert referral.referral_status == ReferralStatus.DECLINED
    assert referral.decline_reason == "本季度岗位已满"
    assert referral.needs_another_partner
    told = Notification.objects.filter(message_key="referral_declined")
    assert set(told.values_list("user", flat=True)) == {township_cadre.pk}
    # The case page says so.
    page = client_for(township_cadre).get(reverse("case-detail", args=[referral.case_id]))
    assert "需另找帮扶主体" in page.content.decode()
    # And the cadres' measure list finds it among those to give to another partner.
    returned = client_for(township_cadre).get(reverse("measure-list") + "?returned=1&mine=1")
    assert referral.title in returned.content.decode()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": "no"}])
def test_a_decline_without_a_reason_is_400_and_nothing_changes(referral, partner, body):
    response = http(partner).post(
        f"/api/v1/measures/{referral.pk}/decline/", body, content_type=JSON
    )
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"reason"}
    referral.refresh_from_db()
    assert referral.referral_status == ReferralStatus.PENDING and referral.version == 1
    assert not Notification.objects.filter(message_key="referral_declined").exists()


def test_a_decline_as_a_form_body_is_415(referral, partner):
    response = http(partner).post(
        f"/api/v1/measures/{referral.pk}/decline/", {"reason": "名额已满"}
    )
    assert response.status_code == 415
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.PENDING


def test_another_partner_cannot_answer_the_referral(referral, other_partner_user):
    client = http(other_partner_user)
    assert (
        client.post(f"/api/v1/measures/{referral.pk}/accept/", {}, content_type=JSON).status_code
        == 404
    )
    declined = client.post(
        f"/api/v1/measures/{referral.pk}/decline/", {"reason": "不是我们的"}, content_type=JSON
    )
    assert declined.status_code == 404
    with pytest.raises(Exception, match="another partner"):
        referral_services.measure_accept(actor=other_partner_user, measure=referral)
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.PENDING


@pytest.mark.parametrize("persona", ["township_cadre", "county_officer", "village_worker"])
def test_only_the_partner_answers_a_referral(request, referral, persona):
    client = http(request.getfixturevalue(persona))
    response = client.post(f"/api/v1/measures/{referral.pk}/accept/", {}, content_type=JSON)
    assert response.status_code == 403
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.PENDING


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_an_outsider_finds_no_referral(request, referral, persona):
    client = http(request.getfixturevalue(persona))
    for action in ("accept", "decline"):
        response = client.post(
            f"/api/v1/measures/{referral.pk}/{action}/", {"reason": "x" * 10}, content_type=JSON
        )
        assert response.status_code in (403, 404)
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.PENDING


def test_a_referral_not_answered_in_time_expires_once(referral, clock, township_cadre):
    clock.advance(2)
    assert referral_services.referral_expire_overdue() == 0
    clock.advance(2)
    assert referral_services.referral_expire_overdue() == 1
    referral.refresh_from_db()
    assert referral.referral_status == ReferralStatus.EXPIRED
    # Written in the interface's first language, as the beat's worker writes it.
    told = Notification.objects.filter(message_key="referral_expired")
    assert list(told.values_list("user", flat=True)) == [township_cadre.pk]
    version = referral.version
    # A second run changes nothing.
    assert referral_services.referral_expire_overdue() == 0
    referral.refresh_from_db()
    assert referral.version == version and told.count() == 1


def test_the_beat_runs_the_expiry_task():
    from django.conf import settings

    from assistance import tasks

    tasks_run = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "assistance.tasks.referral_expire_overdue" in tasks_run
    assert tasks.referral_expire_overdue.name == "assistance.tasks.referral_expire_overdue"


def test_a_declined_measure_goes_to_another_partner_as_a_new_referral(
    referral, partner, township_cadre, other_partner, clock
):
    referral_services.measure_decline(actor=partner, measure=referral, reason="岗位已满员")
    referral.refresh_from_db()
    clock.advance(1)
    updated = measure_update(
        actor=township_cadre,
        measure=referral,
        version=referral.version,
        plan=plan(township_cadre, partner_id=other_partner.pk),
    )
    assert updated.referral_status == ReferralStatus.PENDING
    assert updated.decline_reason == "" and updated.responded_at is None
    assert updated.referral_due == START + datetime.timedelta(days=4)


def test_a_partner_that_declined_cannot_record_delivery(referral, partner):
    referral_services.measure_decline(actor=partner, measure=referral, reason="岗位已满员")
    referral.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        measure_record_delivery(
            actor=partner,
            measure=referral,
            version=referral.version,
            status="in_progress",
            actual_start=START.date(),
        )
    assert refused.value.code == "declined"


def test_recording_delivery_is_the_partners_answer(referral, partner):
    measure_record_delivery(
        actor=partner,
        measure=referral,
        version=referral.version,
        status="in_progress",
        actual_start=START.date(),
    )
    referral.refresh_from_db()
    assert referral.referral_status == ReferralStatus.ACCEPTED


def test_the_partner_home_lists_referrals_to_answer_and_declines_through_the_page(
    referral, partner
):
    client = client_for(partner)
    home = client.get(reverse("home")).content.decode()
    assert referral.title in home
    assert reverse("measure-decline", args=[referral.pk]) in home
    assert "张建国" not in home and referral.case.household.number not in home
    empty = client.post(reverse("measure-decline", args=[referral.pk]), {"reason": ""})
    assert empty.status_code == 302
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.PENDING
    declined = client.post(reverse("measure-decline", args=[referral.pk]), {"reason": "岗位已满员"})
    assert declined.status_code == 302
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.DECLINED
    assert referral.title not in client.get(reverse("home")).content.decode()


def test_the_partner_accepts_through_the_page(referral, partner):
    response = client_for(partner).post(reverse("measure-accept", args=[referral.pk]))
    assert response.status_code == 302
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.ACCEPTED


def test_a_cadre_cannot_answer_through_the_page(referral, township_cadre):
    response = client_for(township_cadre).post(reverse("measure-accept", args=[referral.pk]))
    assert response.status_code == 403
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.PENDING


# The two defects ----------------------------------------------------------------------------


@pytest.fixture
def civil_offer(other_partner) -> PartnerOffer:
    return PartnerOffer.objects.create(
        partner=other_partner,
        kind="funds",
        measure_kind="social_help",
        title="临时救助金",
        area_id=HOME_COUNTY,
        available_from=START.date() - datetime.timedelta(days=10),
    )


def test_a_measure_cannot_name_one_partner_and_another_partners_offer(
    case, township_cadre, partner_org, civil_offer
):
    with pytest.raises(Exception, match="offer") as raised:
        measure_create(
            actor=township_cadre,
            case=case,
            plan=plan(township_cadre, partner_id=partner_org.pk, offer_id=civil_offer.pk),
        )
    assert "offer" in raised.value.message_dict
    assert not Measure.objects.exists()


def test_the_api_refuses_another_partners_offer_on_create_and_on_change(
    case, township_cadre, partner_org, civil_offer
):
    client = http(township_cadre)
    body = {
        "case": case.pk,
        "kind": "employment",
        "title": "季节工",
        "responsible": township_cadre.pk,
        "planned_start": START.date().isoformat(),
        "partner": partner_org.pk,
        "offer": civil_offer.pk,
    }
    created = client.post("/api/v1/measures/", body, content_type=JSON)
    assert created.status_code == 400
    assert "offer" in {error["attr"] for error in created.json()["errors"]}
    assert not Measure.objects.exists()
    measure = measure_create(
        actor=township_cadre, case=case, plan=plan(township_cadre, partner_id=partner_org.pk)
    )
    patched = client.patch(
        f"/api/v1/measures/{measure.pk}/",
        {"version": measure.version, "offer": civil_offer.pk},
        content_type=JSON,
    )
    assert patched.status_code == 400
    measure.refresh_from_db()
    assert measure.offer_id is None and measure.version == 1


def test_the_delivery_form_offers_only_the_allowed_statuses_and_closes_when_delivered(
    referral, partner, township_cadre
):
    client = client_for(township_cadre)
    url = reverse("measure-detail", args=[referral.pk])
    planned = client.get(url).content.decode()
    for status in ("planned", "in_progress", "delivered", "stopped"):
        assert f'value="{status}"' in planned
    measure_record_delivery(
        actor=partner,
        measure=referral,
        version=referral.version,
        status="in_progress",
        actual_start=START.date(),
    )
    in_progress = client.get(url).content.decode()
    assert 'value="planned"' not in in_progress and 'value="delivered"' in in_progress
    referral.refresh_from_db()
    measure_record_delivery(
        actor=partner,
        measure=referral,
        version=referral.version,
        status="delivered",
        actual_start=START.date(),
        actual_end=START.date(),
        result="已上岗",
    )
    delivered = client.get(url).content.decode()
    assert 'name="status"' not in delivered
    # A posted status the measure cannot go to is refused on the form, not by a 500.
    referral.refresh_from_db()
    refused = client.post(
        url, {"version": referral.version, "status": "planned", "actual_start": "2026-03-02"}
    )
    assert refused.status_code == 400
    assert Measure.objects.get(pk=referral.pk).status == MeasureStatus.DELIVERED


def test_a_delivered_measure_keeps_its_dates_and_amount(referral, partner):
    measure_record_delivery(
        actor=partner,
        measure=referral,
        version=referral.version,
        status="delivered",
        actual_start=START.date(),
        result="已上岗",
    )
    referral.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        measure_record_delivery(
            actor=partner,
            measure=referral,
            version=referral.version,
            status="delivered",
            actual_start=START.date() - datetime.timedelta(days=5),
            result="已上岗",
        )
    assert refused.value.code == "final"
    completed = measure_record_delivery(
        actor=partner,
        measure=referral,
        version=referral.version,
        status="delivered",
        actual_start=START.date(),
        result="已上岗，月收入三千元",
    )
    assert completed.result == "已上岗，月收入三千元"


def test_a_filter_given_empty_is_refused_as_the_schema_says(referral, township_cadre):
    client = http(township_cadre)
    assert client.get("/api/v1/measures/?kind=").status_code == 400
    assert client.get("/api/v1/measures/?referral_status=").status_code == 400
    listed = client.get("/api/v1/measures/?referral_status=pending&kind=employment")
    assert [row["id"] for row in listed.json()["results"]] == [referral.pk]
    assert client.get("/api/v1/measures/?referral_status=declined").json()["results"] == []


def test_an_answer_to_a_version_that_moved_on_is_409(referral, partner):
    response = http(partner).post(
        f"/api/v1/measures/{referral.pk}/accept/", {"version": 99}, content_type=JSON
    )
    assert response.status_code == 409
    assert Measure.objects.get(pk=referral.pk).referral_status == ReferralStatus.PENDING


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_a_referral_past_its_due_time_cannot_be_answered_before_the_sweep(
    referral, partner, clock, answer
):
    clock.advance(4)  # three days to answer; the sweep has not run yet
    response = http(partner).post(
        f"/api/v1/measures/{referral.pk}/{answer}/",
        {"reason": "名额已满，无法安排"} if answer == "decline" else {},
        content_type=JSON,
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["code"] == "expired"
    referral.refresh_from_db()
    assert referral.referral_status == ReferralStatus.PENDING and referral.responded_at is None
    # The sweep then returns it to the cadres, once.
    assert referral_services.referral_expire_overdue() == 1
