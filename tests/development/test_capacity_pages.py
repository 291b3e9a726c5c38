"""The capacity on the household page and the dashboard: components in words, the weight of
what was not recorded shared, the trend; the dashboard's bands per area and monthly mean; each
scoped to the viewer."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from development.hub_sources_capacity import capacity_panel
from households.models import Household
from livelihoods.models import WorkRecord
from monitoring.capacity_selectors import distribution, monthly_mean
from monitoring.models import CapacityReading
from tests.conftest import OTHER_TOWNSHIP, client_for
from tests.development.test_capacity_gatherer import work

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(household, other_township_household, township_cadre):
    from development.services.capacity import measure_capacity

    today = timezone.localdate()
    head, _spouse = household.members.order_by("id")
    work(household, head, recorded=6, worked=6, actor=township_cadre)
    for days in (62, 31, 0):
        measure_capacity(
            actor=None,
            households=Household.objects.all(),
            as_of=today - datetime.timedelta(days=days),
        )
    return household


def test_the_household_page_shows_the_capacity_its_components_and_trend(measured, township_cadre):
    page = client_for(township_cadre).get(reverse("household-detail", args=[measured.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    section = html.split('id="panel-capacity"', 1)[1].split("</details>", 1)[0]
    score = CapacityReading.objects.filter(household=measured).latest("measured_on").score
    assert f"<strong>{score}</strong> / 100" in section
    for label in ("劳动能力", "技能与文化程度", "稳定就业", "培训与联农带农", "承诺履行"):
        assert label in section
    # Commitments and credit are not recorded: said, and their weight said to be shared.
    assert section.count("未记录") >= 2
    assert "其权重按比例分给已记录的分项" in section
    assert section.count("<rect ") == 3  # three readings in the trend
    assert "style=" not in section


def test_an_outsider_gets_no_capacity(measured, other_township_cadre, county_officer):
    assert capacity_panel(other_township_cadre, measured) is None
    assert capacity_panel(county_officer, measured) is not None
    response = client_for(other_township_cadre).get(reverse("household-detail", args=[measured.pk]))
    assert response.status_code == 404


def test_the_dashboard_counts_households_by_band_per_township(
    measured, other_township_household, county_officer, other_county_officer
):
    today = timezone.localdate()
    areas = {area.code: area for area in distribution(county_officer, as_of=today)}
    assert set(areas) == {measured.village.parent_id, OTHER_TOWNSHIP}
    assert all(area.total == 1 and sum(area.counts) == 1 for area in areas.values())
    trend = monthly_mean(county_officer, as_of=today, months=6)
    assert sum(n for _month, _mean, n in trend) >= 3
    assert distribution(other_county_officer, as_of=today) == []
    assert monthly_mean(other_county_officer, as_of=today) == []

    page = client_for(county_officer).get("/dashboard/").content.decode()
    section = page.split('id="capacity"', 1)[1].split("</section>", 1)[0]
    assert "80–100" in section and "各月平均得分" in section
    # Drilled down to the township: its villages, never the other township.
    township = measured.village.parent_id
    drilled = client_for(county_officer).get("/dashboard/", {"region": township})
    section = drilled.content.decode().split('id="capacity"', 1)[1].split("</section>", 1)[0]
    assert measured.village.short_name in section
    assert other_township_household.village.short_name not in section
    # Another county's officer sees no capacity section of this county.
    other = client_for(other_county_officer).get("/dashboard/").content.decode()
    assert 'id="capacity"' not in other


def test_a_township_cadre_sees_its_own_township_only(measured, township_cadre):
    today = timezone.localdate()
    areas = distribution(township_cadre, as_of=today)
    assert [area.total for area in areas] == [1]
    assert WorkRecord.objects.filter(household=measured).exists()
