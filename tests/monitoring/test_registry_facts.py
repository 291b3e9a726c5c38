"""The rules see what the registry knows (issue 16, defects 1 and 5).

A labourer's death, serious illness, disability or lost labour recorded on the member (page, API)
is a fact the rules read with the day it happened, as the same facts entered on a visit are; a
department signal about someone the registry did not know yet is matched once they are registered.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from households import services
from households.models import LifeEvent, Member
from monitoring import scans
from monitoring.engine import rules
from monitoring.engine.facts import households_in, load_facts
from monitoring.engine.policy import Policy
from monitoring.models import Alert, Signal
from tests.conftest import client_for
from tests.idgen import make_id_number

from .conftest import TODAY, record

pytestmark = pytest.mark.django_db

NEWBORN_ID = make_id_number("620423", "20260101", 7)


def reasons_of(household) -> dict[str, dict]:
    household.refresh_from_db()
    return {reason["code"]: reason for reason in household.risk_reasons}


def visited(household, actor) -> None:
    """A visit with nothing wrong yesterday, so that only the registry's change can fire."""
    record(actor, household)


def spouse_of(household) -> Member:
    return household.members.get(relation="spouse")


def test_a_labourer_who_dies_in_the_registry_raises_loss_of_labour(household, township_cadre):
    visited(household, township_cadre)
    scans.evaluate_one(household.pk, as_of=TODAY)
    assert "labour_loss" not in reasons_of(household)
    spouse = spouse_of(household)
    died_on = TODAY - datetime.timedelta(days=3)

    services.member_update(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        status="deceased",
        changed_on=died_on,
    )
    scans.evaluate_one(household.pk, as_of=TODAY)

    reason = reasons_of(household)["labour_loss"]
    assert reason["severity"] == "high"
    assert reason["evidence"]["registry_events"] == [{"kind": "died", "on": died_on.isoformat()}]
    # The head still works: it is the death, not an empty household, that fires.
    assert reason["evidence"]["members_with_labour"] == 1
    alert = Alert.objects.get(household=household)
    assert "labour_loss" in alert.reason_codes
    event = LifeEvent.objects.get(member=spouse, kind="died")
    assert (event.occurred_on, event.member_had_labour, event.recorded_by) == (
        died_on,
        True,
        township_cadre,
    )


def test_a_serious_illness_entered_through_the_api_is_a_loss_and_a_shock(household, township_cadre):
    visited(household, township_cadre)
    spouse = spouse_of(household)
    fell_ill = TODAY - datetime.timedelta(days=10)
    client = APIClient()
    client.force_authenticate(township_cadre)

    response = client.patch(
        f"/api/v1/members/{spouse.pk}/",
        {"health": "serious", "version": spouse.version, "changed_on": fell_ill.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    scans.evaluate_one(household.pk, as_of=TODAY)

    reasons = reasons_of(household)
    on = fell_ill.isoformat()
    assert reasons["labour_loss"]["evidence"]["registry_events"] == [
        {"kind": "serious_illness", "on": on}
    ]
    assert reasons["shock_event"]["evidence"]["registry_events"] == [
        {"kind": "serious_illness", "on": on}
    ]


def test_a_change_of_a_member_who_could_not_work_takes_no_labour(household, township_cadre):
    child = services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="张小宝",
        id_number=NEWBORN_ID,
        relation="child",
        labour="none",
        education="preschool",
    )
    visited(household, township_cadre)
    services.member_update(
        actor=township_cadre, member=child, version=child.version, disability="grade_2"
    )
    scans.evaluate_one(household.pk, as_of=TODAY)

    reasons = reasons_of(household)
    assert "labour_loss" not in reasons
    # A child's disability is still a shock to the household.
    assert reasons["shock_event"]["evidence"]["registry_events"] == [
        {"kind": "disability", "on": TODAY.isoformat()}
    ]


def test_a_change_older_than_the_window_no_longer_fires(household, township_cadre):
    visited(household, township_cadre)
    spouse = spouse_of(household)
    services.member_update(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        labour="lost",
        changed_on=TODAY - datetime.timedelta(days=91),
    )
    scans.evaluate_one(household.pk, as_of=TODAY)
    assert "labour_loss" not in reasons_of(household)


def test_the_household_is_judged_again_when_the_change_leaves_the_window(household, township_cadre):
    visited(household, township_cadre)
    spouse = spouse_of(household)
    lost_on = TODAY - datetime.timedelta(days=30)
    services.member_update(
        actor=township_cadre,
        member=spouse,
        version=spouse.version,
        labour="lost",
        changed_on=lost_on,
    )
    policy = Policy()
    ((row, facts),) = load_facts(households_in(ids=[household.pk]), as_of=TODAY, policy=policy)
    settings = policy.rule_settings(row.village_id)

    recheck = rules.recheck_on(facts, TODAY, settings)

    assert recheck == lost_on + datetime.timedelta(days=91)
    assert rules.labour_loss(facts, recheck - datetime.timedelta(days=1), {"days": 90})
    assert rules.labour_loss(facts, recheck, {"days": 90}) is None


@pytest.mark.parametrize(
    ("changed_on", "message"),
    [
        (TODAY + datetime.timedelta(days=1), "不能晚于今天"),
        (datetime.date(1960, 1, 1), "不能早于该成员的出生日期"),
    ],
)
def test_an_impossible_date_of_death_is_refused_and_nothing_changes(
    household, township_cadre, changed_on, message
):
    spouse = spouse_of(household)
    with pytest.raises(ValidationError, match=message):
        services.member_update(
            actor=township_cadre,
            member=spouse,
            version=spouse.version,
            status="deceased",
            changed_on=changed_on,
        )
    spouse.refresh_from_db()
    assert spouse.status == "active"
    assert not LifeEvent.objects.filter(member=spouse).exclude(kind="registered").exists()


def test_an_impossible_date_through_the_api_is_a_translated_400(household, township_cadre):
    spouse = spouse_of(household)
    client = client_for(township_cadre)
    response = client.patch(
        f"/api/v1/members/{spouse.pk}/",
        {
            "status": "deceased",
            "version": spouse.version,
            "changed_on": (TODAY + datetime.timedelta(days=2)).isoformat(),
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "变更日期不能晚于今天" in response.content.decode()
    spouse.refresh_from_db()
    assert spouse.status == "active"


def _signal_about(id_number: str, external_id: str, occurred_on: datetime.date) -> dict:
    return {
        "source": "medical_insurance",
        "external_id": external_id,
        "kind": "large_medical_expense",
        "occurred_on": occurred_on.isoformat(),
        "amount": "38000.00",
        "id_number": id_number,
    }


def test_a_signal_about_someone_not_yet_registered_is_matched_when_they_are(
    household, township_cadre, api_client_user
):
    client = APIClient()
    client.force_authenticate(api_client_user)
    recent = _signal_about(NEWBORN_ID, "mi-new", TODAY - datetime.timedelta(days=5))
    stale = _signal_about(NEWBORN_ID, "mi-old", TODAY - datetime.timedelta(days=200))
    response = client.post("/api/v1/signals/", {"items": [recent, stale]}, format="json")
    assert response.status_code == 200, response.content
    assert set(Signal.objects.values_list("status", flat=True)) == {"unmatched"}

    newborn = services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="张小宝",
        id_number=NEWBORN_ID,
        relation="child",
        labour="none",
        education="preschool",
    )
    scans.evaluate_one(household.pk, as_of=TODAY)

    matched = Signal.objects.get(external_id="mi-new")
    assert (matched.status, matched.member_id, matched.household_id) == (
        "matched",
        newborn.pk,
        household.pk,
    )
    # Outside the rules' window: left on the signal desk for a reviewer.
    assert Signal.objects.get(external_id="mi-old").status == "unmatched"
    signals = reasons_of(household)["department_signal"]["evidence"]["signals"]
    assert [signal["id"] for signal in signals] == [matched.pk]


def test_the_sweep_matches_waiting_signals_too(household, township_cadre, api_client_user):
    """A registration whose evaluation the broker never got: the sweep does the same."""
    client = APIClient()
    client.force_authenticate(api_client_user)
    item = _signal_about(NEWBORN_ID, "mi-sweep", TODAY - datetime.timedelta(days=5))
    assert client.post("/api/v1/signals/", {"items": [item]}, format="json").status_code == 200
    services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="张小宝",
        id_number=NEWBORN_ID,
        relation="child",
        labour="none",
        education="preschool",
    )

    scans.evaluate_pending()

    assert Signal.objects.get(external_id="mi-sweep").status == "matched"
    assert "department_signal" in reasons_of(household)
