"""Two cadres saving the same household at the same moment, through the page and through the API:
the first save stands, the second is refused with a translated "changed by someone else", and
nothing is silently overwritten.

Every save carries the version its form or client saw; the service locks the row and compares.
A household is edited as a whole form, so the second save is refused even when it touches other
fields than the first: its author reloads and sees what changed.
"""

import threading

import pytest
from django.utils import translation

from accounts.models import Role, User
from config.exceptions import EditConflict
from households.models import Household
from tests import workers
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE, client_for, committed_db

pytestmark = committed_db


@pytest.fixture
def second_cadre(db):
    return User.objects.create_user(
        username="second_cadre",
        password="test-password-123",
        role=Role.TOWNSHIP_CADRE,
        region_id=HOME_TOWNSHIP,
    )


def _conflict_message() -> str:
    with translation.override("en"):
        english = str(EditConflict.default_message)
    with translation.override("zh-hans"):
        translated = str(EditConflict.default_message)
    assert translated != english  # really translated
    return translated


def _one_each(*takers):
    """Hand each thread its own (label, client, change), whichever thread starts first."""
    waiting, lock = list(takers), threading.Lock()

    def take():
        with lock:
            return waiting.pop()

    return take


EDITS = {"address": {"address": "水源村3社14号"}, "phone": {"phone": "13893009999"}}


def _assert_only_the_winner_saved(household: Household, winner: str, seen: int) -> None:
    household.refresh_from_db()
    assert household.version == seen + 1
    expected = {"address": "水源村3社12号", "phone": "13893001234", **EDITS[winner]}
    assert {"address": household.address, "phone": household.phone} == expected


def _form(household: Household, **changes) -> dict:
    return {
        "village": HOME_VILLAGE,
        "address": household.address,
        "phone": "13893001234",
        "bank_account": "6228480402564890018",
        "poverty_status": household.poverty_status,
        "poverty_exit_year": household.poverty_exit_year,
        "version": household.version,
        **changes,
    }


def test_two_cadres_saving_the_same_household_page_at_once_one_is_refused(
    household, township_cadre, second_cadre
):
    seen = household.version
    take = _one_each(
        ("address", client_for(township_cadre), EDITS["address"]),
        ("phone", client_for(second_cadre), EDITS["phone"]),
    )

    def save():
        label, client, change = take()
        return label, client.post(f"/households/{household.pk}/edit/", _form(household, **change))

    results = workers.at_once(save, times=2)

    statuses = {label: response.status_code for label, response in results}
    assert sorted(statuses.values()) == [200, 302], results
    winner = next(label for label, status in statuses.items() if status == 302)
    refused = next(response for label, response in results if label != winner)
    assert _conflict_message() in refused.content.decode()
    _assert_only_the_winner_saved(household, winner, seen)


def test_two_cadres_saving_the_same_household_through_the_api_at_once_one_gets_409(
    household, township_cadre, second_cadre
):
    seen = household.version
    take = _one_each(
        ("address", client_for(township_cadre), EDITS["address"]),
        ("phone", client_for(second_cadre), EDITS["phone"]),
    )

    def save():
        label, client, change = take()
        return label, client.patch(
            f"/api/v1/households/{household.pk}/",
            {"version": seen, **change},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    results = workers.at_once(save, times=2)

    statuses = {label: response.status_code for label, response in results}
    assert sorted(statuses.values()) == [200, 409], results
    winner = next(label for label, status in statuses.items() if status == 200)
    refused = next(response for label, response in results if label != winner)
    assert refused.json()["errors"][0]["detail"] == _conflict_message()
    _assert_only_the_winner_saved(household, winner, seen)
