"""A drafted and an agreed plan for the tests' household (tests/conftest.py: 张建国 and 李秀英 of
the home village), with the clock pinned on Monday 2 March 2026 (tests/assistance/conftest.py)."""

import datetime
from decimal import Decimal

import pytest

from development.services import plans as services
from tests.assistance.conftest import START, clock, visit  # noqa: F401  (fixtures, used by name)

__all__ = ["START", "clock", "visit"]


def draft_plan(household, worker):
    """A draft: one income goal with a commitment on each side, and one health goal."""
    plan = services.plan_create(actor=worker, household_id=household.pk)
    head = household.members.get(relation="head")
    work = services.goal_save(
        actor=worker,
        plan_id=plan.pk,
        version=None,
        area="work",
        description="男主人到县城稳定务工",
        target="每月收入3000元",
        target_date=datetime.date(2026, 12, 31),
        member_id=head.pk,
    )
    services.commitment_save(
        actor=worker,
        plan_id=plan.pk,
        version=None,
        goal_id=work.pk,
        party="household",
        description="参加县里的电焊培训",
        member_id=head.pk,
    )
    services.commitment_save(
        actor=worker,
        plan_id=plan.pk,
        version=None,
        goal_id=work.pk,
        party="assistance",
        description="推荐到工业园区就业",
    )
    services.goal_save(
        actor=worker,
        plan_id=plan.pk,
        version=None,
        area="health",
        description="控制高血压按时服药",
    )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def draft(household, village_worker):
    return draft_plan(household, village_worker)


@pytest.fixture
def agreed(draft, household, township_cadre, clock):
    head = household.members.get(relation="head")
    return services.plan_agree(
        actor=township_cadre,
        plan_id=draft.pk,
        version=draft.version,
        member_id=head.pk,
        method="signature",
        agreed_on=clock.today(),
    )


@pytest.fixture
def later_visit(household, village_worker, clock, agreed):
    """A visit three weeks after the agreement."""
    clock.advance(21)
    return visit(village_worker, household, on=clock.today(), per_person=Decimal("9000"))
