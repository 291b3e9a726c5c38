"""Monitoring pages: the visit page on a phone, the visit lists, the alert queue and its actions."""

import pytest

from monitoring import scans
from monitoring.models import Alert, Visit
from tests.conftest import client_for
from tests.monitoring.conftest import TODAY, poor_figures, record

pytestmark = pytest.mark.django_db


def visit_form(client, household, **overrides):
    page = client.get(f"/visits/new/?household={household.pk}")
    figures = {k: str(v) for k, v in poor_figures(visited_on=TODAY).items()}
    figures.update(overrides)
    return {
        "household": household.pk,
        "client_uuid": page.context["form"].initial["client_uuid"],
        "events-TOTAL_FORMS": "2",
        "events-INITIAL_FORMS": "0",
        **figures,
    }


def test_the_visit_page_shows_the_last_visit_for_comparison(village_worker, household):
    record(village_worker, household)
    page = client_for(village_worker).get(f"/visits/new/?household={household.pk}").content.decode()
    assert "30000" in page and "上次" in page
    assert 'inputmode="decimal"' in page


def test_the_household_is_found_by_name_or_number(village_worker, household):
    client = client_for(village_worker)
    assert "张建国" in client.get("/visits/households/?q=张建").content.decode()
    assert "张建国" in client.get(f"/visits/households/?q={household.number[:13]}").content.decode()
    assert "张建国" not in client.get("/visits/households/?q=王").content.decode()


def test_a_visit_is_recorded_once_even_if_the_form_is_sent_twice(village_worker, household):
    client = client_for(village_worker)
    form = visit_form(
        client,
        household,
        **{
            "events-0-kind": "illness",
            "events-0-occurred_on": "2026-06-01",
            "events-0-member": str(household.members.first().pk),
        },
    )
    assert client.post("/visits/new/", form).status_code == 302
    assert client.post("/visits/new/", form).status_code == 302
    assert Visit.objects.count() == 1
    assert Visit.objects.get().events.get().kind == "illness"
    # The saved visit leads back to the day's tasks, where the worker came from.
    saved = client.get(client.post("/visits/new/", form).url).content.decode()
    assert 'href="/"' in saved and "返回今日待办" in saved


def test_bad_figures_are_shown_on_their_fields(village_worker, household):
    client = client_for(village_worker)
    response = client.post(
        "/visits/new/", visit_form(client, household, wage_income="-5", household_size="0")
    )
    content = response.content.decode()
    assert response.status_code == 200 and content.count('class="field invalid"') >= 2
    assert not Visit.objects.exists()


def test_an_event_without_a_date_is_an_error(village_worker, household):
    client = client_for(village_worker)
    response = client.post(
        "/visits/new/", visit_form(client, household, **{"events-0-kind": "illness"})
    )
    assert response.status_code == 200 and not Visit.objects.exists()


def test_the_visit_lists_show_overdue_and_due_households(
    village_worker, household, other_township_household
):
    page = client_for(village_worker).get("/visits/").content.decode()
    assert "张建国" in page and "王富贵" not in page


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_outsiders_get_404_on_visit_and_alert_pages(request, persona, village_worker, household):
    visit = record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    alert = Alert.objects.get()
    client = client_for(request.getfixturevalue(persona))
    for url in [
        f"/visits/{visit.pk}/",
        f"/alerts/{alert.pk}/",
        f"/visits/new/?household={household.pk}",
        f"/households/{household.pk}/self-report/",
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/alerts/{alert.pk}/dismiss/", {"reason": "不", "version": 1}).status_code
        == 404
    )
    assert "张建国" not in client.get("/alerts/").content.decode()


def test_a_partner_has_no_monitoring_pages(partner):
    client = client_for(partner)
    for url in ["/visits/", "/visits/new/", "/alerts/", "/signals/", "/scans/"]:
        assert client.get(url).status_code == 403, url


def test_the_warning_queue_and_the_alert_page_in_chinese(village_worker, township_cadre, household):
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    client = client_for(township_cadre)
    queue = client.get("/alerts/").content.decode()
    assert "收入低于监测线" in queue and "张建国" in queue
    alert = Alert.objects.get()
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "6,000.00 元" in page and "监测线" in page and "分配" in page


def test_a_cadre_works_an_alert_through_the_pages(village_worker, township_cadre, household):
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    alert = Alert.objects.get()
    cadre, worker = client_for(township_cadre), client_for(village_worker)
    assert (
        cadre.post(
            f"/alerts/{alert.pk}/assign/", {"assignee": village_worker.pk, "version": alert.version}
        ).status_code
        == 302
    )
    alert.refresh_from_db()
    assert (
        worker.post(
            f"/alerts/{alert.pk}/verify/", {"result": "true", "version": alert.version}
        ).status_code
        == 302
    )
    alert.refresh_from_db()
    stale = cadre.post(f"/alerts/{alert.pk}/confirm/", {"version": alert.version - 1})
    assert stale.status_code == 400
    assert cadre.post(f"/alerts/{alert.pk}/confirm/", {"version": alert.version}).status_code == 302
    assert Alert.objects.get().status == "confirmed"
    assert "分配给您" in worker.get("/notifications/").content.decode()


def test_a_self_report_through_the_page(village_worker, household):
    client = client_for(village_worker)
    response = client.post(
        f"/households/{household.pk}/self-report/", {"report": "儿子务工受伤，无法工作"}
    )
    assert response.status_code == 302
    assert Alert.objects.get().source == "self_report"


def test_signals_and_scans_pages_for_a_county_officer(county_officer):
    client = client_for(county_officer)
    assert client.get("/signals/").status_code == 200
    assert client.get("/scans/").status_code == 200
    assert client.post("/scans/").status_code == 302


def test_a_township_cadre_cannot_start_a_scan(township_cadre):
    assert client_for(township_cadre).post("/scans/").status_code == 403
