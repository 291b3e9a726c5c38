"""A case's own copy of its household's village (Case.village), kept by the database: the task
list, the case list and the mentions read a region's cases by it."""

import datetime

import pytest

from assistance.models import Case
from assistance.selectors import cases_visible_to, mentions_waiting, steps_overdue
from households.models import Household
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE

pytestmark = pytest.mark.django_db

LATER = datetime.date(2099, 1, 1)  # every step of the case is overdue by then


def test_a_case_takes_the_village_of_its_household(case):
    case.refresh_from_db()
    assert case.village_id == HOME_VILLAGE == case.household.village_id


def test_a_case_written_in_bulk_takes_its_village_too(case):
    # A load may write cases with bulk_create or in SQL: the trigger fills the copy all the same.
    Case.objects.filter(pk=case.pk).update(village_id=None)
    Case.objects.filter(pk=case.pk).update(household_id=case.household_id)
    assert Case.objects.get(pk=case.pk).village_id == HOME_VILLAGE


def test_a_household_that_moves_takes_its_cases_along(case, township_cadre, other_township_cadre):
    events = Case.pgh_event_model.objects.filter(pgh_obj_id=case.pk).count()
    assert case in cases_visible_to(township_cadre)
    assert steps_overdue(township_cadre, as_of=LATER).filter(case=case).exists()
    Household.objects.filter(pk=case.household_id).update(village_id=OTHER_TOWNSHIP_VILLAGE)
    case.refresh_from_db()
    assert case.village_id == OTHER_TOWNSHIP_VILLAGE
    # The copy is not history: moving writes no event of the case's own.
    assert Case.pgh_event_model.objects.filter(pgh_obj_id=case.pk).count() == events
    assert case not in cases_visible_to(township_cadre)
    assert not steps_overdue(township_cadre, as_of=LATER).filter(case=case).exists()
    assert case in cases_visible_to(other_township_cadre)
    assert steps_overdue(other_township_cadre, as_of=LATER).filter(case=case).exists()
    assert not mentions_waiting(township_cadre).exists()
