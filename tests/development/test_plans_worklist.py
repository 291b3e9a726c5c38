"""The task "plan review due": it appears for the village worker and the household's cadre
when the quarterly review comes near, and goes once the plan is reviewed on a visit."""

import datetime
from decimal import Decimal

import pytest

from development.services import plans as services
from tests.development.conftest import visit
from worklist.selectors import tasks_for

pytestmark = pytest.mark.django_db


def plan_tasks(user):
    return [task for task in tasks_for(user) if task.kind == "plan_review_due"]


def test_a_plan_review_falls_due_and_goes_when_reviewed(
    agreed, household, village_worker, township_cadre, other_township_cadre, auditor, clock
):
    assert plan_tasks(village_worker) == []  # three months away
    clock.advance(85)
    [task] = plan_tasks(village_worker)
    assert task.due_on == agreed.next_review_due and not task.overdue
    assert task.url == f"/plans/{agreed.pk}/review/"
    assert "张建国" in task.subject
    clock.advance(10)
    [task] = plan_tasks(village_worker)
    assert task.overdue
    # The township cadre sees it only for the households they are paired with.
    assert plan_tasks(township_cadre) == []
    for outsider in (other_township_cadre, auditor):
        assert plan_tasks(outsider) == []

    on_visit = visit(village_worker, household, on=clock.today(), per_person=Decimal("9000"))
    ratings = {f"goal-{g.pk}": ("on_track", "正常") for g in agreed.goals.all()}
    ratings |= {f"commitment-{c.pk}": ("kept", "") for c in agreed.commitments.all()}
    services.plan_review(
        actor=village_worker, plan_id=agreed.pk, visit_id=on_visit.pk, ratings=ratings
    )
    assert plan_tasks(village_worker) == []
    agreed.refresh_from_db()
    assert agreed.next_review_due > clock.today() + datetime.timedelta(days=80)
