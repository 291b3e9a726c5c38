"""A micro-credit loan's repayment schedule, as a pure function of its terms (no database).

Equal principal (等额本金) is the one instalment form: each period repays the same share of the
principal, and the interest of a period is that of the principal still owed during it. It is
what the county banks' 脱贫人口小额信贷 contracts use, and its sums are exact: the principal is
split in cents, the cents left over by the division go to the first instalments (one each), so
the principal parts add up to the principal to the cent. Interest is simple interest on the
outstanding principal, annual rate × months of the period / 12, rounded half up to the cent.

Three repayment methods:
- monthly: equal principal every month;
- quarterly: equal principal every three months;
- at maturity (到期还本, 按季付息): interest every three months, the whole principal at the end.

A term that is not a whole number of quarters ends with a shorter last period.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MONTHLY = "monthly"
QUARTERLY = "quarterly"
AT_MATURITY = "at_maturity"
METHODS = (MONTHLY, QUARTERLY, AT_MATURITY)


@dataclass(frozen=True)
class Line:
    number: int
    due_on: datetime.date
    principal: Decimal
    interest: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day where the month is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def maturity_of(disbursed_on: datetime.date, term_months: int) -> datetime.date:
    return add_months(disbursed_on, term_months)


def _periods(term_months: int, method: str) -> list[int]:
    """The length in months of each period, from the first."""
    step = 1 if method == MONTHLY else 3
    lengths = [step] * (term_months // step)
    if term_months % step:
        lengths.append(term_months % step)
    return lengths


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """`amount` in `parts` shares that differ by at most a cent and add up to it exactly."""
    cents = int((amount / CENT).to_integral_value())
    base, extra = divmod(cents, parts)
    return [(Decimal(base + (1 if index < extra else 0)) * CENT) for index in range(parts)]


def schedule(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    disbursed_on: datetime.date,
    method: str,
    first_number: int = 1,
) -> list[Line]:
    """The instalments of a loan of `principal` yuan over `term_months` from `disbursed_on`.

    `annual_rate` is a fraction (0.0435 for 4.35%). `first_number` numbers the lines (a loan
    extended keeps the numbers of the instalments already scheduled).
    """
    if method not in METHODS:
        raise ValueError(f"unknown repayment method {method!r}")
    if principal <= 0 or term_months <= 0 or annual_rate < 0:
        raise ValueError("principal and term must be positive, the rate not negative")
    lengths = _periods(term_months, method)
    if method == AT_MATURITY:
        principals = [Decimal("0.00")] * (len(lengths) - 1) + [principal.quantize(CENT)]
    else:
        principals = _split(principal, len(lengths))
    lines: list[Line] = []
    owed, months = principal.quantize(CENT), 0
    for index, (length, part) in enumerate(zip(lengths, principals, strict=True)):
        months += length
        interest = (owed * annual_rate * length / 12).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append(Line(first_number + index, add_months(disbursed_on, months), part, interest))
        owed -= part
    return lines
