"""The repayment schedule (livelihoods/loan_schedule.py) as a table: no database."""

import datetime
from decimal import Decimal

import pytest

from livelihoods import loan_schedule as ls

D = Decimal


@pytest.mark.parametrize(
    ("principal", "rate", "months", "method", "count", "first_principal", "first_interest"),
    [
        # 50,000 over 36 months monthly at 4.35%: 1388.89 for the first 16, 1388.88 after.
        (D("50000"), D("0.0435"), 36, ls.MONTHLY, 36, D("1388.89"), D("181.25")),
        # 10,000 over 12 months: 833.34 × 4 then 833.33 × 8 (the 4 cents left over go first).
        (D("10000"), D("0.05"), 12, ls.MONTHLY, 12, D("833.34"), D("41.67")),
        # Quarterly over 36 months: 12 instalments of 2500.
        (D("30000"), D("0.04"), 36, ls.QUARTERLY, 12, D("2500.00"), D("300.00")),
        # Quarterly over 10 months: three quarters and a last month.
        (D("10000"), D("0.04"), 10, ls.QUARTERLY, 4, D("2500.00"), D("100.00")),
        # Interest quarterly, principal at maturity.
        (D("20000"), D("0.0435"), 24, ls.AT_MATURITY, 8, D("0.00"), D("217.50")),
        # No interest (fully subsidised rate entered as 0).
        (D("0.05"), D("0"), 3, ls.MONTHLY, 3, D("0.02"), D("0.00")),
    ],
)
def test_schedule_table(principal, rate, months, method, count, first_principal, first_interest):
    lines = ls.schedule(
        principal=principal,
        annual_rate=rate,
        term_months=months,
        disbursed_on=datetime.date(2026, 1, 31),
        method=method,
    )
    assert len(lines) == count
    assert [line.number for line in lines] == list(range(1, count + 1))
    assert lines[0].principal == first_principal
    assert lines[0].interest == first_interest
    # The cents add up exactly to the principal, and each part differs by a cent at most.
    assert sum(line.principal for line in lines) == principal
    if method != ls.AT_MATURITY:
        parts = {line.principal for line in lines}
        assert max(parts) - min(parts) <= D("0.01")
    else:
        assert lines[-1].principal == principal
    # The last instalment falls on the maturity date, and dates only go forward.
    assert lines[-1].due_on == ls.maturity_of(datetime.date(2026, 1, 31), months)
    assert all(a.due_on < b.due_on for a, b in zip(lines, lines[1:], strict=False))


def test_interest_is_on_the_principal_still_owed():
    lines = ls.schedule(
        principal=D("12000"),
        annual_rate=D("0.06"),
        term_months=12,
        disbursed_on=datetime.date(2026, 3, 10),
        method=ls.MONTHLY,
    )
    # 12,000 × 6% / 12 = 60 the first month; 1,000 less each month: 5 less interest.
    assert [line.interest for line in lines[:3]] == [D("60.00"), D("55.00"), D("50.00")]
    assert lines[-1].interest == D("5.00")
    assert lines[0].due_on == datetime.date(2026, 4, 10)


def test_month_ends_are_clamped():
    assert ls.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert ls.add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    assert ls.maturity_of(datetime.date(2026, 5, 15), 36) == datetime.date(2029, 5, 15)


@pytest.mark.parametrize(
    ("principal", "rate", "months", "method"),
    [
        (D("0"), D("0.04"), 12, ls.MONTHLY),
        (D("1000"), D("0.04"), 0, ls.MONTHLY),
        (D("1000"), D("-0.01"), 12, ls.MONTHLY),
        (D("1000"), D("0.04"), 12, "weekly"),
    ],
)
def test_bad_terms_are_refused(principal, rate, months, method):
    with pytest.raises(ValueError):
        ls.schedule(
            principal=principal,
            annual_rate=rate,
            term_months=months,
            disbursed_on=datetime.date(2026, 1, 1),
            method=method,
        )
