"""The dashboard on a desktop and a phone (issue 18): a click on a chart's segment opens the
list behind it; on a phone the page does not scroll sideways and the tiles sit two a row."""

import datetime

from django.utils import timezone

from dashboards.refresh import figures_refresh
from households.models import Household
from monitoring.models import Alert
from tests.conftest import HOME_COUNTY, committed_db

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Where the first segment (高) of the warnings-by-level chart is drawn, in the canvas.
SEGMENT = """() => {
  const canvas = document.querySelector('canvas[data-chart="alert-level-data"]');
  const point = window.Chart.getChart(canvas).getDatasetMeta(0).data[0].tooltipPosition();
  const box = canvas.getBoundingClientRect();
  return {x: box.left + point.x, y: box.top + point.y};
}"""


def _a_high_warning(household) -> None:
    Household.objects.filter(pk=household.pk).update(risk_level="high")
    Alert.objects.create(
        household=household,
        village_id=household.village_id,
        status="open",
        source="rule",
        level="high",
        score=80,
        reason_codes=["income_drop"],
        opened_at=timezone.now() - datetime.timedelta(days=1),
    )
    figures_refresh()


@committed_db
def test_county_officer_clicks_a_chart_segment_and_lands_on_the_filtered_list(
    visit_as, county_officer, household, other_township_household
):
    _a_high_warning(household)
    visitor = visit_as(county_officer)
    page = visitor.open("/dashboard/")
    page.wait_for_function(
        "() => window.Chart && window.Chart.getChart("
        "document.querySelector('canvas[data-chart=\"alert-level-data\"]'))"
    )
    page.locator("#alert-level").scroll_into_view_if_needed()
    point = page.evaluate(SEGMENT)
    visitor.shot("desktop-dashboard")

    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])

    assert "/alerts/?" in page.url
    assert f"region={HOME_COUNTY}" in page.url and "level=high" in page.url
    # The one open high warning, the figure the segment showed (the queue names no number).
    assert page.locator("main table tbody tr").count() == 1
    visitor.shot("desktop-drilled-list")


@committed_db
def test_on_a_phone_the_dashboard_does_not_scroll_sideways_and_tiles_sit_two_a_row(
    visit_as, township_cadre, household
):
    _a_high_warning(household)
    visitor = visit_as(township_cadre, phone=True)
    page = visitor.open("/dashboard/")
    page.wait_for_load_state("networkidle")

    assert page.evaluate(SIDEWAYS) <= 0
    tiles = page.locator("section.tiles.kpi").first.locator(".tile")
    boxes = [tiles.nth(i).bounding_box() for i in range(3)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1  # two on one row
    assert boxes[2]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1  # the third below
    assert all(box["height"] >= 44 for box in boxes)
    assert boxes[1]["x"] + boxes[1]["width"] <= 360
    visitor.shot("phone-dashboard")

    page = visitor.open("/")
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-home")


@committed_db
def test_on_a_desktop_the_kpi_tiles_sit_on_one_row(visit_as, county_officer, household):
    figures_refresh()
    page = visit_as(county_officer).open("/dashboard/")

    tiles = page.locator("section.tiles.kpi").first.locator(".tile")
    tops = {round(tiles.nth(i).bounding_box()["y"]) for i in range(tiles.count())}
    assert len(tops) == 1
