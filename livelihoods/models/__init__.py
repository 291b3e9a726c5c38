"""A household's work, industry support and credit, followed month by month after they start.

One module a subject: work records (`work`), public-welfare posts (`posts`), industry support
(`industry`), prevention insurance (`insurance`); micro-credit beside them.
"""

from livelihoods.models.credit import (
    InterestPayer,
    LoanInstalment,
    LoanPayment,
    LoanStatus,
    MicroLoan,
    RepaymentMethod,
)
from livelihoods.models.industry import (
    IndustryPayment,
    IndustrySupport,
    SupportKind,
)
from livelihoods.models.insurance import ClaimCause, ClaimStatus, InsuranceClaim
from livelihoods.models.posts import PostPayment, WelfarePost
from livelihoods.models.work import (
    IncomeBand,
    Sector,
    WorkPlace,
    WorkRecord,
    WorkSource,
    WorkStatus,
)

__all__ = [
    "ClaimCause",
    "ClaimStatus",
    "IncomeBand",
    "IndustryPayment",
    "IndustrySupport",
    "InsuranceClaim",
    "InterestPayer",
    "LoanInstalment",
    "LoanPayment",
    "LoanStatus",
    "MicroLoan",
    "PostPayment",
    "RepaymentMethod",
    "Sector",
    "SupportKind",
    "WelfarePost",
    "WorkPlace",
    "WorkRecord",
    "WorkSource",
    "WorkStatus",
]
