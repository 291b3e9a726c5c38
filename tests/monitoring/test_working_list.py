"""The warning queue as a working list: its quick filters (on the page, the API and the Excel
export alike), the county's township-then-village choice, and saved filters (their owner's only)."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import SavedFilter
from accounts.services import SAVED_FILTERS_MAX, saved_filter_save
from households import services as household_services
from monitoring.models import Alert
from monitoring.services import alerts as alert_services
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db


def warning(actor, cadre, village=HOME_VILLAGE, *, days_old=0) -> Alert:
    household = household_services.household_create(
        actor=cadre, village_code=village, poverty_status="lifted_out", poverty_exit_year=2019
    )
    alert = alert_services.self_report_record(
        actor=actor, household_id=household.pk, report="家中老人住院，无力支付"
    )
    if days_old:
        Alert.objects.filter(pk=alert.pk).update(
            opened_at=timezone.now() - datetime.timedelta(days=days_old)
        )
    alert.refresh_from_db()
    return alert


@pytest.fixture
def queue(township_cadre, village_worker):
    """Four warnings: new and unassigned; 20 days old, assigned to the village worker; verified
    (waiting for confirmation) and 40 days old; in the township's other village."""
    fresh = warning(village_worker, township_cadre)
    assigned = warning(village_worker, township_cadre, days_old=20)
    assigned = alert_services.alert_assign(
        actor=township_cadre,
        alert=assigned,
        version=assigned.version,
        assignee_id=village_worker.pk,
    )
    verified = warning(village_worker, township_cadre, days_old=40)
    verified = alert_services.alert_assign(
        actor=township_cadre,
        alert=verified,
        version=verified.version,
        assignee_id=village_worker.pk,
    )
    verified = alert_services.alert_verify(
        actor=village_worker, alert=verified, version=verified.version, result="true"
    )
    elsewhere = warning(township_cadre, township_cadre, OTHER_VILLAGE_SAME_TOWNSHIP)
    return {"fresh": fresh, "assigned": assigned, "verified": verified, "elsewhere": elsewhere}


CASES = [
    ({"unassigned": "1"}, {"fresh", "elsewhere"}),
    ({"to_confirm": "1"}, {"verified"}),
    ({"older_than": "30"}, {"verified"}),
    ({"older_than": "14"}, {"assigned", "verified"}),
    ({"older_than": "14", "unassigned": "1"}, set()),
    ({"region": HOME_TOWNSHIP, "village": OTHER_VILLAGE_SAME_TOWNSHIP}, {"elsewhere"}),
    ({"older_than": "x"}, {"fresh", "assigned", "verified", "elsewhere"}),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[str(q) for q, _ in CASES])
def test_the_quick_filters_list_the_same_warnings_on_the_page_the_api_and_the_export(
    township_cadre, queue, query, expected
):
    page = client_for(township_cadre).get("/alerts/", query)
    assert page.status_code == 200
    on_page = sorted(alert.pk for alert in page.context["page"])
    assert on_page == sorted(queue[name].pk for name in expected)
    api = APIClient()
    api.force_authenticate(township_cadre)
    response = api.get("/api/v1/alerts/", {**query, "active": "1"})
    if query.get("older_than") == "x":  # the API refuses what the page leaves out
        assert response.status_code == 400
    else:
        assert sorted(row["id"] for row in response.json()["results"]) == on_page
    exported = client_for(township_cadre).post(f"/export/alerts.xlsx?{_qs(query)}")
    assert exported.status_code == 200
    assert _exported_numbers(exported, queue) == sorted(
        queue[name].household.number for name in expected
    )


def test_assigned_to_me_is_the_users_own(village_worker, township_cadre, queue):
    page = client_for(village_worker).get("/alerts/", {"mine": "1"})
    assert {alert.pk for alert in page.context["page"]} == {
        queue["assigned"].pk,
        queue["verified"].pk,
    }
    assert not client_for(township_cadre).get("/alerts/", {"mine": "1"}).context["page"]


def _qs(query: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def _exported_numbers(response, queue) -> list[str]:
    """The queue's household numbers found in the workbook's cells."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row}
    return sorted(
        alert.household.number for alert in queue.values() if alert.household.number in cells
    )


def test_the_quick_filters_are_one_tap_chips_that_toggle(township_cadre, queue):
    page = client_for(township_cadre).get(
        "/alerts/", {"unassigned": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = page.content.decode()
    for label in ("分配给我", "未分配", "待确认", "超过 30 天"):
        assert label in html
    chip = next(chip for chip in page.context["chips"] if chip["on"])
    assert chip["href"] == "?"  # tapped again, it is off


def test_a_county_chooses_a_township_then_one_of_its_villages(county_officer, queue):
    county = client_for(county_officer)
    first = county.get("/alerts/")
    assert [t.code for t in first.context["townships"]][:1] and not first.context["villages"]
    chosen = county.get("/alerts/", {"region": HOME_TOWNSHIP})
    villages = {village.code for village in chosen.context["villages"]}
    assert {HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP} <= villages
    assert all(code.startswith(HOME_TOWNSHIP[:9]) for code in villages)


def test_a_township_cadre_chooses_among_its_villages_directly(township_cadre, queue):
    page = client_for(township_cadre).get("/alerts/")
    assert not page.context["townships"]
    assert HOME_VILLAGE in {village.code for village in page.context["villages"]}


# Saved filters ---------------------------------------------------------------------------------


def test_a_user_saves_filters_and_picks_them_again(township_cadre, queue):
    client = client_for(township_cadre)
    saved = client.post(
        "/alerts/filters/", {"name": "久拖未分配", "query": "unassigned=1&older_than=14&page=3"}
    )
    assert saved.status_code == 302
    stored = SavedFilter.objects.get()
    assert (stored.user, stored.list_key, stored.query) == (
        township_cadre,
        "alerts",
        "unassigned=1&older_than=14",
    )
    assert saved["Location"].endswith("?unassigned=1&older_than=14")
    page = client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "久拖未分配" in page.content.decode()


def test_saved_filters_are_seen_and_deleted_by_their_owner_only(
    township_cadre, county_officer, queue
):
    mine = saved_filter_save(
        actor=township_cadre, list_key="alerts", name="我的核查单", query="to_confirm=1"
    )
    other = client_for(county_officer)
    assert "我的核查单" not in other.get("/alerts/").content.decode()
    assert list(other.get("/alerts/").context["saved_filters"]) == []
    assert other.post(f"/alerts/filters/{mine.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    assert client_for(township_cadre).post(f"/alerts/filters/{mine.pk}/delete/").status_code == 302
    assert not SavedFilter.objects.exists()


@pytest.mark.parametrize(
    ("name", "query", "error"),
    [
        ("", "unassigned=1", 'class="field invalid"'),
        ("空的", "page=2", "先选择筛选条件再保存"),
    ],
)
def test_bad_saved_filters_are_refused_with_a_plain_message(
    township_cadre, queue, name, query, error
):
    response = client_for(township_cadre).post(
        "/alerts/filters/", {"name": name, "query": query}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_saving_under_the_same_name_replaces_and_the_number_is_limited(township_cadre):
    from django.core.exceptions import ValidationError

    saved_filter_save(actor=township_cadre, list_key="alerts", name="a", query="mine=1")
    saved_filter_save(actor=township_cadre, list_key="alerts", name="a", query="unassigned=1")
    assert SavedFilter.objects.get().query == "unassigned=1"
    for n in range(1, SAVED_FILTERS_MAX):
        saved_filter_save(actor=township_cadre, list_key="alerts", name=f"f{n}", query="mine=1")
    with pytest.raises(ValidationError):
        saved_filter_save(
            actor=township_cadre, list_key="alerts", name="one too many", query="mine=1"
        )
    assert SavedFilter.objects.count() == SAVED_FILTERS_MAX
