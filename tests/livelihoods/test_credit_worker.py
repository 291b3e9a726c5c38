"""Through the queue: a real worker turns an overdue loan into exactly one signal, however often
and however many at once the daily sweep is queued."""

import pytest

from livelihoods.models import LoanStatus
from livelihoods.tasks import loans_overdue_sweep
from monitoring.models import Signal, SignalKind
from tests.conftest import committed_db
from tests.livelihoods.credit_helpers import TODAY, make_loan
from tests.workers import wait_for, wait_until_worker_idle

pytestmark = committed_db


@pytest.mark.usefixtures("celery_worker")
def test_the_sweep_queued_twice_raises_one_signal(township_cadre, household):
    loan = make_loan(township_cadre, household, months_back=4)
    for _ in range(3):
        loans_overdue_sweep.delay(TODAY.isoformat())
    wait_for(lambda: Signal.objects.filter(kind=SignalKind.LOAN_OVERDUE).exists(), message="sweep")
    wait_until_worker_idle()
    assert Signal.objects.filter(kind=SignalKind.LOAN_OVERDUE, household=household).count() == 1
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE and loan.overdue_signal is not None
