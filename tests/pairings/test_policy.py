"""A county officer sets the county's limits of paired assistance and its referral days: through
one service each (the page and the admin both), with history, within the county only."""

import pghistory.models
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import ReferralPolicy
from assistance.services.referrals import referral_policy_save
from pairings.models import PairingPolicy
from pairings.services import pairing_policy_save
from tests.conftest import HOME_COUNTY, OTHER_COUNTY, client_for, committed_db

pytestmark = pytest.mark.django_db


def zh(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


# --- the services


def test_a_county_officer_sets_the_county_limits_and_the_change_is_recorded(county_officer):
    policy = pairing_policy_save(
        actor=county_officer,
        region_code=HOME_COUNTY,
        max_households=8,
        contact_every_days=14,
        include_lifted_out=True,
    )
    assert (policy.region_id, policy.max_households, policy.contact_every_days) == (
        HOME_COUNTY,
        8,
        14,
    )
    pairing_policy_save(
        actor=county_officer,
        region_code=HOME_COUNTY,
        max_households=9,
        contact_every_days=14,
        include_lifted_out=True,
    )
    assert PairingPolicy.objects.get().max_households == 9
    events = pghistory.models.Events.objects.tracks(policy).order_by("pgh_created_at")
    assert [event.pgh_data["max_households"] for event in events] == [8, 9]
    assert all(event.pgh_context["user"] == county_officer.pk for event in events)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"max_households": 0}, "max_households"),
        ({"max_households": -3}, "max_households"),
        ({"contact_every_days": 0}, "contact_every_days"),
        ({"contact_every_days": 5000}, "contact_every_days"),
    ],
)
def test_a_limit_out_of_range_is_refused_and_nothing_is_written(county_officer, fields, error):
    values = {"max_households": 10, "contact_every_days": 30, "include_lifted_out": False}
    with pytest.raises(ValidationError) as raised:
        pairing_policy_save(actor=county_officer, region_code=HOME_COUNTY, **{**values, **fields})
    assert error in raised.value.message_dict
    assert not PairingPolicy.objects.exists()


def test_a_county_officer_cannot_set_another_county_or_the_national_row(county_officer):
    values = {"max_households": 10, "contact_every_days": 30, "include_lifted_out": False}
    for region in (OTHER_COUNTY, None):
        with pytest.raises(ValidationError):
            pairing_policy_save(actor=county_officer, region_code=region, **values)
        with pytest.raises(ValidationError):
            referral_policy_save(actor=county_officer, region_code=region, days=3, unit="working")
    assert not PairingPolicy.objects.exists() and not ReferralPolicy.objects.exists()


def test_a_township_cadre_may_not_set_policies(township_cadre):
    with pytest.raises(PermissionDenied):
        pairing_policy_save(
            actor=township_cadre,
            region_code=HOME_COUNTY,
            max_households=10,
            contact_every_days=30,
            include_lifted_out=False,
        )
    with pytest.raises(PermissionDenied):
        referral_policy_save(actor=township_cadre, region_code=HOME_COUNTY, days=3, unit="working")


def test_referral_days_are_set_in_working_or_calendar_days_with_history(county_officer):
    policy = referral_policy_save(
        actor=county_officer, region_code=HOME_COUNTY, days=5, unit="working"
    )
    policy = referral_policy_save(
        actor=county_officer,
        region_code=HOME_COUNTY,
        days=7,
        unit="calendar",
        version=policy.version,
    )
    assert (policy.days, policy.unit, policy.version) == (7, "calendar", 2)
    events = pghistory.models.Events.objects.tracks(policy).order_by("pgh_created_at")
    assert [(event.pgh_data["days"], event.pgh_data["unit"]) for event in events] == [
        (5, "working"),
        (7, "calendar"),
    ]


@pytest.mark.parametrize(
    ("days", "unit", "error"),
    [(0, "working", "days"), (-2, "working", "days"), (61, "calendar", "days"), (3, "x", "unit")],
)
def test_a_bad_referral_limit_is_refused_and_nothing_is_written(county_officer, days, unit, error):
    with pytest.raises(ValidationError) as raised:
        referral_policy_save(actor=county_officer, region_code=HOME_COUNTY, days=days, unit=unit)
    assert error in raised.value.message_dict
    assert not ReferralPolicy.objects.exists()


# --- the pages


def test_the_county_officer_saves_the_county_limits_on_the_page(county_officer):
    response = zh(county_officer).post(
        "/pairings/policy/", {"max_households": 6, "contact_every_days": 20}, follow=True
    )
    assert response.status_code == 200
    policy = PairingPolicy.objects.get()
    assert (policy.region_id, policy.max_households, policy.include_lifted_out) == (
        HOME_COUNTY,
        6,
        False,
    )


def test_a_limit_of_zero_on_the_page_is_a_translated_error_and_nothing_is_written(
    county_officer,
):
    response = zh(county_officer).post(
        "/pairings/policy/", {"max_households": 0, "contact_every_days": 20}
    )
    assert response.status_code == 200
    assert "每名干部结对 1 至 100 户" in response.content.decode()
    assert not PairingPolicy.objects.exists()


def test_a_negative_referral_limit_on_the_page_is_a_translated_error(county_officer):
    response = zh(county_officer).post("/referrals/policy/", {"days": -1, "unit": "working"})
    assert response.status_code == 200
    assert "给合作方 1 至 60 天答复" in response.content.decode()
    assert not ReferralPolicy.objects.exists()


def test_the_county_officer_saves_the_referral_days_on_the_page(county_officer):
    response = zh(county_officer).get("/referrals/policy/")
    assert response.status_code == 200
    zh(county_officer).post("/referrals/policy/", {"days": 4, "unit": "working"})
    policy = ReferralPolicy.objects.get()
    assert (policy.region_id, policy.days, policy.unit) == (HOME_COUNTY, 4, "working")


def test_the_other_county_sees_neither_county_row(county_officer, other_county_officer):
    referral_policy_save(actor=county_officer, region_code=HOME_COUNTY, days=4, unit="working")
    response = zh(other_county_officer).get("/referrals/policy/")
    assert response.status_code == 200
    assert list(response.context["rows"]) == []


@pytest.mark.parametrize("url", ["/pairings/policy/", "/referrals/policy/"])
def test_outsiders_are_refused_the_policy_pages(
    url, village_worker, township_cadre, partner, auditor
):
    for user in (village_worker, township_cadre, partner, auditor):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url, {"days": 3, "max_households": 3}).status_code == 403
    assert not PairingPolicy.objects.exists() and not ReferralPolicy.objects.exists()


@committed_db
@pytest.mark.parametrize("save", ["pairing", "referral"])
def test_two_first_saves_at_once_give_one_policy_and_a_conflict_never_a_500(county_officer, save):
    from core.errors import EditConflict
    from tests.workers import at_once

    def work():
        if save == "pairing":
            return pairing_policy_save(
                actor=county_officer,
                region_code=HOME_COUNTY,
                max_households=8,
                contact_every_days=30,
                include_lifted_out=False,
            )
        return referral_policy_save(
            actor=county_officer, region_code=HOME_COUNTY, days=3, unit="working"
        )

    results = at_once(work, times=2)
    assert all(
        not isinstance(result, Exception) or isinstance(result, EditConflict) for result in results
    ), results
    model = PairingPolicy if save == "pairing" else ReferralPolicy
    assert model.objects.filter(region_id=HOME_COUNTY).count() == 1
