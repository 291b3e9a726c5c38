"""Two life events of the same household at the same moment: the household's row lock makes
them one after the other, so together they cannot do what neither may do alone."""

import threading

from django.core.exceptions import ValidationError

from households import services
from households.models import Household, Member
from tests import workers
from tests.conftest import committed_db

pytestmark = committed_db


def test_two_splits_at_once_never_leave_the_household_empty(township_cadre, household):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    splits = [
        {"member_ids": [spouse.pk], "head_id": spouse.pk},
        {"member_ids": [head.pk], "head_id": head.pk, "new_head_id": spouse.pk},
    ]
    lock = threading.Lock()

    def split():
        with lock:
            arguments = splits.pop()
        return services.household_split(actor=township_cadre, household=household, **arguments)

    results = workers.at_once(split, times=2)
    refused = [result for result in results if isinstance(result, ValidationError)]
    made = [result for result in results if isinstance(result, Household)]
    assert (len(made), len(refused)) == (1, 1), results
    assert "members" in refused[0].message_dict
    active = Member.objects.filter(household=household, status="active")
    assert active.count() == 1
    assert active.get().relation == "head"
    household.refresh_from_db()
    assert household.member_count == 1 and household.head_name
