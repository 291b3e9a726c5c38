"""What livelihoods offers from a measure's page (assistance.measure_links): from a micro-credit
measure, the loans recorded under it and the form to record one with the measure chosen, for
those who may. Each read is the viewer's own selectors'."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assistance.measure_links import MeasureLink, register
from assistance.models import MeasureKind
from households.selectors import households_visible_to
from livelihoods.selectors.credit import loans_visible_to

CREDIT = "livelihoods-credit"


def credit_links(user, measure) -> list[MeasureLink]:
    if measure.kind != MeasureKind.MICRO_CREDIT:
        return []
    links = [
        MeasureLink(
            key=f"loan-{loan.pk}",
            label=_("Loan disbursed on %(day)s")
            % {"day": date_format(loan.disbursed_on, "DATE_FORMAT")},
            url=reverse("loan-page", args=[loan.pk]),
            order=20,
        )
        for loan in loans_visible_to(user).filter(measure=measure).order_by("disbursed_on")[:20]
    ]
    household_id = measure.case.household_id
    if (
        user.has_perm("livelihoods.add_microloan")
        and households_visible_to(user).filter(pk=household_id).exists()
    ):
        url = reverse("loan-create", args=[household_id])
        links.append(
            MeasureLink(
                key="loan-new",
                label=_("Record a loan from this measure"),
                url=f"{url}?{urlencode({'measure': measure.pk})}",
                order=10,
                action=True,
            )
        )
    return links


def register_links() -> None:
    register(CREDIT, credit_links)
