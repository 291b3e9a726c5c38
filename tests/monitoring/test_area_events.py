"""Area events (规模性返贫 screening): from the department's signal to the closure."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import EditConflict
from households import services as household_services
from households.models import Household
from monitoring import scans
from monitoring.models import Alert, AreaEvent, Notification, ScreeningTask, Signal
from monitoring.services import area_events as services
from monitoring.services.signals import SignalItem, signals_receive
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE, OTHER_TOWNSHIP, client_for, committed_db
from tests.idgen import make_id_number
from tests.monitoring.conftest import TODAY

pytestmark = pytest.mark.django_db


def area_signal(external_id: str, *, kind="disaster_area", region=HOME_TOWNSHIP, days_ago=2):
    return SignalItem(
        source="emergency",
        external_id=external_id,
        kind=kind,
        occurred_on=TODAY - datetime.timedelta(days=days_ago),
        region_code=region,
        detail="暴雨洪涝",
    )


@pytest.fixture
def elderly_household(township_cadre):
    """A household of the same village: an old couple, the wife seriously ill."""
    created = household_services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    for name, born, serial, relation, health in (
        ("赵老汉", "19450101", 5, "head", "healthy"),
        ("钱老太", "19480202", 6, "spouse", "serious"),
    ):
        household_services.member_create(
            actor=township_cadre,
            household_id=created.pk,
            name=name,
            id_number=make_id_number("620423", born, serial),
            relation=relation,
            labour="weak",
            education="illiterate",
            health=health,
        )
    return created


def areas_listed() -> int:
    """What the worker does after the batch commits (monitoring.tasks.area_event_list), here in
    the test's transaction: tests/monitoring/test_worker.py runs it through the queue."""
    return services.area_events_list_pending(older_than=datetime.timedelta(0))


def codes_of(household: Household) -> dict[str, str]:
    scans.evaluate_one(household.pk, as_of=TODAY)
    household.refresh_from_db()
    # A visit overdue (the shared household was registered in 2021) is beside the point here.
    return {
        reason["code"]: reason["severity"]
        for reason in household.risk_reasons
        if reason["code"] != "visit_overdue"
    }


def test_an_area_event_from_signal_to_closure(
    api_client_user,
    village_worker,
    township_cadre,
    household,
    elderly_household,
    other_township_household,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    queued = []
    monkeypatch.setattr(
        "core.queueing.enqueue", lambda name, args, queue: queued.append((name, args, queue))
    )
    with django_capture_on_commit_callbacks(execute=True):
        # Three signals of one area in a batch: one event, and its list asked for once.
        results = signals_receive(
            actor=api_client_user,
            items=[area_signal("E1"), area_signal("E1b"), area_signal("E1c", days_ago=3)],
        )
    assert [result.result for result in results] == ["matched"] * 3

    # The batch opens the event and asks a worker for its list; it ranks nobody itself.
    event = AreaEvent.objects.get()
    assert event.listing_requested_at is not None and event.listed_at is None
    assert [task for task in queued if task[0] == "monitoring.tasks.area_event_list"] == [
        ("monitoring.tasks.area_event_list", [event.pk], "celery")
    ]
    assert not ScreeningTask.objects.exists() and not Notification.objects.exists()
    assert services.area_event_list(event.pk) > 0

    # One event on the township, a task per household of the township, the most vulnerable
    # first (no labour, elderly), and the township's cadre told.
    event.refresh_from_db()
    assert event.listing_requested_at is None and event.listed_at is not None
    assert (event.region_id, event.kind, event.status, event.signal_count) == (
        HOME_TOWNSHIP,
        "disaster_area",
        "active",
        3,
    )
    assert event.signal == Signal.objects.get(external_id="E1")
    tasks = list(event.tasks.order_by("rank"))
    assert [task.household_id for task in tasks] == [elderly_household.pk, household.pk]
    assert [task.rank for task in tasks] == [1, 2]
    assert tasks[0].reasons == [{"code": "elderly_or_ill", "value": 2}]
    assert tasks[0].score > tasks[1].score
    assert all(task.status == "pending" for task in tasks)
    assert not ScreeningTask.objects.filter(household=other_township_household).exists()
    notice = Notification.objects.get(user=township_cadre, message_key="area_event")
    assert notice.arguments["count"] == 2 and notice.link.endswith(f"/area-events/{event.pk}/")

    # Nobody is high from the signal alone: a low note each, and no warning.
    assert codes_of(household) == {"affected_area": "low"}
    assert codes_of(elderly_household) == {"affected_area": "low"}
    assert codes_of(other_township_household) == {}
    assert not Alert.objects.exists()

    # A second signal of the same kind on the same area joins the event: no new event, no
    # duplicate task, nobody told twice; the list asked for again finds nobody to add.
    signals_receive(actor=api_client_user, items=[area_signal("E2", days_ago=1)])
    event.refresh_from_db()
    assert AreaEvent.objects.count() == 1 and event.signal_count == 4
    assert event.occurred_on == TODAY - datetime.timedelta(days=1)
    assert event.listing_requested_at is not None
    assert areas_listed() == 1 and services.area_event_list(event.pk) == 0
    assert ScreeningTask.objects.count() == 2
    assert Notification.objects.filter(message_key="area_event").count() == 1

    # The village worker screens: the elderly household affected, the other not.
    elderly_task, other_task = tasks
    services.screening_record(
        actor=village_worker, task=elderly_task, status="affected", version=1, note="房屋受损"
    )
    with pytest.raises(EditConflict):
        services.screening_record(
            actor=village_worker, task=elderly_task, status="not_affected", version=1
        )
    services.screening_record(
        actor=village_worker, task=other_task, status="not_affected", version=1
    )
    elderly_household.refresh_from_db()
    assert elderly_household.evaluation_pending_since is not None  # judged again

    assert codes_of(elderly_household)["department_signal"] == "high"
    assert Alert.objects.get(household=elderly_household).level == "high"
    assert codes_of(household) == {"affected_area": "low"}
    assert not Alert.objects.filter(household=household).exists()

    # A village worker may not close it; the township cadre does, with a note.
    event.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.area_event_close(
            actor=village_worker, event=event, version=event.version, note="x"
        )
    with pytest.raises(ValidationError):
        services.area_event_close(
            actor=township_cadre, event=event, version=event.version, note=" "
        )
    services.area_event_close(
        actor=township_cadre, event=event, version=event.version, note="排查完毕，1户受灾"
    )
    event.refresh_from_db()
    assert (event.status, event.closed_by, event.closure_note) == (
        "closed",
        township_cadre,
        "排查完毕，1户受灾",
    )
    # The note goes with the event; the affected household keeps its reason for the window.
    assert codes_of(household) == {}
    assert codes_of(elderly_household)["department_signal"] == "high"
    # Nothing is screened on a closed event.
    other_task.refresh_from_db()
    with pytest.raises(ValidationError):
        services.screening_record(
            actor=village_worker, task=other_task, status="affected", version=other_task.version
        )


def test_another_kind_on_the_same_area_is_an_event_of_its_own(api_client_user, household):
    signals_receive(
        actor=api_client_user,
        items=[area_signal("K1"), area_signal("K2", kind="price_collapse", region=HOME_VILLAGE)],
    )
    assert areas_listed() == 2
    assert sorted(AreaEvent.objects.values_list("kind", "region_id")) == [
        ("disaster_area", HOME_TOWNSHIP),
        ("price_collapse", HOME_VILLAGE),
    ]
    assert ScreeningTask.objects.filter(household=household).count() == 2


def test_an_event_opened_by_hand_on_an_area_outside_scope_is_refused_and_writes_nothing(
    township_cadre, household, other_township_household
):
    with pytest.raises(ValidationError) as refused:
        services.area_event_open(
            actor=township_cadre,
            region_code=OTHER_TOWNSHIP,
            kind="migrant_work_drop",
            occurred_on=TODAY,
        )
    assert refused.value.message_dict["region_code"] == ["该区域不在您的账号所服务的辖区内。"]
    assert not AreaEvent.objects.exists() and not ScreeningTask.objects.exists()
    # The page says so in Chinese, answers 400 and writes nothing.
    client = client_for(township_cadre)
    response = client.post(
        reverse("area-event-create"),
        {"region_code": OTHER_TOWNSHIP, "kind": "migrant_work_drop", "occurred_on": "2026-06-29"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "该区域不在您的账号所服务的辖区内" in response.content.decode()
    assert not AreaEvent.objects.exists()


def test_an_event_opened_by_hand_ranks_its_area_and_a_second_is_refused(
    township_cadre, village_worker, household
):
    client = client_for(township_cadre)
    body = {"region_code": HOME_VILLAGE, "kind": "migrant_work_drop", "occurred_on": "2026-06-29"}
    response = client.post(reverse("area-event-create"), body)
    event = AreaEvent.objects.get()
    assert response.status_code == 302 and response.url == f"/area-events/{event.pk}/"
    # Until the worker has ranked the area, the page says so and looks again by itself.
    waiting = client.get(response.url).content.decode()
    assert "正在按脆弱程度为本区域的农户排序" in waiting and 'hx-trigger="every 3s"' in waiting
    assert "排序中" in client.get(reverse("area-event-list")).content.decode()
    assert areas_listed() == 1
    assert (event.signal, event.opened_by, event.tasks.count()) == (None, township_cadre, 1)
    ready = client.get(response.url).content.decode()
    assert household.number in ready and 'hx-trigger="every 3s"' not in ready
    again = client.post(reverse("area-event-create"), body)
    assert again.status_code == 400 and AreaEvent.objects.count() == 1
    # A village worker may not open one.
    assert client_for(village_worker).post(reverse("area-event-create"), body).status_code == 403


def test_the_pages_list_show_screen_and_close(
    api_client_user, village_worker, township_cadre, county_officer, household
):
    signals_receive(actor=api_client_user, items=[area_signal("P1")])
    areas_listed()
    event = AreaEvent.objects.get()
    task = event.tasks.get()
    worker = client_for(village_worker)
    listed = worker.get(reverse("area-event-list")).content.decode()
    assert "已排查 0/1 户" in listed and reverse("area-event-detail", args=[event.pk]) in listed
    page = worker.get(reverse("area-event-detail", args=[event.pk]) + "?status=pending")
    assert page.status_code == 200 and household.number in page.content.decode()
    assert reverse("screening-record", args=[task.pk]) in page.content.decode()
    assert reverse("area-event-close", args=[event.pk]) not in page.content.decode()

    response = worker.post(
        reverse("screening-record", args=[task.pk]),
        {"status": "affected", "note": "农田被淹", "version": 1, "back": "pending"},
    )
    assert response.status_code == 302 and response.url.endswith("?status=pending")
    task.refresh_from_db()
    assert (task.status, task.note, task.screened_by) == ("affected", "农田被淹", village_worker)
    # A stale version changes nothing and says why.
    worker.post(
        reverse("screening-record", args=[task.pk]), {"status": "not_affected", "version": 1}
    )
    task.refresh_from_db()
    assert task.status == "affected"

    # The township's tasks and the county's dashboard show the progress.
    assert (
        "已排查 1/1 户"
        in client_for(township_cadre).get(reverse("area-event-list")).content.decode()
    )
    dashboard = client_for(county_officer).get(reverse("dashboard")).content.decode()
    assert reverse("area-event-detail", args=[event.pk]) in dashboard and "1/1" in dashboard

    cadre = client_for(township_cadre)
    refused = cadre.post(reverse("area-event-close", args=[event.pk]), {"version": event.version})
    assert refused.status_code == 400
    closed = cadre.post(
        reverse("area-event-close", args=[event.pk]),
        {"version": event.version, "note": "排查完毕"},
    )
    assert closed.status_code == 302
    event.refresh_from_db()
    assert event.status == "closed"


def test_the_village_worker_finds_the_screening_in_the_task_list(
    api_client_user, village_worker, township_cadre, household
):
    from worklist.selectors import tasks_for

    signals_receive(actor=api_client_user, items=[area_signal("T1")])
    areas_listed()
    event = AreaEvent.objects.get()
    screenings = [t for t in tasks_for(village_worker) if t.kind == "area_screening"]
    assert len(screenings) == 1
    assert screenings[0].url == f"/area-events/{event.pk}/?status=pending"
    assert household.number in screenings[0].subject
    assert not [t for t in tasks_for(township_cadre) if t.kind == "area_screening"]
    task = event.tasks.get()
    services.screening_record(actor=village_worker, task=task, status="not_affected", version=1)
    assert not [t for t in tasks_for(village_worker) if t.kind == "area_screening"]


def test_the_api_lists_events_with_progress_and_screens_and_closes(
    api_client_user, village_worker, township_cadre, other_county_officer, household
):
    signals_receive(actor=api_client_user, items=[area_signal("A1")])
    areas_listed()
    event = AreaEvent.objects.get()
    task = event.tasks.get()
    worker = APIClient()
    worker.force_authenticate(village_worker)
    listed = worker.get("/api/v1/area-events/").json()["results"]
    assert [(e["id"], e["total"], e["screened"], e["affected"]) for e in listed] == [
        (event.pk, 1, 0, 0)
    ]
    tasks = worker.get(f"/api/v1/area-events/{event.pk}/tasks/").json()["results"]
    assert tasks[0]["household_number"] == household.number and tasks[0]["rank"] == 1
    screened = worker.post(
        f"/api/v1/screening-tasks/{task.pk}/screen/",
        {"screening": "affected", "version": 1},
        format="json",
    )
    assert screened.status_code == 200 and screened.json()["status"] == "affected"
    bad = worker.post(
        f"/api/v1/screening-tasks/{task.pk}/screen/",
        {"screening": "pending", "version": 2},
        format="json",
    )
    assert bad.status_code == 400
    # A village worker may not close; the township cadre does.
    refused = worker.post(
        f"/api/v1/area-events/{event.pk}/close/", {"note": "x", "version": 1}, format="json"
    )
    assert refused.status_code == 403
    cadre = APIClient()
    cadre.force_authenticate(township_cadre)
    closed = cadre.post(
        f"/api/v1/area-events/{event.pk}/close/",
        {"note": "排查完毕", "version": event.version},
        format="json",
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["affected"] == 1

    # Another county sees nothing of it.
    outsider = APIClient()
    outsider.force_authenticate(other_county_officer)
    assert outsider.get("/api/v1/area-events/").json()["results"] == []
    assert outsider.get(f"/api/v1/area-events/{event.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/area-events/{event.pk}/tasks/").status_code == 404


def test_outsiders_are_refused_on_every_new_url(
    api_client_user, other_township_cadre, partner, household
):
    signals_receive(actor=api_client_user, items=[area_signal("O1")])
    areas_listed()
    event = AreaEvent.objects.get()
    task = event.tasks.get()
    pages = {
        ("GET", reverse("area-event-detail", args=[event.pk])): None,
        ("POST", reverse("area-event-close", args=[event.pk])): {"version": 1, "note": "x"},
        ("POST", reverse("screening-record", args=[task.pk])): {
            "status": "affected",
            "version": 1,
        },
    }
    other = client_for(other_township_cadre)  # a cadre of another township of the county
    for (method, url), body in pages.items():
        response = other.get(url) if method == "GET" else other.post(url, body)
        assert response.status_code == 404, url
    assert household.number not in other.get(reverse("area-event-list")).content.decode()
    outsider = client_for(partner)  # a partner's user has no area events at all
    for url in (reverse("area-event-list"), reverse("area-event-create")):
        assert outsider.get(url).status_code == 403
    api = APIClient()
    api.force_authenticate(other_township_cadre)
    assert api.get(f"/api/v1/area-events/{event.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/screening-tasks/{task.pk}/screen/",
            {"screening": "affected", "version": 1},
            format="json",
        ).status_code
        == 404
    )
    task.refresh_from_db()
    event.refresh_from_db()
    assert (task.status, event.status) == ("pending", "active")


@committed_db
def test_signals_of_one_area_sent_at_once_open_one_event(api_client_user, household):
    """Four batches at once, each a signal of the same kind on the same township: one event,
    which the other three join, and one task per household."""
    errors = []

    def send(external_id):
        try:
            signals_receive(actor=api_client_user, items=[area_signal(external_id)])
        except Exception as error:  # noqa: BLE001 - the assertion below reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(f"C{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    event = AreaEvent.objects.get()
    assert event.signal_count == 4

    # Two workers list it at once: one task per household, the township told once.
    counts = []

    def list_it():
        try:
            counts.append(services.area_event_list(event.pk))
        except Exception as error:  # noqa: BLE001 - the assertion below reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=list_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One makes the list; the other finds it made (0) or steps aside while it is made (None:
    # its task tries again later).
    assert errors == [] and len(counts) == 2 and counts.count(1) == 1
    assert set(counts) - {1} <= {0, None}
    assert list(ScreeningTask.objects.values_list("household_id", flat=True)) == [household.pk]
    assert Notification.objects.filter(message_key="area_event").count() == 1
    event.refresh_from_db()
    assert event.listing_requested_at is None and event.listed_at is not None


def test_the_low_notes_evidence_is_shown_in_words():
    from monitoring.templatetags.monitoring_tags import evidence_items

    evidence = {
        "area_events": [
            {"id": 3, "kind": "price_collapse", "on": "2026-06-20", "screening": "pending"}
        ]
    }
    assert evidence_items(evidence) == [("区域排查", "本地农产品价格暴跌 2026-06-20")]


def test_a_township_may_not_close_an_event_that_covers_more_than_its_region(
    county_officer, township_cadre, household
):
    event = services.area_event_open(
        actor=county_officer,
        region_code="620423000000",
        kind="price_collapse",
        occurred_on=datetime.date(2026, 6, 29),
    )
    areas_listed()
    event.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.area_event_close(
            actor=township_cadre, event=event, version=event.version, note="本镇排查完毕"
        )
    response = client_for(township_cadre).post(
        reverse("area-event-close", args=[event.pk]), {"version": event.version, "note": "本镇"}
    )
    assert response.status_code in (403, 404)
    event.refresh_from_db()
    assert event.status == "active"
    closed = services.area_event_close(
        actor=county_officer, event=event, version=event.version, note="全县排查完毕"
    )
    assert closed.status == "closed"


def test_a_list_asked_for_and_lost_is_made_by_the_sweep_and_a_closed_event_gets_none(
    api_client_user, township_cadre, household
):
    """No task ran (here none is queued: nothing commits; in production the broker was down):
    the request is in the event's row, and the periodic sweep makes the list. An event closed
    before its list was made gets none."""
    signals_receive(
        actor=api_client_user,
        items=[area_signal("L1"), area_signal("L2", kind="price_collapse")],
    )
    disaster, collapse = AreaEvent.objects.order_by("kind")
    services.area_event_close(
        actor=township_cadre, event=collapse, version=collapse.version, note="误报"
    )
    assert areas_listed() == 2
    assert list(disaster.tasks.values_list("household_id", flat=True)) == [household.pk]
    assert not collapse.tasks.exists()
    assert not AreaEvent.objects.filter(listing_requested_at__isnull=False).exists()
    assert areas_listed() == 0
