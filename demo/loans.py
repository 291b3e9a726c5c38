"""The demo county's micro-credit (小额信贷): about one in twenty monitored or formerly poor
households has a loan from the county's banks, of different ages; most are paid on time, some
are repaid, a few are overdue (so the overdue signal and the task list show them), one matures
within the month.

Written through the services, as the township would record them, then the overdue sweep runs.
"""

import datetime
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from households.models import Household, Member
from livelihoods.loan_schedule import add_months
from livelihoods.models import MicroLoan
from livelihoods.selectors import credit as selectors
from livelihoods.services import credit

LENDERS = [
    "景泰县农村商业银行",
    "中国农业银行景泰县支行",
    "甘肃银行景泰支行",
    "中国邮政储蓄银行景泰县支行",
]
SHARE = 20  # one household in SHARE


def _pay_until(actor: User, loan: MicroLoan, until: datetime.date, skip_last: int = 0) -> None:
    """Pay each instalment on its due date up to `until`, leaving the last `skip_last` unpaid."""
    due = [row for row in selectors.live_instalments(loan) if row.due_on <= until]
    for row in due[: len(due) - skip_last] if skip_last else due:
        credit.loan_pay(
            actor=actor,
            loan_id=loan.pk,
            amount=row.amount_due,
            paid_on=row.due_on,
            idempotency_key=f"demo-{loan.pk}-{row.number}",
        )


def seed_loans(users: dict[str, User], seed: int = 20) -> dict[str, int]:
    if MicroLoan.objects.exists():
        return {"loans": MicroLoan.objects.count(), "signals": 0}
    today = timezone.localdate()
    actor = users["county"]
    rng = random.Random(seed)
    households = list(
        Household.objects.filter(Q(is_monitored=True) | Q(poverty_status="lifted_out")).order_by(
            "pk"
        )
    )
    # Two of the village worker's own village first (one maturing, one overdue), so that the
    # worker's task list shows both kinds; then one in SHARE of the rest, at least six.
    village = users["village"].region_id
    own = [household for household in households if household.village_id == village][:2]
    rest = [household for household in households if household not in own]
    chosen = own + rng.sample(rest, k=min(len(rest), max(6, len(rest) // SHARE)))
    loans = 0
    for index, household in enumerate(chosen):
        months_back = rng.choice([2, 5, 9, 14, 20, 26, 30, 35]) if index != 1 else 7
        term = rng.choice([12, 24, 36])
        disbursed_on = add_months(today, -months_back) + datetime.timedelta(days=index % 20)
        if index == 0:  # one matures within the month
            term, disbursed_on = 12, add_months(today, -12) + datetime.timedelta(days=12)
        borrower = (
            Member.objects.filter(
                household=household,
                status=Member.Status.ACTIVE,
                birth_date__lte=add_months(disbursed_on, -12 * 19),
                birth_date__gte=add_months(disbursed_on, -12 * 64),
            )
            .order_by("relation", "pk")
            .first()
        )
        if borrower is None or disbursed_on > today:
            continue
        loan = credit.loan_create(
            actor=actor,
            household_id=household.pk,
            borrower_id=borrower.pk,
            lender=rng.choice(LENDERS),
            principal=Decimal(rng.choice([10000, 20000, 30000, 50000])),
            term_months=term,
            annual_rate=Decimal("4.35"),
            method=rng.choice(["monthly", "quarterly", "at_maturity", "quarterly"]),
            disbursed_on=disbursed_on,
        )
        loans += 1
        # Most pay on time; every third, from the second, is overdue by an instalment or two.
        _pay_until(actor, loan, today, skip_last=(1 + index % 2) if index % 3 == 1 else 0)
    signals = credit.loans_overdue_signal(as_of=today)
    return {"loans": loans, "signals": signals}
