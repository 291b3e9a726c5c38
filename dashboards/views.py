from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from accounts.models import FIELD_STAFF_ROLES, Role
from accounts.selectors import api_tokens_of
from assistance import selectors as assistance_selectors
from assistance.forms import DeclineForm
from assistance.models import NeedStatus
from core.replica import reads_from_replica
from dashboards import selectors
from dashboards.context_processors import nav_items_for
from monitoring import capacity_selectors
from monitoring.selectors import active_area_events
from worklist.views import today_context


@login_required
@permission_required("dashboards.view_dashboard", raise_exception=True)
@reads_from_replica()
def dashboard(request):
    """The user's region, or a region under it (drill-down by ?region=<code>). Its figures are
    counted every few minutes: read from the replica when one is set (core/replica.py)."""
    region = selectors.dashboard_region(user=request.user, code=request.GET.get("region"))
    board = selectors.dashboard_get(user=request.user, region=region, params=request.GET)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "board": board,
            # Counted on this request (a handful of events): who is screened, who is affected.
            "area_events": list(active_area_events(request.user)[:20]),
            "print_view": request.GET.get("print") == "1",
            "period_query": board.period.query,
            "capacity": capacity_context(request.user, region),
        },
    )


def capacity_context(user, region) -> dict:
    """The self-development capacity of the region: each township's (or village's) households
    by band of 20 points on their latest reading, and the monthly mean of the last 6 months."""
    today = timezone.localdate()
    return {
        "bands": [
            f"{low}–{low + capacity_selectors.BAND_WIDTH - 1 if low < 80 else 100}"
            for low in capacity_selectors.BANDS
        ],
        "areas": capacity_selectors.distribution(user, as_of=today, region=region),
        "trend": capacity_selectors.monthly_mean(user, as_of=today, region=region, months=6),
    }


@login_required
def home(request):
    """The first page after login. Field staff open on 今日待办 (what waits for them, the role's
    main action), with their region at a glance below; a partner's user on the referrals to
    answer, the measures to deliver and the needs board of its area; the others on their region
    at a glance."""
    user = request.user
    if user.role == Role.PARTNER:
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
                # Counted on this request: the figures are as of now.
                "snapshot": timezone.now(),
            },
        )
    context = selectors.home_counts(user)
    if user.role in FIELD_STAFF_ROLES:
        context["today"] = today_context(user)
    return render(request, "dashboards/home.html", context)


@login_required
def more(request):
    """The phone's menu button leads here: the role's whole menu, and the account (notifications,
    password, two-factor login, API tokens, language, log out). What a phone's shell leaves out,
    the API's documentation among it, is here."""
    user = request.user
    return render(
        request,
        "dashboards/more.html",
        {
            "menu": nav_items_for(user),
            "has_api_tokens": user.role == Role.API_CLIENT or api_tokens_of(user).exists(),
        },
    )
