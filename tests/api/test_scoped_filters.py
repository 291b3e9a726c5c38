"""A list filter that names a row (a household, a user, a region) takes it among the rows the
user may see: an id outside the user's region answers exactly as an id that does not exist.

Before, `?household=<another township's>` answered an empty list and `?household=999999` 400,
which told a township cadre which ids exist elsewhere.
"""

import pytest
from rest_framework.test import APIClient

from tests.conftest import OTHER_TOWNSHIP

pytestmark = pytest.mark.django_db

NO_SUCH_ID = 2**40
NO_SUCH_REGION = "629999999000"


def answer(user, url: str) -> tuple[int, dict]:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    response = client.get(url)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("url", "outside"),
    [
        ("/api/v1/members/?household={}", "household"),
        ("/api/v1/visits/?household={}", "household"),
        ("/api/v1/alerts/?household={}", "household"),
        ("/api/v1/visits/?visitor={}", "user"),
        ("/api/v1/alerts/?assignee={}", "user"),
        ("/api/v1/regions/?parent={}", "region"),
    ],
)
def test_an_outside_id_answers_as_a_missing_one(
    township_cadre, other_township_cadre, other_township_household, url, outside
):
    outside_value = {
        "household": other_township_household.pk,
        "user": other_township_cadre.pk,
        "region": OTHER_TOWNSHIP,
    }[outside]
    missing_value = NO_SUCH_REGION if outside == "region" else NO_SUCH_ID
    outside_answer = answer(township_cadre, url.format(outside_value))
    assert outside_answer == answer(township_cadre, url.format(missing_value))
    assert outside_answer[0] == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/members/?household={household}",
        "/api/v1/visits/?household={household}",
        "/api/v1/visits/?visitor={me}",
        "/api/v1/alerts/?assignee={me}",
        "/api/v1/regions/?parent={township}",
    ],
)
def test_an_id_of_the_user_s_own_region_still_filters(township_cadre, household, url):
    status, body = answer(
        township_cadre,
        url.format(household=household.pk, me=township_cadre.pk, township="620423100000"),
    )
    assert status == 200, body
