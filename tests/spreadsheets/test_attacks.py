"""Hostile input to the Excel pages and the lists they export: refused or ignored, never a 500,
and nothing written."""

import pytest

from households.models import Household
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NUL = "%00"


@pytest.mark.parametrize(
    "url",
    [
        f"/export/cases.xlsx?show=all&q={NUL}",
        f"/export/partners.xlsx?q={NUL}",
        f"/export/alerts.xlsx?village={NUL}&reason={NUL}&status={NUL}",
        f"/cases/?show=all&q={NUL}",
        f"/partners/?q={NUL}",
        f"/alerts/?village={NUL}&reason={NUL}",
        f"/visits/households/?q=a{NUL}",
    ],
)
def test_a_nul_byte_in_a_lists_filter_is_ignored_rather_than_failing(
    url, county_officer, household
):
    response = client_for(county_officer).get(url)
    assert response.status_code == 200
    assert Household.objects.count() == 1
