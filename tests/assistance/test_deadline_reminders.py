"""The daily sweep: the taker reminded the working day before a step is due, the township told
when it falls overdue, the county after the profile's working days more; each once.

A Gansu case proposed on Wednesday 30 September 2026 waits for the household's consent, due
after 2 working days: Friday 9 October (1–7 October off). The reminder goes out on Thursday
8 October; the step is overdue from Saturday 10 October, a make-up working day; the county is
told on the 3rd working day after the first overdue one: Wednesday 14 October.
"""

import datetime

import pytest
from django.test import Client

from assistance.models import NoticeStage, StepNotice
from assistance.services import cases as case_services
from assistance.services.deadlines import deadline_reminders_send
from dashboards.refresh import figures_refresh
from monitoring.models import Notification
from tests.conftest import HOME_TOWNSHIP, client_for, committed_db
from tests.workers import at_once

pytestmark = pytest.mark.django_db

D = datetime.date
OPENED = D(2026, 9, 30)
COUNTS_URL = "/api/v1/cases/overdue-steps/"


@pytest.fixture
def gansu_case(household, township_cadre, clock):
    clock.set(OPENED)
    return case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
    )


def texts(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_the_taker_is_reminded_on_the_working_day_before_once(
    gansu_case, village_worker, township_cadre, county_officer
):
    assert gansu_case.steps.get(kind="consent").due_on == D(2026, 10, 9)
    for day in (OPENED, D(2026, 10, 1), D(2026, 10, 7)):
        assert deadline_reminders_send(as_of=day).stages == []
    sent = deadline_reminders_send(as_of=D(2026, 10, 8))
    assert sent.reminded == 1 and sent.notifications == 1
    [text] = texts(village_worker)
    assert (
        text == "请于 10月9日 当日内完成水源村 6204231002000001 户（户主 张建国）的农户承诺授权。"
    )
    # Nothing of a person's identity or contact: no ID number, no phone.
    assert "1389300" not in text and "620423196" not in text
    assert texts(township_cadre) == [] and texts(county_officer) == []
    notice = StepNotice.objects.get()
    assert (notice.stage, notice.due_on, notice.recipients) == ("reminder", D(2026, 10, 9), 1)

    again = deadline_reminders_send(as_of=D(2026, 10, 8))
    assert again.stages == [] and again.notifications == 0
    assert Notification.objects.count() == 1 and StepNotice.objects.count() == 1


def test_overdue_tells_the_township_and_later_the_county(
    gansu_case, township_cadre, other_township_cadre, county_officer, other_county_officer
):
    deadline_reminders_send(as_of=D(2026, 10, 8))
    assert deadline_reminders_send(as_of=D(2026, 10, 9)).stages == []  # due today: on time
    overdue = deadline_reminders_send(as_of=D(2026, 10, 10))  # the make-up Saturday
    assert (overdue.overdue, overdue.escalated) == (1, 0)
    assert texts(township_cadre) == [
        "已逾期（截止 10月9日）：水源村 6204231002000001 户（户主 张建国）的农户承诺授权。"
        "请督促今日办理。"
    ]
    assert texts(other_township_cadre) == [] and texts(county_officer) == []
    for day in (D(2026, 10, 11), D(2026, 10, 12), D(2026, 10, 13)):
        assert deadline_reminders_send(as_of=day).stages == []
    escalated = deadline_reminders_send(as_of=D(2026, 10, 14))
    assert (escalated.overdue, escalated.escalated) == (0, 1)
    [text] = texts(county_officer)
    assert text.startswith("截止 10月9日 后已逾期 3 个工作日仍未办理：水源村")
    assert texts(other_county_officer) == []
    assert deadline_reminders_send(as_of=D(2026, 10, 15)).stages == []
    assert sorted(StepNotice.objects.values_list("stage", flat=True)) == [
        NoticeStage.ESCALATED,
        NoticeStage.OVERDUE,
        NoticeStage.REMINDER,
    ]


def test_only_the_step_the_case_waits_for_is_chased(gansu_case, village_worker, township_cadre):
    from tests.assistance.conftest import step

    step(village_worker, gansu_case, "consent")
    # The information check (5 working days: 13 October) is now the one waited for.
    sent = deadline_reminders_send(as_of=D(2026, 10, 12))
    assert [stage for _, stage in sent.stages] == ["reminder"]
    assert texts(township_cadre)[0].startswith("请于 10月13日 当日内完成")
    assert texts(village_worker) == []


@committed_db
def test_two_sweeps_at_once_send_once(gansu_case, township_cadre):
    results = at_once(lambda: deadline_reminders_send(as_of=D(2026, 10, 10)), times=2)
    assert not [r for r in results if isinstance(r, Exception)], results
    # Both sweeps find the step overdue; one claims the notice, the other finds it claimed.
    assert sorted(stage for r in results for _, stage in r.stages) == ["overdue"]
    assert StepNotice.objects.count() == 1
    assert len(texts(township_cadre)) == 1


def test_overdue_counts_per_township_and_step_in_the_api(
    gansu_case, county_officer, other_county_officer, partner, clock
):
    clock.set(D(2026, 10, 10))
    response = client_for(county_officer).get(COUNTS_URL)
    assert response.status_code == 200
    assert response.json() == {
        "as_of": "2026-10-10",
        "total": 1,
        "by_township": [{"code": HOME_TOWNSHIP, "name": "一条山镇", "count": 1}],
        "by_step": [{"kind": "consent", "name": "农户承诺授权", "count": 1}],
    }
    # Another county's officer counts their own county: nothing of this one.
    other = client_for(other_county_officer).get(COUNTS_URL).json()
    assert (other["total"], other["by_township"], other["by_step"]) == (0, [], [])


def test_an_outsider_cannot_read_overdue_counts(partner, gansu_case):
    assert client_for(partner).get(COUNTS_URL).status_code == 403
    assert Client().get(COUNTS_URL).status_code in (401, 403)


def test_the_dashboard_counts_overdue_steps_per_township_and_step(
    gansu_case, county_officer, clock
):
    clock.set(D(2026, 10, 10))
    figures_refresh(as_of=D(2026, 10, 10))
    board = client_for(county_officer).get("/dashboard/").context["board"]
    township = next(row for row in board.children.rows if row.link == HOME_TOWNSHIP)
    assert township.values[7] == 1  # the overdue case steps column
    by_step = next(chart for chart in board.charts if chart.slug == "overdue-steps")
    assert [(row.label, row.values) for row in by_step.rows] == [("农户承诺授权", [1])]
