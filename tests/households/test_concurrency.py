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
from core.errors import EditConflict
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


def _both_at_once(send, *clients) -> dict:
    """The address edit and the phone edit sent at the same moment, each by its own client;
    each edit's response."""
    waiting, lock = list(zip(EDITS, clients, strict=True)), threading.Lock()

    def save():
        with lock:
            label, client = waiting.pop()
        return label, send(client, EDITS[label])

    return dict(workers.at_once(save, times=2))


def _saved_and_refused(responses: dict, *, saved: int, refused: int) -> tuple[str, object]:
    """Which edit went through, and the other one's response."""
    statuses = {label: response.status_code for label, response in responses.items()}
    assert sorted(statuses.values()) == sorted([saved, refused]), responses
    winner = next(label for label, status in statuses.items() if status == saved)
    return winner, next(response for label, response in responses.items() if label != winner)


def test_two_cadres_saving_the_same_household_page_at_once_one_is_refused(
    household, township_cadre, second_cadre
):
    seen = household.version
    responses = _both_at_once(
        lambda client, change: client.post(
            f"/households/{household.pk}/edit/", _form(household, **change)
        ),
        client_for(township_cadre),
        client_for(second_cadre),
    )

    winner, refused = _saved_and_refused(responses, saved=302, refused=200)
    assert _conflict_message() in refused.content.decode()
    _assert_only_the_winner_saved(household, winner, seen)


def test_two_cadres_saving_the_same_household_through_the_api_at_once_one_gets_409(
    household, township_cadre, second_cadre
):
    seen = household.version
    responses = _both_at_once(
        lambda client, change: client.patch(
            f"/api/v1/households/{household.pk}/",
            {"version": seen, **change},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ),
        client_for(township_cadre),
        client_for(second_cadre),
    )

    winner, refused = _saved_and_refused(responses, saved=200, refused=409)
    assert refused.json()["errors"][0]["detail"] == _conflict_message()
    _assert_only_the_winner_saved(household, winner, seen)
