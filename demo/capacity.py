"""The demo county's self-development capacity: the county's own weights, a year of monthly work
records for most working-age members, and readings at each of the last six month-ends (the
gatherer run as the monthly task runs it), so that the household page shows a trend and the
dashboard a distribution and a monthly mean."""

import datetime
import random

from django.utils import timezone

from accounts.models import User
from development.capacity import year_before
from development.services.capacity import measure_all
from households.models import Member
from livelihoods.models import WorkRecord, WorkSource, WorkStatus
from monitoring.engine.capacity import (
    DEFAULT_WEIGHTS,
    WORKING_AGE_FROM,
    WORKING_AGE_TO,
    age_on,
)
from monitoring.models import CapacityReading, CapacityWeights

COUNTY = "620423000000"
# The demo county weighs stable work a little more and credit a little less than the default.
COUNTY_WEIGHTS = {**DEFAULT_WEIGHTS, "work": 30, "credit": 5}
PLACES = ("village", "county", "province", "outside")
MONTHS_MEASURED = 6


def month_ends(today: datetime.date, count: int) -> list[datetime.date]:
    """The last day of each of the `count` months before this one, oldest first."""
    ends, day = [], today.replace(day=1)
    for _ in range(count):
        day -= datetime.timedelta(days=1)
        ends.append(day)
        day = day.replace(day=1)
    return list(reversed(ends))


def seed_capacity(users: dict[str, User], *, seed: int = 20) -> dict[str, int]:
    if CapacityReading.objects.exists():
        return {"readings": CapacityReading.objects.count(), "work_records": 0}
    CapacityWeights.objects.get_or_create(
        region_id=COUNTY, defaults={**COUNTY_WEIGHTS, "note": "demo value"}
    )
    today = timezone.localdate()
    first = year_before(today)
    months = []
    day = first
    while day <= today:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    rng = random.Random(seed)
    records = []
    members = Member.objects.filter(
        household__village__code__startswith=COUNTY[:6], status=Member.Status.ACTIVE
    ).values_list("id", "household_id", "birth_date", "labour")
    for member_id, household_id, birth, labour in members.iterator():
        if not WORKING_AGE_FROM <= age_on(birth, today) <= WORKING_AGE_TO:
            continue
        if rng.random() < 0.25:  # no records: "not recorded" on the page
            continue
        steadiness = {"skilled": 0.9, "ordinary": 0.7, "weak": 0.35}.get(labour, 0.05)
        place = rng.choice(PLACES)
        for month in months:
            working = rng.random() < steadiness
            records.append(
                WorkRecord(
                    household_id=household_id,
                    member_id=member_id,
                    month=month,
                    status=WorkStatus.WORKING if working else WorkStatus.SEEKING,
                    place=place if working else "",
                    source=WorkSource.VISIT,
                    recorded_by=users["village"],
                )
            )
    WorkRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=True)
    for as_of in [*month_ends(today, MONTHS_MEASURED - 1), today]:
        measure_all(as_of=as_of, scope=COUNTY[:6])
    return {"readings": CapacityReading.objects.count(), "work_records": len(records)}
