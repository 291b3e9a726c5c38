"""A dashboard that does not mislead (issue 18): colours by meaning, one snapshot time, rates per
100 households beside counts, a period filter, and every figure a link to the list that shows
the same number."""

import datetime
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.utils import timezone

from assistance import selectors as assistance_selectors
from dashboards.charts import MEANING_TONES, SERIES_TONES, Rate
from dashboards.periods import period_of
from dashboards.refresh import figures_refresh
from households import selectors as household_selectors
from households.filters import HouseholdFilter
from households.models import Household
from monitoring import selectors as monitoring_selectors
from monitoring.models import Alert
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, HOME_VILLAGE, OTHER_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db
URL = "/dashboard/"
AS_OF = datetime.date(2026, 11, 20)
ZONE = datetime.timezone(datetime.timedelta(hours=8))


def _alert(household, *, level: str, status: str, opened: datetime.datetime) -> Alert:
    return Alert.objects.create(
        household=household,
        village_id=household.village_id,
        status=status,
        source="rule",
        level=level,
        score=50,
        reason_codes=["income_drop"],
        opened_at=opened,
    )


@pytest.fixture
def county(household, other_township_household):
    """Two townships: a high-risk household with an open warning opened this month (home
    township), an ordinary one whose warning of last year was dismissed (other township)."""
    Household.objects.filter(pk=household.pk).update(risk_level="high")
    _alert(
        household,
        level="high",
        status="open",
        opened=datetime.datetime(2026, 11, 3, 9, 0, tzinfo=ZONE),
    )
    _alert(
        other_township_household,
        level="medium",
        status="dismissed",
        opened=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=ZONE),  # 2025-12-31 in Shanghai
    )
    figures_refresh(as_of=AS_OF)


def chart_data(response, slug: str) -> dict:
    html = response.content.decode()
    start = html.index(f'id="{slug}-data"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def listed(user, link: str) -> int:
    """How many rows the list behind a link shows (its selector, with the link's parameters)."""
    parts = urlsplit(link)
    params = QueryDict(parts.query)
    if parts.path == "/households/":
        households = household_selectors.households_visible_to(user)
        return HouseholdFilter(params, queryset=households).qs.count()
    if parts.path == "/alerts/":
        return monitoring_selectors.alerts_listed(user, params).count()
    if parts.path == "/cases/":
        return assistance_selectors.cases_listed(user, params).count()
    if parts.path == "/cases/overdue/":
        return assistance_selectors.steps_overdue(
            user, as_of=timezone.localdate(), params=params
        ).count()
    if parts.path == "/measures/":
        return assistance_selectors.measures_listed(user, params).count()
    raise AssertionError(f"no list known for {link}")


# Colours by meaning -------------------------------------------------------------------------


def test_every_chart_says_its_colours_by_name_from_the_one_palette(county_officer, county):
    response = client_for(county_officer).get(URL)
    board = response.context["board"]
    html = response.content.decode()

    for chart in [board.children, *board.charts]:
        if chart.is_empty:
            continue
        data = chart_data(response, chart.slug)
        assert data["tones"], chart.slug
        assert set(data["tones"]) <= set(MEANING_TONES) | set(SERIES_TONES), chart.slug
        assert f'data-chart="{chart.slug}-data" data-tones="{" ".join(data["tones"])}"' in html


def test_risk_levels_and_warnings_take_the_colour_of_their_meaning(county_officer, county):
    response = client_for(county_officer).get(URL)

    assert chart_data(response, "alert-level")["tones"] == ["high", "medium", "low"]
    assert chart_data(response, "risk-level")["tones"] == ["high", "medium", "low", "none"]
    # No case, identifying, enrolled, eliminating, eliminated (green), not enrolled.
    assert chart_data(response, "case-state")["tones"] == [
        "none",
        "open",
        "medium",
        "low",
        "ok",
        "muted",
    ]
    measure_kind = response.context["board"].charts
    assert next(c for c in measure_kind if c.slug == "measure-kind").tones[2] == "ok"  # delivered


def test_the_palette_is_defined_once_in_the_stylesheet_and_read_by_the_chart_script():
    css = open("static/css/dixian.css", encoding="utf-8").read()
    script = open("static/js/dashboard.js", encoding="utf-8").read()

    for tone in (*MEANING_TONES, *SERIES_TONES):
        assert css.count(f"--chart-{tone}:") == 1, tone
    assert '"--chart-" + tone' in script
    assert "#" not in script.split("function colour")[1].split("function options")[0]


# One snapshot time --------------------------------------------------------------------------


def test_the_dashboard_and_the_home_page_show_the_same_snapshot_time(
    county_officer, township_cadre, county
):
    county_page = client_for(county_officer).get(URL)
    home = client_for(township_cadre).get("/")
    refreshed = county_page.context["board"].refreshed
    stamp = f'data-snapshot="{timezone.localtime(refreshed.finished_at).isoformat()}"'

    assert stamp in county_page.content.decode()
    assert stamp in home.content.decode()
    assert home.context["snapshot"] == refreshed.finished_at
    assert "数据截至" in home.content.decode()


def test_before_any_count_the_home_page_counts_now_and_says_so(township_cadre, household):
    response = client_for(township_cadre).get("/")

    assert response.context["live"] is True
    assert "（实时统计）" in response.content.decode()


def test_the_partner_home_says_its_figures_are_counted_now(partner):
    response = client_for(partner).get("/")

    assert response.status_code == 200
    assert "data-snapshot=" in response.content.decode()


# Rates per 100 households -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "households", "shown"),
    [(3, 200, "1.5"), (1, 3, "33.3"), (0, 50, "0.0"), (0, 0, "–"), (5, 0, "–"), (2, 2, "100.0")],
)
def test_a_rate_per_100_households_is_one_decimal_and_a_dash_without_households(
    part, households, shown
):
    assert str(Rate(part, households)) == shown
    assert float(Rate(part, 0)) == 0.0


def test_tiles_and_children_show_rates_beside_counts(county_officer, county):
    board = client_for(county_officer).get(URL).context["board"]

    warnings = next(tile for tile in board.tiles if tile.key == "open_alerts")
    assert (warnings.value, str(warnings.rate)) == (1, "50.0")  # 1 warning, 2 households
    rows = {row.link: row for row in board.children.rows}
    assert str(rows[HOME_TOWNSHIP].values[0]) == "100.0"
    assert str(rows[OTHER_TOWNSHIP].values[0]) == "0.0"
    # A township without households: a dash, not a division by zero.
    empty = [row for code, row in rows.items() if code not in (HOME_TOWNSHIP, OTHER_TOWNSHIP)]
    assert empty and all(str(row.values[0]) == "–" for row in empty)
    # The highest rate first.
    assert board.children.rows[0].link == HOME_TOWNSHIP


# The period filter --------------------------------------------------------------------------


def period_tile(board, key: str):
    return next(tile for tile in board.period_tiles if tile.key == key)


def test_the_period_filter_changes_the_period_figures_and_not_the_state_figures(
    county_officer, county
):
    client = client_for(county_officer)
    this_month = client.get(URL, {"period": "month"}).context["board"]
    both_years = client.get(URL, {"period": "range", "from": "2025-12", "to": "2026-11"}).context[
        "board"
    ]

    assert period_tile(this_month, "trend_alerts").value == 1
    assert period_tile(both_years, "trend_alerts").value == 2
    assert [tile.value for tile in this_month.tiles] == [tile.value for tile in both_years.tiles]
    assert this_month.period.label != both_years.period.label


def test_a_period_outside_the_counted_months_is_kept_within_them():
    earliest = datetime.date(2024, 12, 1)
    period = period_of(
        {"period": "range", "from": "1999-01", "to": "2030-05"}, as_of=AS_OF, earliest=earliest
    )
    assert (period.first, period.last) == (earliest, datetime.date(2026, 11, 1))
    assert period_of({"period": "range", "from": "x"}, as_of=AS_OF, earliest=earliest).key == "year"
    quarter = period_of({"period": "quarter"}, as_of=AS_OF, earliest=earliest)
    assert (quarter.first, quarter.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 11, 30))


def test_a_month_too_large_to_read_falls_back_to_the_default_period(county_officer):
    earliest = datetime.date(2024, 12, 1)
    for bad in ("10000000000000000000-1", "2026-10000000000000000000", "9" * 5000 + "-1"):
        period = period_of(
            {"period": "range", "from": bad, "to": "2026-01"}, as_of=AS_OF, earliest=earliest
        )
        assert period.key == "year", bad
    response = client_for(county_officer).get(
        URL, {"period": "range", "from": "10000000000000000000-1", "to": "2026-01"}
    )
    assert response.status_code == 200
    assert response.context["board"].period.key == "year"


# Drill-down: every figure a link, the list shows the same number ------------------------------


def test_the_tiles_link_to_lists_that_show_the_same_numbers(county_officer, county):
    board = client_for(county_officer).get(URL, {"period": "year"}).context["board"]

    linked = [tile for tile in [*board.tiles, *board.period_tiles] if tile.link]
    assert len(linked) >= 8
    for tile in linked:
        assert listed(county_officer, tile.link) == tile.value, (tile.label, tile.link)


def test_the_charts_rows_link_to_lists_that_show_the_same_numbers(county_officer, county):
    response = client_for(county_officer).get(URL, {"period": "range", "from": "2025-12"})
    board = response.context["board"]

    checked = 0
    for slug in ("risk-level", "alert-level", "poverty-status", "funnel", "children"):
        chart = (
            board.children
            if slug == "children"
            else next(c for c in board.charts if c.slug == slug)
        )
        data = chart_data(response, slug)
        for row, row_links in zip(chart.drawn_rows, data["links"], strict=True):
            for column, link in zip(chart.columns, row_links, strict=True):
                if link:
                    value = row.values[column]
                    counted = value.part if isinstance(value, Rate) else value
                    assert listed(county_officer, link) == counted, (slug, row.label, link)
                    checked += 1
    assert checked >= 10


def test_a_chart_segment_link_names_the_region_the_level_and_the_period(county_officer, county):
    response = client_for(county_officer).get(URL, {"region": HOME_TOWNSHIP, "period": "month"})

    high = chart_data(response, "alert-level")["links"][0][0]
    assert parse_qs(urlsplit(high).query) == {"region": [HOME_TOWNSHIP], "level": ["high"]}
    opened = chart_data(response, "funnel")["links"][1][0]
    assert parse_qs(urlsplit(opened).query)["opened_from"] == ["2026-11-01"]
    assert parse_qs(urlsplit(opened).query)["opened_to"] == ["2026-11-30"]


def test_the_home_page_figures_are_links_with_the_same_numbers(township_cadre, county):
    context = client_for(township_cadre).get("/").context

    for tile in context["tiles"]:
        assert listed(township_cadre, tile.link) == tile.value
    for row in context["risk_rows"]:
        assert listed(township_cadre, row.links[0]) == row.values[0]


def test_the_partner_home_figures_are_links(partner):
    html = client_for(partner).get("/").content.decode()

    assert 'href="/measures/?referral=accepted"' in html
    assert 'href="/needs/?claimed=mine&amp;status=confirmed"' in html


def test_a_long_table_of_children_is_folded_after_the_first_ten(county_officer, county):
    response = client_for(county_officer).get(URL)
    children = response.context["board"].children

    if len(children.rows) > 10:
        assert len(chart_data(response, "children")["labels"]) == 10
        assert f"全部 {len(children.rows)} 个乡镇" in response.content.decode()
        assert "<details" in response.content.decode()


# Scoping as before --------------------------------------------------------------------------


def test_a_township_cadres_links_stay_in_their_township(township_cadre, county):
    board = client_for(township_cadre).get(URL).context["board"]

    assert board.region.code == HOME_TOWNSHIP
    assert all(HOME_TOWNSHIP in tile.link for tile in board.tiles if tile.link)
    # A link of another township leads to nothing the cadre may not see.
    assert listed(township_cadre, f"/alerts/?region={OTHER_TOWNSHIP}&closed=1") == 0
    assert listed(township_cadre, f"/cases/?show=all&region={HOME_COUNTY}") == 0 or all(
        case.village_id.startswith(HOME_TOWNSHIP[:9])
        for case in assistance_selectors.cases_listed(
            township_cadre, QueryDict(f"show=all&region={HOME_COUNTY}")
        )
    )


def test_an_outsider_is_refused_the_dashboard_of_another_township(other_township_cadre, county):
    client = client_for(other_township_cadre)

    assert client.get(URL, {"region": HOME_TOWNSHIP, "period": "month"}).status_code == 404
    assert client.get(URL, {"region": HOME_VILLAGE}).status_code == 404
