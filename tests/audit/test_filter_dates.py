"""The audit page refuses a date it cannot count from, instead of answering 500."""

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = reverse("audit-list")


@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=9999-12-31"]
)
def test_a_date_at_the_end_of_the_calendar_is_refused_with_its_reason(county_officer, query):
    client = client_for(county_officer)
    response = client.get(f"{URL}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Enter a date from 2000-01-01 to 2099-12-31." in response.content.decode()


def test_a_date_inside_the_range_still_filters(county_officer):
    client = client_for(county_officer)
    assert client.get(f"{URL}?date_from=2000-01-01&date_to=2099-12-31").status_code == 200
