"""The household's card (明白卡): one printed page for the household to keep."""

import segno
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.http import AuthenticatedHttpRequest
from development.selectors import card as selectors
from households.selectors import household_get


@login_required
@permission_required("development.view_developmentplan", raise_exception=True)
def household_card(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    card = selectors.household_card(household, timezone.localdate())
    # The village's public page to report a hardship (self_reports), by its URL's name.
    url = request.build_absolute_uri(reverse("public-report", args=[card.village_code]))
    qr = segno.make(url, error="m")
    return render(
        request,
        "development/household_card.html",
        {
            "household": household,
            "card": card,
            "report_url": url,
            "qr_svg": qr.svg_inline(scale=6, border=2, omitsize=True),
            "printed_on": timezone.localdate(),
        },
    )
