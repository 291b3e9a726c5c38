"""Monitoring through the REST door, persona by persona."""

import threading
import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from monitoring.models import Alert, IncomeLine, Notification, RuleConfig, ScanRun, Signal, Visit
from tests.conftest import committed_db
from tests.idgen import make_id_number
from tests.monitoring.conftest import TODAY, poor_figures, visit_figures

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def visit_body(household, **overrides) -> dict:
    figures = visit_figures(**overrides)
    body = {k: str(v) if not isinstance(v, bool) else v for k, v in figures.items()}
    body.update(household=household.pk, client_uuid=str(uuid.uuid4()))
    return body


# Visits -------------------------------------------------------------------------------------


def test_a_village_worker_records_a_visit(village_worker, household):
    response = api(village_worker).post("/api/v1/visits/", visit_body(household), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["per_capita_income"] == "12000.00"
    household.refresh_from_db()
    assert household.last_visit_on == TODAY - __import__("datetime").timedelta(days=1)
    assert household.next_visit_due is not None and household.evaluation_pending_since is not None


def test_a_visit_sent_again_is_the_same_visit(village_worker, household):
    body = visit_body(household)
    first = api(village_worker).post("/api/v1/visits/", body, format="json")
    again = api(village_worker).post("/api/v1/visits/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Visit.objects.count() == 1


def test_an_old_form_sent_again_under_a_stored_visits_id_is_that_visit(
    village_worker, other_township_cadre, household
):
    """The phone kept the form as it was before its fix (a back button's resend): answered with
    the stored visit, not with the old mistake, so nothing waits on the phone."""
    body = visit_body(household)
    stored = api(village_worker).post("/api/v1/visits/", body, format="json").json()
    old = api(village_worker).post(
        "/api/v1/visits/", {**body, "household_size": "0"}, format="json"
    )
    assert old.status_code == 200 and old.json()["id"] == stored["id"]
    assert old.json()["household_size"] == 4
    # Another household's id, or a reader who cannot see the visit: validated as any post.
    elsewhere = api(village_worker).post(
        "/api/v1/visits/", {**body, "household": household.pk + 1000}, format="json"
    )
    assert elsewhere.status_code == 400
    outsider = api(other_township_cadre).post("/api/v1/visits/", body, format="json")
    assert outsider.status_code == 400
    assert Visit.objects.count() == 1


@committed_db
def test_a_visit_posted_five_times_at_once_is_stored_once(village_worker, household):
    body, statuses = visit_body(household), []

    def post():
        try:
            statuses.append(
                api(village_worker).post("/api/v1/visits/", body, format="json").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 200, 201]
    assert Visit.objects.filter(household=household).count() == 1


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"wage_income": "-1"}, "wage_income"),
        ({"household_size": 0}, "household_size"),
        ({"visited_on": "2026-07-01"}, "visited_on"),  # tomorrow
        ({"visited_on": "2020-12-31"}, "visited_on"),  # before the household was registered
        ({"household": 99999999}, "household"),
        ({"food_clothing_ok": "maybe"}, "food_clothing_ok"),
    ],
)
def test_bad_visits_are_refused_on_their_field_and_nothing_is_stored(
    village_worker, household, overrides, attr
):
    body = visit_body(household)
    body.update(overrides)
    response = api(village_worker).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    assert not Visit.objects.exists()


def test_an_event_about_someone_of_another_household_is_refused(
    village_worker, household, other_township_household
):
    stranger = other_township_household.members.get()
    body = visit_body(household)
    body["events"] = [{"kind": "illness", "member": stranger.pk, "occurred_on": "2026-06-01"}]
    response = api(village_worker).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "events"
    assert not Visit.objects.exists()


def test_outsiders_cannot_visit_or_see_visits(
    village_worker, other_township_cadre, partner, household
):
    api(village_worker).post("/api/v1/visits/", visit_body(household), format="json")
    visit = Visit.objects.get()
    outsider = api(other_township_cadre)
    assert outsider.post("/api/v1/visits/", visit_body(household), format="json").status_code == 400
    assert outsider.get("/api/v1/visits/").json()["results"] == []
    assert outsider.get(f"/api/v1/visits/{visit.pk}/").status_code == 404
    assert api(partner).get("/api/v1/visits/").status_code == 403
    assert (
        api(partner).post("/api/v1/visits/", visit_body(household), format="json").status_code
        == 403
    )
    assert api().get("/api/v1/visits/").status_code == 401


# Alerts -------------------------------------------------------------------------------------


@pytest.fixture
def alert(village_worker, household):
    from monitoring import scans
    from tests.monitoring.conftest import record

    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    return Alert.objects.get(household=household)


def test_the_lifecycle_through_the_api(alert, township_cadre, village_worker):
    cadre, worker = api(township_cadre), api(village_worker)
    url = f"/api/v1/alerts/{alert.pk}/"
    body = cadre.get(url).json()
    assert body["reasons"][0]["evidence"]["line"] == "6000.00"
    assigned = cadre.post(
        url + "assign/", {"assignee": village_worker.pk, "version": body["version"]}
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    assert Notification.objects.filter(user=village_worker).exists()
    verified = worker.post(
        url + "verify/",
        {"result": "true", "findings": "入户核实，情况属实", "version": assigned.json()["version"]},
    )
    assert verified.status_code == 200 and verified.json()["status"] == "verifying"
    confirmed = cadre.post(url + "confirm/", {"version": verified.json()["version"]})
    assert confirmed.json()["status"] == "confirmed"
    assert [event["action"] for event in confirmed.json()["timeline"]] == [
        "opened",
        "assign",
        "verify",
        "confirm",
    ]


def test_out_of_order_stale_and_unauthorised_actions_are_refused(
    alert, township_cadre, village_worker
):
    cadre, worker = api(township_cadre), api(village_worker)
    url = f"/api/v1/alerts/{alert.pk}/"
    assert (
        cadre.post(url + "confirm/", {"version": alert.version}).status_code == 400
    )  # not verified yet
    assert (
        worker.post(
            url + "assign/", {"assignee": village_worker.pk, "version": alert.version}
        ).status_code
        == 403
    )
    assert cadre.post(url + "dismiss/", {"version": alert.version}).status_code == 400  # no reason
    assert (
        cadre.post(
            url + "assign/", {"assignee": village_worker.pk, "version": alert.version + 5}
        ).status_code
        == 409
    )
    alert.refresh_from_db()
    assert alert.status == "open"


def test_an_alert_cannot_be_assigned_to_someone_outside_its_region(
    alert, township_cadre, other_township_cadre
):
    response = api(township_cadre).post(
        f"/api/v1/alerts/{alert.pk}/assign/",
        {"assignee": other_township_cadre.pk, "version": alert.version},
    )
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "assignee"


def test_dismissing_needs_a_reason_and_records_it(alert, township_cadre):
    response = api(township_cadre).post(
        f"/api/v1/alerts/{alert.pk}/dismiss/",
        {"reason": "收入核实有误，已更正", "version": alert.version},
    )
    assert response.status_code == 200
    assert (
        response.json()["status"] == "dismissed"
        and response.json()["close_note"] == "收入核实有误，已更正"
    )


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_outsiders_never_see_or_touch_an_alert(request, persona, alert):
    client = api(request.getfixturevalue(persona))
    assert client.get("/api/v1/alerts/").json()["results"] == []
    assert client.get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/alerts/{alert.pk}/dismiss/", {"reason": "不", "version": 1}
        ).status_code
        == 404
    )


def test_a_partner_sees_no_alerts(alert, partner):
    assert api(partner).get("/api/v1/alerts/").status_code == 403
    assert api(partner).get(f"/api/v1/alerts/{alert.pk}/").status_code == 403


def test_the_warning_list_filters_by_reason_and_region(alert, township_cadre):
    client = api(township_cadre)
    assert [
        a["id"]
        for a in client.get("/api/v1/alerts/?reason=income_below_line&active=1").json()["results"]
    ] == [alert.pk]
    assert client.get("/api/v1/alerts/?reason=guarantee_gap").json()["results"] == []
    assert client.get("/api/v1/alerts/?region=620423101").json()["results"] == []
    assert client.get("/api/v1/alerts/?region=x").status_code == 400
    # A NUL byte PostgreSQL cannot compare is no reason at all, not a server error.
    assert client.get("/api/v1/alerts/?reason=%00").status_code == 200


def test_a_self_report_through_the_api(village_worker, household):
    response = api(village_worker).post(
        "/api/v1/self-reports/", {"household": household.pk, "report": "家里遭了冰雹，庄稼绝收"}
    )
    assert response.status_code == 201 and response.json()["source"] == "self_report"
    assert (
        api(village_worker)
        .post("/api/v1/self-reports/", {"household": household.pk, "report": ""})
        .status_code
        == 400
    )


# Department signals -------------------------------------------------------------------------


def signal(external_id, **overrides) -> dict:
    item = {
        "source": "medical_insurance",
        "external_id": external_id,
        "kind": "large_medical_expense",
        "occurred_on": "2026-06-20",
        "amount": "38000.00",
        "detail": "住院自付费用",
    }
    item.update(overrides)
    return item


def test_a_batch_is_answered_item_by_item(api_client_user, household):
    head_id = make_id_number("620423", "19680315", 1)
    stranger = make_id_number("620421", "19800101", 4)
    items = [
        signal("A1", id_number=head_id),
        signal("A2", id_number=stranger),
        signal("A3", id_number=head_id[:-1] + ("0" if head_id[-1] != "0" else "1")),
        signal("A4", id_number=head_id, kind="alien_abduction"),
        signal("A1", id_number=head_id),
    ]
    response = api(api_client_user).post("/api/v1/signals/", {"items": items}, format="json")
    assert response.status_code == 200
    results = [(r["external_id"], r["result"]) for r in response.json()]
    assert results == [
        # A person signal is "received" whether its number is registered or not.
        ("A1", "received"),
        ("A2", "received"),
        ("A3", "invalid"),
        ("A4", "invalid"),
        ("A1", "duplicate"),
    ]
    assert response.json()[2]["errors"]["id_number"]
    again = api(api_client_user).post("/api/v1/signals/", {"items": items[:1]}, format="json")
    assert again.json()[0]["result"] == "duplicate"
    assert Signal.objects.count() == 2
    matched = Signal.objects.get(external_id="A1")
    assert matched.household_id == household.pk and head_id not in str(matched.__dict__)


def test_a_matched_signal_raises_a_warning(api_client_user, household):
    from monitoring import scans

    api(api_client_user).post(
        "/api/v1/signals/",
        {"items": [signal("B1", id_number=make_id_number("620423", "19680315", 1))]},
        format="json",
    )
    scans.evaluate_one(household.pk, as_of=TODAY)
    alert = Alert.objects.get(household=household)
    assert alert.source == "department" and alert.level == "high"


def test_an_area_signal_opens_an_area_event_and_tells_the_township(
    api_client_user, township_cadre, household
):
    """No longer every household high at once: the area's households are screened, and until
    the screening finds one affected it carries a low note only (tests/monitoring/
    test_area_events.py walks the event to its closure)."""
    from monitoring import scans
    from monitoring.models import AreaEvent
    from monitoring.services.area_events import area_event_list

    item = signal(
        "C1", source="emergency", kind="disaster_area", region_code="620423100000", amount=None
    )
    response = api(api_client_user).post("/api/v1/signals/", {"items": [item]}, format="json")
    assert response.json()[0]["result"] == "matched"
    # The event is open at once; its list is the worker's (monitoring.tasks.area_event_list).
    event = AreaEvent.objects.get()
    assert event.listed_at is None and not event.tasks.exists()
    area_event_list(event.pk)
    assert (event.region_id, event.kind, event.tasks.count()) == (
        "620423100000",
        "disaster_area",
        1,
    )
    assert Notification.objects.filter(user=township_cadre, message_key="area_event").exists()
    scans.evaluate_one(household.pk, as_of=TODAY)
    household.refresh_from_db()
    codes = {r["code"]: r["severity"] for r in household.risk_reasons}
    assert codes["affected_area"] == "low" and "department_signal" not in codes
    assert not Alert.objects.filter(household=household).exists()


def test_a_batch_over_the_limit_is_refused_whole(api_client_user):
    items = [
        signal(f"D{n}", id_number=make_id_number("620423", "19800101", 1)) for n in range(1001)
    ]
    response = api(api_client_user).post("/api/v1/signals/", {"items": items}, format="json")
    assert response.status_code == 400
    assert not Signal.objects.exists()


@pytest.mark.parametrize("persona", ["village_worker", "partner"])
def test_only_department_systems_push_signals(request, persona):
    item = signal("E1", id_number=make_id_number("620423", "19800101", 1))
    response = api(request.getfixturevalue(persona)).post(
        "/api/v1/signals/", {"items": [item]}, format="json"
    )
    assert response.status_code == 403


# Income lines, rules and scans --------------------------------------------------------------


def test_a_county_officer_sets_the_county_line_and_a_rescan_starts(county_officer):
    response = api(county_officer).post(
        "/api/v1/income-lines/", {"region": "620423000000", "year": 2026, "amount": "7800.00"}
    )
    assert response.status_code == 201, response.json()
    assert IncomeLine.objects.get(region_id="620423000000", year=2026).amount == 7800
    assert ScanRun.objects.filter(trigger="income_line", scope="620423").exists()


@pytest.mark.parametrize(
    ("persona", "region", "status"),
    [
        ("township_cadre", "620423000000", 403),
        ("county_officer", "620421000000", 400),  # another county
        ("county_officer", None, 400),  # the national floor
        ("county_officer", "620423100000", 400),  # a township
        ("other_county_officer", "620423000000", 400),
    ],
)
def test_lines_are_set_only_by_the_right_officer(request, persona, region, status):
    body = {"region": region, "year": 2026, "amount": "7800.00"}
    response = api(request.getfixturevalue(persona)).post(
        "/api/v1/income-lines/", body, format="json"
    )
    assert response.status_code == status
    assert not IncomeLine.objects.filter(year=2026).exists()


def test_a_county_officer_tunes_a_rule(county_officer):
    client = api(county_officer)
    body = {
        "code": "income_drop",
        "region": "620423000000",
        "severity": "high",
        "weight": 30,
        "params": {"drop": "0.2"},
    }
    assert client.post("/api/v1/rules/", body, format="json").status_code == 201
    assert RuleConfig.objects.get().params == {"drop": "0.2"}
    bad = client.post("/api/v1/rules/", {**body, "params": {"colour": "red"}}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "params"
    assert [rule["code"] for rule in client.get("/api/v1/rules/defaults/").json()][
        0
    ] == "income_below_line"


def test_scans_are_started_by_county_officers_only(
    county_officer, township_cadre, other_county_officer
):
    started = api(county_officer).post("/api/v1/scan-runs/", {}, format="json")
    assert started.status_code == 202 and started.json()["scope"] == "620423"
    assert api(township_cadre).post("/api/v1/scan-runs/", {}, format="json").status_code == 403
    assert (
        api(county_officer)
        .post("/api/v1/scan-runs/", {"region": "620421"}, format="json")
        .status_code
        == 400
    )
    assert api(other_county_officer).get("/api/v1/scan-runs/").json()["results"] == []
