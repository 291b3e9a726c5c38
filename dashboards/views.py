from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from accounts.models import Role
from assistance import selectors as assistance_selectors
from assistance.forms import DeclineForm
from assistance.models import NeedStatus
from dashboards import selectors


@login_required
@permission_required("dashboards.view_dashboard", raise_exception=True)
def dashboard(request):
    """The user's region, or a region under it (drill-down by ?region=<code>)."""
    region = selectors.dashboard_region(user=request.user, code=request.GET.get("region"))
    board = selectors.dashboard_get(user=request.user, region=region)
    return render(
        request,
        "dashboards/dashboard.html",
        {"board": board, "print_view": request.GET.get("print") == "1"},
    )


@login_required
def home(request):
    """The first page after login: the user's region at a glance; for a partner's user, the
    referrals to answer, the measures to deliver and the needs board of its area."""
    if request.user.role == Role.PARTNER:
        user = request.user
        return render(
            request,
            "dashboards/partner_home.html",
            {
                "partner": user.partner,
                "referrals": assistance_selectors.referrals_to_answer(user)[:50],
                "to_deliver": assistance_selectors.measures_to_deliver(user)[:50],
                "needs": assistance_selectors.needs_board(user).filter(status=NeedStatus.OPEN)[:50],
                "can_claim": user.has_perm("assistance.claim_need"),
                "decline_form": DeclineForm(),
                "record": assistance_selectors.partner_record(user.partner_id)
                if user.partner_id
                else None,
            },
        )
    return render(request, "dashboards/home.html", selectors.home_counts(request.user))
