"""A department's signal about a person nobody in the registry matches: it waits on the county's
and the township's signal desk (their task lists show it) until someone finds the household or
closes it with a reason."""

import datetime

from django.utils import timezone
from stdnum.cn import ric

from accounts.models import User
from monitoring.models import ScreeningStatus, ScreeningTask, Signal, SignalKind, SignalSource
from monitoring.services.area_events import screening_record
from monitoring.services.signals import SignalItem, signals_receive

# Born in 景泰县 in 1979; no demo member carries this number (the generator's sequence numbers
# stay below 999).
UNREGISTERED_BODY = "62042319790412999"  # the check digit is added below


def seed_signals(users: dict[str, User]) -> int:
    if Signal.objects.exists():
        return 0
    results = signals_receive(
        actor=users["api"],
        items=[
            SignalItem(
                source=SignalSource.CIVIL_AFFAIRS,
                external_id="MZ-DEMO-0001",
                kind=SignalKind.ASSISTANCE_CANCELLED,
                occurred_on=timezone.localdate() - datetime.timedelta(days=3),
                id_number=UNREGISTERED_BODY + ric.calc_check_digit(UNREGISTERED_BODY + "0"),
                detail="低保停保，户籍信息未在本系统登记",
            )
        ],
    )
    return sum(1 for result in results if result.signal_id)


def seed_area_event(users: dict[str, User]) -> int:
    """A hailstorm reported by the emergency management bureau on the village worker's village:
    an area event whose first three households (by vulnerability) the worker has screened, two
    of them affected. Answers the number of households to screen."""
    if Signal.objects.filter(kind__in=[SignalKind.DISASTER_AREA]).exists():
        return 0
    worker = users["village"]
    signals_receive(
        actor=users["api"],
        items=[
            SignalItem(
                source=SignalSource.EMERGENCY,
                external_id="YJ-DEMO-0001",
                kind=SignalKind.DISASTER_AREA,
                occurred_on=timezone.localdate() - datetime.timedelta(days=5),
                region_code=worker.region_id or "",
                detail="冰雹灾害，玉米、马铃薯大面积受灾",
            )
        ],
    )
    tasks = ScreeningTask.objects.filter(event__region_id=worker.region_id).order_by("rank")
    results = [ScreeningStatus.AFFECTED, ScreeningStatus.NOT_AFFECTED, ScreeningStatus.AFFECTED]
    notes = ["玉米绝收约4亩，家中无其他收入", "地块未受灾", "马铃薯受灾，需补种"]
    for task, status, note in zip(tasks[:3], results, notes, strict=False):
        screening_record(actor=worker, task=task, status=status, version=task.version, note=note)
    return tasks.count()
