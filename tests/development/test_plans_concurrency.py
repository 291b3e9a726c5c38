"""Two people at the same moment: two drafts of one household's plan make one plan, and one
review form sent twice at once (a double tap on a slow network) makes one review."""

import pytest
from django.core.exceptions import ValidationError

from development.models import DevelopmentPlan, PlanReview, ReviewItem
from development.services import plans as services
from tests import workers
from tests.conftest import committed_db

pytestmark = committed_db


def test_two_drafts_of_one_households_plan_at_once_make_one_plan(
    household, village_worker, township_cadre
):
    actors = [village_worker, township_cadre]

    def draft():
        return services.plan_create(actor=actors.pop(), household_id=household.pk)

    results = workers.at_once(draft, times=2)
    plans = [r for r in results if isinstance(r, DevelopmentPlan)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(plans), len(refused)) == (1, 1), results
    assert DevelopmentPlan.objects.filter(household=household).count() == 1


@pytest.mark.usefixtures("clock")
def test_one_review_sent_twice_at_once_is_recorded_once(agreed, later_visit, village_worker):
    ratings = {f"goal-{g.pk}": ("on_track", "") for g in agreed.goals.all()}
    ratings |= {f"commitment-{c.pk}": ("kept", "") for c in agreed.commitments.all()}

    def review():
        return services.plan_review(
            actor=village_worker, plan_id=agreed.pk, visit_id=later_visit.pk, ratings=ratings
        )

    results = workers.at_once(review, times=2)
    assert sorted(created for _review, created in results) == [False, True], results
    assert len({found.pk for found, _created in results}) == 1
    assert PlanReview.objects.count() == 1
    assert ReviewItem.objects.count() == 4
