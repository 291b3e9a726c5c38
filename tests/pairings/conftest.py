import pytest
from django.utils import timezone

from households.models import Household
from tests.conftest import HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP, _user, day_held_fixture

# The day every module here counts from, taken once (tests.conftest.day_held).
TODAY = timezone.localdate()

_day_held = day_held_fixture(TODAY)


@pytest.fixture
def monitored(household):
    Household.objects.filter(pk=household.pk).update(is_monitored=True)
    household.refresh_from_db()
    return household


@pytest.fixture
def second_worker(db):
    from accounts.models import Role

    return _user("second_worker", Role.VILLAGE_WORKER, HOME_VILLAGE)


@pytest.fixture
def neighbour_worker(db):
    """A village worker of another village of the same township: not the household's."""
    from accounts.models import Role

    return _user("neighbour_worker", Role.VILLAGE_WORKER, OTHER_VILLAGE_SAME_TOWNSHIP)
