"""The household page as the hub (issue 18): the current risk and why, the buttons of what the
viewer may do, and one timeline of what every app knows of the household, scoped and bounded.

The household is walked from a poor visit to a case with a measure (tests/assistance/conftest.py:
the clock pinned on Monday 2 March 2026), with a paired cadre and a contact and a life event."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.services.measures import MeasurePlan, measure_create
from households.hub import SOURCES, trend_chart
from households.models import Household
from monitoring.engine.evaluation import evaluate_households
from monitoring.models import Alert
from pairings import services as pairing_services
from tests.assistance.conftest import visit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _page(user, household, **params) -> str:
    response = client_for(user).get(reverse("household-detail", args=[household.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


# The household's own buttons (its plan, its card, its livelihood, its loans) follow rules of
# their own, tested beside them in tests/development and tests/livelihoods.
HOUSEHOLD_AS_ACTOR = {"card", "plan", "livelihood", "loan"}


def _actions(page: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', page)) - HOUSEHOLD_AS_ACTOR


def _timeline(page: str) -> str:
    return page.split('class="hub-timeline"', 1)[1].split("</ol>", 1)[0]


@pytest.fixture
def warned(household, village_worker, clock):
    """Two visits, the second poor: a warning opens on its reasons."""
    visit(
        village_worker,
        household,
        on=clock.today() - datetime.timedelta(days=60),
        per_person=Decimal("9000"),
    )
    visit(village_worker, household, on=clock.today(), per_person=Decimal("2500"))
    evaluate_households(Household.objects.filter(pk=household.pk), as_of=clock.today())
    household.refresh_from_db()
    return Alert.objects.get(household=household)


@pytest.fixture
def full_story(case, township_cadre, village_worker, partner_org, clock):
    """A case with a measure given to a partner, a paired cadre with a contact, a death."""
    measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="social_help",
            title="送化肥",
            responsible_id=township_cadre.pk,
            planned_start=case.proposed_on,
            partner_id=partner_org.pk,
            planned_amount=Decimal("7600"),
        ),
    )
    household = case.household
    pairing_services.pairing_assign(
        actor=township_cadre, household_id=household.pk, cadre_id=village_worker.pk
    )
    pairing_services.contact_record(
        actor=village_worker,
        household_id=household.pk,
        kind="phone",
        contacted_on=clock.today(),
        summary="电话了解用药负担",
    )
    household.refresh_from_db()
    return household


def test_the_head_shows_the_risk_its_reasons_and_the_warning(warned, village_worker):
    page = _page(village_worker, warned.household)
    head = page.split('class="hub-head', 1)[1].split("</section>", 1)[0]
    assert warned.household.number in head and "水源村" in head
    assert "risk risk-high" in head or "risk risk-medium" in head
    # The rules that fired, in words, linked to the open warning.
    assert "收入低于监测线" in head
    assert reverse("alert-detail", args=[warned.pk]) in head


def test_reasons_are_named_without_their_evidence(household, village_worker, township_cadre):
    from monitoring.services.alerts import self_report_record

    alert = self_report_record(
        actor=village_worker, household_id=household.pk, report="孩子住院花了三万元"
    )
    page = _page(township_cadre, household)
    assert "农户自主申报" in page or "自主申报" in page
    # The household's own words stay on the warning's page.
    assert "孩子住院" not in page
    assert (
        "孩子住院"
        in client_for(township_cadre).get(reverse("alert-detail", args=[alert.pk])).content.decode()
    )
    # Health stays hidden as before: the head's illness, ID and phone.
    assert "高血压" not in page and "13893001234" not in page


def test_every_kind_appears_on_the_timeline_newest_first(
    full_story, township_cadre, county_officer, clock
):
    household = full_story
    page = _page(county_officer, household)
    timeline = _timeline(page)
    visit_row = household.visits.get()
    case = household.cases.get()
    measure = case.measures.get()
    alert = household.alerts.get()
    for url in (
        reverse("visit-detail", args=[visit_row.pk]),
        reverse("alert-detail", args=[alert.pk]),
        reverse("case-detail", args=[case.pk]),
        reverse("measure-detail", args=[measure.pk]),
    ):
        assert url in timeline, url
    assert "送化肥" in timeline and "7,600.00 元" in timeline
    assert "电话了解用药负担" in timeline  # the contact, for those who read the log
    assert "登记入户" in timeline  # a life event
    assert "家庭成员 张建国" in timeline  # a change people made to the registry
    # One entry per visit, with its per-capita income.
    assert "2,500.00 元" in timeline
    dates = re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})"', timeline)
    assert dates == sorted(dates, reverse=True)


def test_a_kind_alone_and_the_counts(full_story, township_cadre):
    page = _page(township_cadre, full_story, kind="measure")
    timeline = _timeline(page)
    assert "送化肥" in timeline and "visit-detail" not in timeline
    assert "/visits/" not in timeline
    assert 'href="?kind=measure#timeline" aria-current="true"' in page


def test_the_income_trend_is_drawn_without_script_or_style(warned, village_worker):
    page = _page(village_worker, warned.household)
    figure = page.split('class="hub-trend"', 1)[1].split("</figure>", 1)[0]
    assert figure.count("<rect") == 2
    assert "style=" not in figure and "<script" not in figure
    assert "9,000.00 元" in figure and "2,500.00 元" in figure


def test_trend_bars_scale_to_the_highest_income():
    from households.hub import TrendPoint

    day = datetime.date(2026, 1, 1)
    chart = trend_chart(
        [
            TrendPoint(day, Decimal("100")),
            TrendPoint(day, Decimal("0")),
            TrendPoint(day, Decimal("50")),
        ],
        slot=30,
        height=50,
    )
    assert [bar.height for bar in chart.bars] == [48, 2, 24]
    assert chart.width == 90 and [bar.x for bar in chart.bars] == [3, 33, 63]
    assert chart.bars[-1].latest and not chart.bars[0].latest
    assert chart.change == Decimal("-0.5") and not chart.rising
    assert trend_chart([TrendPoint(day, Decimal("1"))]) is None


def test_the_buttons_follow_the_role_and_the_state(
    household, village_worker, township_cadre, auditor, api_client_user, clock
):
    # No case, no cadre: a worker records a visit or a self-report, or proposes a case.
    assert _actions(_page(village_worker, household)) == {"visit", "self_report", "propose_case"}
    assert _actions(_page(township_cadre, household)) == {"visit", "self_report", "propose_case"}
    # Readers are offered nothing.
    assert _actions(_page(auditor, household)) == set()
    assert _actions(_page(api_client_user, household)) == set()
    # A paired cadre: the contact log takes a contact.
    pairing_services.pairing_assign(
        actor=township_cadre, household_id=household.pk, cadre_id=village_worker.pk
    )
    assert "contact" in _actions(_page(village_worker, household))
    assert reverse("contact-create", args=[household.pk]) in _page(village_worker, household)


def test_a_confirmed_warning_is_proposed_as_the_case(confirmed_alert, township_cadre):
    page = _page(township_cadre, confirmed_alert.household)
    assert f"{reverse('case-propose')}?alert={confirmed_alert.pk}" in page


def test_an_open_case_leaves_only_the_visit(case, village_worker):
    case.household.refresh_from_db()
    assert _actions(_page(village_worker, case.household)) == {"visit"}


def test_an_empty_household_offers_no_visit(household, township_cadre):
    Household.objects.filter(pk=household.pk).update(member_count=0)
    assert _actions(_page(township_cadre, household)) == set()


def test_an_outsider_sees_404_and_a_partner_403(
    full_story, other_township_cadre, other_county_officer, partner
):
    url = reverse("household-detail", args=[full_story.pk])
    for outsider in (other_township_cadre, other_county_officer):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).get(url, {"kind": "measure"}).status_code == 404
    # A partner sees its measures on their own pages, not the household's registry page.
    assert client_for(partner).get(url).status_code == 403


def test_entries_the_viewer_may_not_read_are_left_out(full_story, api_client_user):
    # An API client reads the registry, visits and warnings, but not the contact log.
    timeline = _timeline(_page(api_client_user, full_story))
    assert "电话了解用药负担" not in timeline
    assert "?kind=contact" not in _page(api_client_user, full_story)


def test_the_timeline_is_bounded(household, village_worker, clock, monkeypatch):
    from households import hub

    monkeypatch.setattr(hub, "TIMELINE_LIMIT", 3)
    for days in (40, 30, 20, 10):
        visit(
            village_worker,
            household,
            on=clock.today() - datetime.timedelta(days=days),
            per_person=Decimal("9000"),
        )
    page = _page(village_worker, household)
    assert _timeline(page).count('class="entry ') == 3
    assert 'class="hub-more"' in page
    assert "?kind=visit#timeline" in page


def test_the_hub_is_read_in_a_bounded_number_of_queries(
    full_story, township_cadre, village_worker, clock, django_assert_max_num_queries
):
    client = client_for(township_cadre)
    url = reverse("household-detail", args=[full_story.pk])
    client.get(url)  # sessions, permissions and content types warm

    with django_assert_max_num_queries(40) as before:
        client.get(url)
    # More history of every kind costs no more queries.
    for days in (5, 10, 15, 20, 25):
        visit(
            village_worker,
            full_story,
            on=clock.today() - datetime.timedelta(days=days),
            per_person=Decimal("6000"),
        )
        pairing_services.contact_record(
            actor=village_worker,
            household_id=full_story.pk,
            kind="visit",
            contacted_on=clock.today(),
            summary=f"入户 {days}",
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_every_app_contributes_a_source():
    assert {"visit", "alert", "case", "measure", "contact", "life_event", "registry"} <= set(
        SOURCES
    )
