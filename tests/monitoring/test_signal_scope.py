"""A department system acts on its own region only (issue 14, finding 5).

The sender here is a system scoped to 芦阳镇 (OTHER_TOWNSHIP); the `household` fixture lives in
一条山镇 (HOME_TOWNSHIP), outside it. A person registered there must be answered exactly as a
number nobody registered, and nothing may reach that household: no matched signal, no
evaluation, no notification. An area outside the sender's region starts no scan.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import Role, User
from households.models import Household
from monitoring.models import AreaEvent, Notification, ScanRun, ScreeningTask, Signal
from monitoring.services import area_events
from monitoring.services import signals as signal_services
from tests.conftest import OTHER_TOWNSHIP
from tests.idgen import make_id_number
from tests.security.test_id_number_lookups import candidates_from_mask_and_age

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request's Accept-Language stays active in the test's thread; later modules expect the
    # default language.
    yield
    translation.activate(settings.LANGUAGE_CODE)


HEAD_ID = make_id_number("620423", "19680315", 1)  # the head of `household`, in 一条山镇
NOBODY_ID = make_id_number("620423", "19850101", 7)  # a valid number nobody registered
OWN_HEAD_ID = make_id_number("620423", "19750808", 3)  # `other_township_household`, in 芦阳镇


@pytest.fixture
def township_system(db):
    """A department system whose account serves 芦阳镇 only."""
    return User.objects.create_user(
        username="luyang_system",
        password="test-password-123",
        role=Role.API_CLIENT,
        region_id=OTHER_TOWNSHIP,
    )


def post(user, *items: dict):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client.post("/api/v1/signals/", {"items": list(items)}, format="json")


def person(external_id: str, id_number: str, **overrides) -> dict:
    return {
        "source": "medical_insurance",
        "external_id": external_id,
        "kind": "large_medical_expense",
        "occurred_on": "2026-06-20",
        "amount": "38000.00",
        "detail": "住院自付费用",
        "id_number": id_number,
        **overrides,
    }


def area(external_id: str, region_code: str) -> dict:
    return {
        "source": "emergency",
        "external_id": external_id,
        "kind": "disaster_area",
        "occurred_on": "2026-06-20",
        "region_code": region_code,
    }


def listed(user, **params) -> list[int]:
    client = APIClient()
    client.force_authenticate(user)
    return [row["id"] for row in client.get("/api/v1/signals/", params).json()["results"]]


def test_a_person_registered_outside_the_senders_region_is_answered_as_an_unknown_number(
    township_system,
    household,
    township_cadre,
    other_township_cadre,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from core import queueing

    queued = []
    monkeypatch.setattr(queueing, "enqueue", lambda task_name, args, queue: queued.append(args))
    Household.objects.filter(pk=household.pk).update(evaluation_pending_since=None)
    notifications = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        outside = post(township_system, person("S1", HEAD_ID))
        unknown = post(township_system, person("S1", NOBODY_ID, source="civil_affairs"))

    assert outside.status_code == unknown.status_code == 200
    assert outside["Content-Type"] == unknown["Content-Type"]

    # Byte for byte the same answer, but for the id of the stored signal.
    def without_id(content: bytes) -> bytes:
        return re.sub(rb'"signal_id":\d+', b'"signal_id":ID', content)

    assert without_id(outside.content) == without_id(unknown.content)
    outside_id = outside.json()[0]["signal_id"]
    assert outside.json()[0]["result"] == "received"

    # Stored as the unknown one is: kept for review, touching no household or member.
    stored = Signal.objects.get(pk=outside_id)
    assert (stored.household_id, stored.member_id, stored.region_id) == (None, None, None)
    assert stored.status == Signal.Status.UNMATCHED
    assert not Signal.objects.filter(household=household).exists()
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is None
    assert queued == []
    assert Notification.objects.count() == notifications
    # Reviewed in the sender's township, not in the household's.
    assert outside_id in listed(other_township_cadre, status="unmatched")
    assert outside_id not in listed(township_cadre, status="unmatched")


def test_a_person_of_the_senders_own_region_is_still_matched(
    township_system, other_township_household
):
    response = post(township_system, person("S2", OWN_HEAD_ID))
    assert response.json()[0]["result"] == "received"
    assert Signal.objects.get().household_id == other_township_household.pk


def test_trying_the_numbers_a_mask_and_an_age_leave_tells_the_sender_nothing(
    township_system, other_township_household, other_township_cadre
):
    # The attack: the sender reads a member's mask (area code, last 4) and age (the birth year),
    # and posts one person signal per number they leave. Each is answered alike, and the sender
    # cannot read back which one found the member; the township's reviewers can.
    today = timezone.localdate()
    masked = OWN_HEAD_ID[:6] + "********" + OWN_HEAD_ID[-4:]
    candidates = candidates_from_mask_and_age(masked, today.year - int(OWN_HEAD_ID[6:10]), today)
    assert OWN_HEAD_ID in candidates and len(candidates) > 20
    items = [person(f"T{index}", number) for index, number in enumerate(candidates)]
    answers = post(township_system, *items).json()
    assert {answer["result"] for answer in answers} == {"received"}

    sent = {answer["signal_id"] for answer in answers}
    client = APIClient()
    client.force_authenticate(township_system)
    # It reads its signals back, and all alike: what people did with them (nothing yet), not
    # what the machine matched.
    readable = client.get("/api/v1/signals/", {"page_size": 500}).json()["results"]
    assert {row["id"] for row in readable} == sent
    assert {(row["status"], row["household"], row["outcome"]) for row in readable} == {
        (None, None, "received")
    }
    for signal_id in sent:
        detail = client.get(f"/api/v1/signals/{signal_id}/").json()
        assert (detail["status"], detail["household"]) == (None, None)
    assert client.get("/api/v1/signals/", {"status": "matched"}).status_code == 400
    # The match is there, for the township's reviewers.
    matched = Signal.objects.get(household=other_township_household)
    assert matched.pk in listed(other_township_cadre, status="matched")


@pytest.mark.parametrize(
    "region_code",
    ["620423100000", "620423000000"],  # another township; the county around the sender's
    ids=["another-township", "the-county-above"],
)
def test_an_area_outside_the_senders_region_is_refused_and_starts_no_scan(
    township_system, household, township_cadre, region_code
):
    notifications = Notification.objects.count()
    response = post(township_system, area("S3", region_code))
    assert response.status_code == 200  # a batch answers item by item
    assert response.json()[0]["result"] == "invalid"
    assert response.json()[0]["errors"] == {
        "region_code": ["This area lies outside the region your account serves."]
    }
    assert not Signal.objects.exists()
    assert not ScanRun.objects.exists()
    assert not AreaEvent.objects.exists() and not ScreeningTask.objects.exists()
    assert Notification.objects.count() == notifications


def test_an_area_of_the_senders_own_region_opens_an_area_event(
    township_system, other_township_household
):
    response = post(township_system, area("S4", "620423101000"))
    assert response.json()[0]["result"] == "matched"
    area_events.area_event_list(AreaEvent.objects.get().pk)  # the worker's part
    event = AreaEvent.objects.get()
    assert event.region_id == "620423101000"
    assert list(event.tasks.values_list("household_id", flat=True)) == [other_township_household.pk]


def test_the_outside_area_message_is_translated(township_system):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(township_system)
    response = client.post(
        "/api/v1/signals/", {"items": [area("S5", "620423100000")]}, format="json"
    )
    message = response.json()[0]["errors"]["region_code"][0]
    assert message != "This area lies outside the region your account serves."
    assert "辖区" in message or "区域" in message


def test_a_negative_amount_is_refused_and_nothing_is_stored(api_client_user, household):
    response = post(api_client_user, person("S6", HEAD_ID, amount="-100.00"))
    assert response.json()[0]["result"] == "invalid"
    assert response.json()[0]["errors"]["amount"]
    assert response.json()[0]["signal_id"] is None
    assert not Signal.objects.exists()


def test_the_service_refuses_a_negative_amount_from_any_door(api_client_user, household):
    from decimal import Decimal

    with translation.override("en"):
        [result] = signal_services.signals_receive(
            actor=api_client_user,
            items=[
                signal_services.SignalItem(
                    source="medical_insurance",
                    external_id="S7",
                    kind="large_medical_expense",
                    occurred_on=datetime.date(2026, 1, 5),
                    id_number=HEAD_ID,
                    amount=Decimal("-0.01"),
                )
            ],
        )
    assert result.result == "invalid"
    assert result.errors == {"amount": ["An amount cannot be negative."]}
    assert not Signal.objects.exists()
