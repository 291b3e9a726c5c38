"""The queue's bulk actions: assign several warnings, or dismiss them with one reason; those
that changed since the list was shown, or may not move, are skipped with the reason, and two
actions at once never lose an update."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Role, User
from monitoring.models import Alert, AlertEvent, AlertStatus
from monitoring.queue_views import COLLEAGUES_MAX, bulk_colleagues
from monitoring.services import alerts as alert_services
from tests.conftest import (
    OTHER_TOWNSHIP,
    OTHER_TOWNSHIP_VILLAGE,
    OTHER_VILLAGE_SAME_TOWNSHIP,
    client_for,
    committed_db,
)
from tests.monitoring.test_working_list import warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(township_cadre, village_worker):
    return [warning(village_worker, township_cadre) for _ in range(3)]


def items(alerts):
    return [(alert.pk, alert.version) for alert in alerts]


def test_bulk_assign_assigns_each_and_records_it(township_cadre, village_worker, three):
    outcome = alert_services.alerts_bulk_assign(
        actor=township_cadre, items=items(three), assignee_id=village_worker.pk
    )
    assert sorted(outcome.done) == sorted(alert.pk for alert in three) and not outcome.skipped
    for alert in Alert.objects.filter(pk__in=outcome.done):
        assert (alert.status, alert.assignee_id, alert.version) == (
            "assigned",
            village_worker.pk,
            2,
        )
    assert AlertEvent.objects.filter(action="assign", data__bulk=True).count() == 3


def test_a_stale_or_closed_warning_is_skipped_with_its_reason(
    township_cadre, village_worker, three
):
    stale, closed, fine = three
    seen = items(three)
    alert_services.alert_assign(
        actor=township_cadre, alert=stale, version=stale.version, assignee_id=village_worker.pk
    )
    alert_services.alert_dismiss(
        actor=township_cadre, alert=closed, version=closed.version, reason="重复预警"
    )
    closed.refresh_from_db()
    seen[1] = (closed.pk, closed.version)  # current version, but dismissed
    outcome = alert_services.alerts_bulk_dismiss(
        actor=township_cadre, items=seen, reason="核实无误"
    )
    assert outcome.done == [fine.pk]
    assert {(alert_id, code) for alert_id, code, _m in outcome.skipped} == {
        (stale.pk, "stale"),
        (closed.pk, "wrong_state"),
    }
    stale.refresh_from_db()
    assert stale.status == "assigned"  # not dismissed over the other cadre's change
    fine.refresh_from_db()
    assert (fine.status, fine.close_note) == ("dismissed", "核实无误")


def test_a_warning_outside_the_region_is_skipped_as_unknown(
    other_township_cadre, three, other_township_household
):
    outcome = alert_services.alerts_bulk_dismiss(
        actor=other_township_cadre, items=items(three), reason="不是我的"
    )
    assert outcome.done == [] and {code for _i, code, _m in outcome.skipped} == {"not_found"}
    assert not Alert.objects.filter(status=AlertStatus.DISMISSED).exists()


def test_a_village_worker_may_not_act_in_bulk_and_a_dismissal_needs_a_reason(
    village_worker, township_cadre, three
):
    with pytest.raises(PermissionDenied):
        alert_services.alerts_bulk_dismiss(actor=village_worker, items=items(three), reason="x y")
    with pytest.raises(ValidationError):
        alert_services.alerts_bulk_dismiss(actor=township_cadre, items=items(three), reason=" ")
    with pytest.raises(ValidationError):
        alert_services.alerts_bulk_assign(
            actor=township_cadre, items=items(three), assignee_id=township_cadre.pk + 999
        )
    assert set(Alert.objects.values_list("status", flat=True)) == {"open"}


@committed_db
def test_two_bulk_actions_at_once_lose_no_update(township_cadre, village_worker, county_officer):
    alerts = [warning(village_worker, township_cadre) for _ in range(4)]
    seen = items(alerts)
    results, errors = {}, []
    barrier = threading.Barrier(2)

    def run(name, call):
        try:
            barrier.wait()
            results[name] = call()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    assign = threading.Thread(
        target=run,
        args=(
            "assign",
            lambda: alert_services.alerts_bulk_assign(
                actor=township_cadre, items=seen, assignee_id=village_worker.pk
            ),
        ),
    )
    dismiss = threading.Thread(
        target=run,
        args=(
            "dismiss",
            lambda: alert_services.alerts_bulk_dismiss(
                actor=county_officer, items=list(reversed(seen)), reason="县里统一核销"
            ),
        ),
    )
    assign.start(), dismiss.start()
    assign.join(), dismiss.join()
    assert not errors
    # Both saw version 1: whichever locked first moved every warning; the other skipped them all.
    first, second = sorted(results.values(), key=lambda outcome: len(outcome.done), reverse=True)
    assert len(first.done) == 4 and second.done == []
    assert {code for _i, code, _m in second.skipped} == {"stale"}
    assert set(Alert.objects.values_list("version", flat=True)) == {2}
    assert AlertEvent.objects.filter(action__in=("assign", "dismiss")).count() == 4


@committed_db
def test_a_bulk_action_and_a_single_one_at_once_lose_no_update(township_cadre, village_worker):
    alerts = [warning(village_worker, township_cadre) for _ in range(3)]
    seen = items(alerts)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def bulk():
        try:
            barrier.wait()
            outcomes.append(
                alert_services.alerts_bulk_dismiss(actor=township_cadre, items=seen, reason="批量")
            )
        finally:
            connection.close()

    def single():
        try:
            barrier.wait()
            alert = Alert.objects.get(pk=alerts[1].pk)
            alert_services.alert_assign(
                actor=township_cadre, alert=alert, version=1, assignee_id=village_worker.pk
            )
            outcomes.append("single")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=bulk), threading.Thread(target=single)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    middle = Alert.objects.get(pk=alerts[1].pk)
    [outcome] = [o for o in outcomes if o != "single"]
    if errors:  # the bulk went first: the single one saw a stale version and was refused
        assert middle.status == "dismissed" and middle.pk in outcome.done
    else:  # the single one went first: the bulk skipped that warning as changed
        assert middle.status == "assigned"
        assert (middle.pk, "stale") in {(i, c) for i, c, _m in outcome.skipped}
    assert middle.version == 2


# The page's action bar and the API ----------------------------------------------------------


def test_the_action_bar_assigns_the_ticked_rows_and_says_what_it_skipped(
    township_cadre, village_worker, three
):
    client = client_for(township_cadre)
    alert_services.alert_dismiss(
        actor=township_cadre, alert=three[2], version=three[2].version, reason="重复"
    )
    response = client.post(
        "/alerts/bulk/",
        {
            "alerts": [f"{a.pk}:{a.version}" for a in three],
            "action": "assign",
            "assignee": village_worker.pk,
            "query": "unassigned=1",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    assert response.redirect_chain[0][0] == "/alerts/?unassigned=1"
    text = response.content.decode()
    assert "已分配 2 条预警" in text and f"#{three[2].pk}" in text
    assert Alert.objects.filter(assignee=village_worker).count() == 2


def test_the_action_bar_refuses_a_dismissal_without_a_reason(township_cadre, three):
    response = client_for(township_cadre).post(
        "/alerts/bulk/",
        {"alerts": [f"{a.pk}:{a.version}" for a in three], "action": "dismiss"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请说明" in page
    assert not Alert.objects.filter(status="dismissed").exists()
    # The rows stay ticked and the bar says why, rather than hiding its error behind no ticks.
    assert 'class="bulk-bar card has-errors"' in page
    for alert in three:
        assert f'value="{alert.pk}:{alert.version}" checked' in page


def many_village_workers(count: int, village: str) -> list[User]:
    """More field staff than the action bar offers, made cheaply (no password hashing)."""
    User.objects.bulk_create(
        User(
            username=f"vw{n:04d}",
            password="!",
            role=Role.VILLAGE_WORKER,
            region_id=village,
            is_active=True,
        )
        for n in range(count)
    )
    return list(User.objects.filter(username__startswith="vw").order_by("username"))


def test_a_colleague_offered_on_a_narrowed_queue_is_accepted_beyond_the_cap(
    county_officer, other_township_cadre
):
    many_village_workers(COLLEAGUES_MAX + 10, OTHER_VILLAGE_SAME_TOWNSHIP)
    far = User.objects.create(
        username="far_worker",
        password="!",
        role=Role.VILLAGE_WORKER,
        region_id=OTHER_TOWNSHIP_VILLAGE,
    )
    county_wide = bulk_colleagues(county_officer)
    assert len(county_wide) == COLLEAGUES_MAX and far not in county_wide
    # Nearest first: the village workers, who are assigned most, come before the cadres.
    assert {u.role for u in county_wide} == {Role.VILLAGE_WORKER}
    assert bulk_colleagues(county_officer, limit=None)[-1].role == Role.COUNTY_OFFICER
    alerts = [warning(far, other_township_cadre, OTHER_TOWNSHIP_VILLAGE) for _ in range(2)]
    client = client_for(county_officer)
    query = f"region={OTHER_TOWNSHIP}&village={OTHER_TOWNSHIP_VILLAGE}"
    page = client.get(f"/alerts/?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    offered = dict(page.context["bulk_form"].fields["assignee"].choices)
    assert far.pk in offered

    response = client.post(
        "/alerts/bulk/",
        {
            "alerts": [f"{a.pk}:{a.version}" for a in alerts],
            "action": "assign",
            "assignee": far.pk,
            "query": query,
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 302, response.context["bulk_form"].errors
    assert Alert.objects.filter(assignee=far).count() == 2


def test_a_refused_colleague_is_said_once_in_plain_words(
    township_cadre, other_township_cadre, three
):
    response = client_for(township_cadre).post(
        "/alerts/bulk/",
        {
            "alerts": [f"{a.pk}:{a.version}" for a in three],
            "action": "assign",
            "assignee": other_township_cadre.pk,  # not a colleague of this township
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    errors = response.context["bulk_form"].errors["assignee"]
    assert len(errors) == 1
    assert str(other_township_cadre.pk) not in errors[0]
    assert "选项" not in errors[0] and "请选择要分配给的同事" not in errors[0]
    assert not Alert.objects.filter(assignee__isnull=False).exists()


def test_the_skipped_warnings_are_summed_up_one_message_per_reason(township_cadre, village_worker):
    alerts = [warning(village_worker, township_cadre) for _ in range(6)]
    seen = [f"{a.pk}:{a.version}" for a in alerts]
    for stale in alerts[:3]:
        alert_services.alert_assign(
            actor=township_cadre, alert=stale, version=stale.version, assignee_id=village_worker.pk
        )
    closed = alerts[3]
    alert_services.alert_dismiss(
        actor=township_cadre, alert=closed, version=closed.version, reason="重复预警"
    )
    closed.refresh_from_db()
    seen[3] = f"{closed.pk}:{closed.version}"
    response = client_for(township_cadre).post(
        "/alerts/bulk/",
        {"alerts": seen, "action": "dismiss", "reason": "核实无误"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    stale_ids = ", ".join(f"#{a.pk}" for a in alerts[:3])
    assert texts == [
        "2 warnings dismissed.",
        f"3 skipped, changed by someone else since the list was shown: {stale_ids}",
        f"1 skipped, not in a state to be dismissed: #{closed.pk}",
    ]


def test_the_api_bulk_actions(township_cadre, village_worker, other_township_cadre, three):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(township_cadre)
    body = {"alerts": [{"id": a.pk, "version": a.version} for a in three]}
    bad = api.post("/api/v1/alerts/bulk-assign/", {"alerts": []}, format="json")
    assert bad.status_code == 400
    assigned = api.post(
        "/api/v1/alerts/bulk-assign/", {**body, "assignee": village_worker.pk}, format="json"
    )
    assert assigned.status_code == 200
    assert sorted(assigned.json()["done"]) == sorted(a.pk for a in three)
    again = api.post("/api/v1/alerts/bulk-dismiss/", {**body, "reason": "核实无误"}, format="json")
    assert again.json()["done"] == []
    assert {row["code"] for row in again.json()["skipped"]} == {"stale"}
    # The outsider: a cadre of another township is told nothing of these warnings.
    outsider = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_authenticate(other_township_cadre)
    fresh = {"alerts": [{"id": a.pk, "version": 2} for a in three], "reason": "不是我的"}
    refused = outsider.post("/api/v1/alerts/bulk-dismiss/", fresh, format="json")
    assert refused.json()["done"] == []
    assert {row["code"] for row in refused.json()["skipped"]} == {"not_found"}
    worker = APIClient()
    worker.force_authenticate(village_worker)
    assert worker.post("/api/v1/alerts/bulk-dismiss/", fresh, format="json").status_code == 403
    assert set(Alert.objects.values_list("status", flat=True)) == {"assigned"}
