"""tests.conftest.day_held: a module's TODAY, taken at collection, holds through midnight."""

import datetime
import zoneinfo

import time_machine
from django.utils import timezone

from tests.conftest import day_held

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_run_that_crossed_midnight_is_held_on_the_day_it_was_collected():
    collected_on = datetime.date(2026, 12, 5)
    # Three seconds past midnight in Shanghai: the day has moved on since collection.
    with time_machine.travel(datetime.datetime(2026, 12, 6, 0, 0, 3, tzinfo=SHANGHAI)):
        assert timezone.localdate() == datetime.date(2026, 12, 6)
        with day_held(collected_on):
            assert timezone.localdate() == collected_on
        assert timezone.localdate() == datetime.date(2026, 12, 6)


def test_a_run_within_its_day_keeps_the_real_clock():
    before = timezone.now()
    with day_held(timezone.localdate()):
        during = timezone.now()
    # Not moved to noon: the clock is the real one, read a moment later.
    assert datetime.timedelta(0) <= during - before < datetime.timedelta(seconds=5)
