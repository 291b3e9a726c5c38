"""The home page opens on 今日待办 for field staff; /tasks/ lists them all, filtered."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role, User
from households.models import Household
from monitoring.models import Signal
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE, client_for
from worklist.selectors import task_page, tasks_for

pytestmark = pytest.mark.django_db


def make_due(count: int, today: datetime.date) -> None:
    """`count` households of the home village whose visit is due, half of them overdue, and as
    many department signals nobody matched."""
    sender, _ = User.objects.get_or_create(
        username="township_system", defaults={"role": Role.API_CLIENT, "region_id": HOME_TOWNSHIP}
    )
    start = Household.objects.count()
    Household.objects.bulk_create(
        Household(
            number=f"620423100200{start + n:04d}",
            village_id=HOME_VILLAGE,
            poverty_status="ordinary",
            head_name=f"户主{n}",
            next_visit_due=today + datetime.timedelta(days=(n % 10) - 5),
        )
        for n in range(count)
    )
    Signal.objects.bulk_create(
        Signal(
            source="medical_insurance",
            external_id=f"q-{start + n}",
            kind="large_medical_expense",
            id_number_masked="620423********0012",
            occurred_on=today,
            status=Signal.Status.UNMATCHED,
            received_by=sender,
        )
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("village_worker", "录入走访"),
        ("township_cadre", "预警队列"),
        ("county_officer", "统计看板"),
    ],
)
def test_field_staff_open_on_todays_tasks_with_their_main_action(request, role, action, clock):
    user = request.getfixturevalue(role)
    make_due(3, clock.today())
    response = client_for(user).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert "今日待办" in page and action in page
    if role != "county_officer":  # visits are the village's and the township's
        assert "已超期" in page and "户主" in page
        assert "/tasks/?kind=visit_due" in page


def test_partner_and_auditor_homes_stay_as_they_were(partner, auditor):
    for user in (partner, auditor):
        page = client_for(user).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "今日待办" not in page


def test_the_task_list_page_filters_by_kind_and_overdue(township_cadre, clock):
    make_due(6, clock.today())
    client = client_for(township_cadre)
    everything = client.get("/tasks/")
    assert everything.status_code == 200
    assert len(everything.context["tasks"]) == 12
    visits = client.get("/tasks/", {"kind": "visit_due"}).context["tasks"]
    assert {task.kind for task in visits} == {"visit_due"} and len(visits) == 6
    late = client.get("/tasks/", {"kind": "visit_due", "overdue": "1"}).context["tasks"]
    assert late and all(task.overdue for task in late)


def test_the_task_list_page_answers_bad_filters_with_a_message_not_an_error(township_cadre):
    response = client_for(township_cadre).get(
        "/tasks/", {"region": "620421000000", "kind": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_task_list_page_numbers_its_pages(township_cadre, clock):
    make_due(30, clock.today())
    client = client_for(township_cadre)
    first = client.get("/tasks/")
    assert len(first.context["tasks"]) == 50 and first.context["page"].next_query
    second = client.get("/tasks/", {"page": 2})
    assert len(second.context["tasks"]) == 10


def test_the_task_list_page_only_reads(township_cadre):
    assert client_for(township_cadre).post("/tasks/", {"kind": "visit_due"}).status_code == 405


def test_anonymous_is_sent_to_login():
    response = client_for_anonymous().get("/tasks/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def client_for_anonymous():
    from django.test import Client

    return Client()


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured.captured_queries)


def test_the_task_list_takes_the_same_queries_for_3_and_30_rows(township_cadre, clock):
    api = APIClient()
    api.force_authenticate(township_cadre)
    web = client_for(township_cadre)
    make_due(3, clock.today())
    api.get("/api/v1/tasks/"), web.get("/")  # the session and the permissions, read once
    few = (
        _queries(lambda: api.get("/api/v1/tasks/")),
        _queries(lambda: web.get("/tasks/")),
        _queries(lambda: web.get("/")),
        _queries(lambda: tasks_for(township_cadre)),
    )
    make_due(27, clock.today())
    assert len(tasks_for(township_cadre)) == 50  # 60 waiting, one page
    many = (
        _queries(lambda: api.get("/api/v1/tasks/")),
        _queries(lambda: web.get("/tasks/")),
        _queries(lambda: web.get("/")),
        _queries(lambda: tasks_for(township_cadre)),
    )
    assert few == many
    # The user's delegations in force (what they may take besides their role's steps), the
    # planner settings of the task list (worklist.selectors._SETTINGS), then every kind in one
    # UNION ALL; inside the test's transaction, one more puts the settings back.
    assert few[3] == 4
    # For the page: the settings once for both statements (and put back once), the
    # delegations, the counts, the rows (of the kinds counted: no case step waits here, so the
    # delegations are not read again).
    assert _queries(lambda: task_page(township_cadre)) == 5


def test_a_filter_that_finds_nothing_says_so_and_leads_back_to_every_task(village_worker):
    page = client_for(village_worker).get("/tasks/?kind=visit_due&overdue=1").content.decode()
    assert "没有符合筛选条件的待办" in page and 'href="/tasks/"' in page
    assert "暂无待办事项" not in page


def test_the_due_date_filter_has_a_field_that_keeps_the_other_filters(village_worker):
    page = client_for(village_worker).get("/tasks/?kind=visit_due&due_before=2026-03-10")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="due_before" value="2026-03-10"' in html
    assert '<input type="hidden" name="kind" value="visit_due">' in html
    # And the way back to any due date, keeping the kind.
    assert 'href="?kind=visit_due"' in html


def test_a_kind_counted_past_the_cap_shows_a_floor(township_cadre, clock, monkeypatch):
    from worklist import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    make_due(6, clock.today())  # five overdue, one due today
    # The overdue and the not yet overdue are each counted up to the cap.
    assert selectors.task_counts(township_cadre)["visit_due"] == {"total": 5, "overdue": 4}
    response = client_for(township_cadre).get("/tasks/", {"kind": "visit_due"})
    assert response.context["count_label"] == "5+"
    [tile] = [tile for tile in response.context["tiles"] if tile["code"] == "visit_due"]
    assert (tile["shown_total"], tile["shown_overdue"]) == ("3+", "3+")
    assert len(response.context["tasks"]) == 6  # the rows themselves are all listed
    api = APIClient()
    api.force_authenticate(township_cadre)
    data = api.get("/api/v1/tasks/", {"kind": "visit_due", "overdue": "false"}).json()
    assert data["count"] == 1 and len(data["results"]) == 1
