"""The household's micro-credit loans on its page (households.hub): one entry a loan, dated the
day it was disbursed, with where it stands (overdue days, repaid), and the button to record a
loan for those who may."""

from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from households.hub import EntryPage, HubAction, HubSource, TimelineEntry, register
from households.models import Household
from livelihoods.models.credit import OPEN_STATUSES, LoanStatus
from livelihoods.selectors.credit import loans_visible_to, with_oldest_unpaid

LOAN = "loan"


def loan_entries(user, household: Household, limit: int) -> EntryPage:
    today = timezone.localdate()
    loans = list(
        with_oldest_unpaid(loans_visible_to(user).filter(household=household))
        .annotate(total=Window(Count("pk")))
        .order_by("-disbursed_on", "-pk")[:limit]
    )
    entries = []
    for loan in loans:
        oldest = getattr(loan, "oldest_unpaid_on", None)  # with_oldest_unpaid's annotation
        late = (
            (today - oldest).days
            if loan.status in OPEN_STATUSES and oldest is not None and oldest < today
            else 0
        )
        if late:
            outcome = _("Overdue %(days)d days") % {"days": late}
            outcome_class = "hub-state hub-state-active"
        else:
            outcome = loan.get_status_display()
            outcome_class = (
                "hub-state hub-state-ok" if loan.status == LoanStatus.REPAID else "hub-state"
            )
        entries.append(
            TimelineEntry(
                kind=LOAN,
                on=loan.disbursed_on,
                at=loan.created_at,
                title=_("Micro-credit from %(lender)s, until %(until)s")
                % {"lender": loan.lender, "until": date_format(loan.matures_on, "DATE_FORMAT")},
                url=reverse("loan-page", args=[loan.pk]),
                outcome=outcome,
                outcome_class=outcome_class,
                amount=loan.principal,
                amount_label=_("Principal"),
            )
        )
    return EntryPage(entries, loans[0].total if loans else 0)


def loan_actions(user, household: Household) -> list[HubAction]:
    if not user.has_perm("livelihoods.add_microloan"):
        return []
    return [
        HubAction(
            key="loan",
            label=_("Record a micro-credit loan"),
            url=reverse("loan-create", args=[household.pk]),
            order=70,
        )
    ]


def register_sources() -> None:
    register(
        HubSource(
            key=LOAN,
            label=pgettext_lazy("household timeline", "Micro-credit"),
            order=70,
            entries=loan_entries,
            actions=loan_actions,
        )
    )
