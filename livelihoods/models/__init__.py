"""A household's work, industry support and credit, followed month by month after they start.

One module a subject: work records (`work`); the rest (public-welfare posts, industry support,
micro-credit, prevention insurance) beside it.
"""

from livelihoods.models.credit import (
    InterestPayer,
    LoanInstalment,
    LoanPayment,
    LoanStatus,
    MicroLoan,
    RepaymentMethod,
)
from livelihoods.models.work import (
    IncomeBand,
    Sector,
    WorkPlace,
    WorkRecord,
    WorkSource,
    WorkStatus,
)

__all__ = [
    "InterestPayer",
    "LoanInstalment",
    "LoanPayment",
    "LoanStatus",
    "MicroLoan",
    "RepaymentMethod",
    "IncomeBand",
    "Sector",
    "WorkPlace",
    "WorkRecord",
    "WorkSource",
    "WorkStatus",
]
