"""A department's signal about a person nobody in the registry matches: it waits on the county's
and the township's signal desk (their task lists show it) until someone finds the household or
closes it with a reason."""

import datetime

from django.utils import timezone
from stdnum.cn import ric

from accounts.models import User
from monitoring.models import Signal, SignalKind, SignalSource
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
