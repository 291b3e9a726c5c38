"""A statement of many rows on a tracked table stays linear (docs/scaling.md, "Bulk writes on
tracked tables"): every connection Django opens sets `pgtrigger.ignore`, so that the trigger
functions' read of it succeeds instead of raising and rolling back a subtransaction a row."""

import pghistory
import pytest
from django.db import connection

from households.models import Household

pytestmark = pytest.mark.django_db


def test_every_connection_sets_an_empty_ignore_list():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pgtrigger.ignore')")
        assert cursor.fetchone()[0] == "{}"


def test_the_history_is_still_written_and_a_tracked_write_ignores_nothing(household):
    events = pghistory.models.Events.objects.filter(pgh_obj_model="households.Household")
    before = events.filter(pgh_obj_id=str(household.pk)).count()
    Household.objects.filter(pk=household.pk).update(address="水源村3社13号")
    assert events.filter(pgh_obj_id=str(household.pk)).count() == before + 1
