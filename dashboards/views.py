from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from accounts.models import FIELD_STAFF_ROLES
from dashboards import selectors
from worklist.views import today_context


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
    """The first page after login. Field staff open on 今日待办 (what waits for them, the role's
    main action), with their region at a glance below; the others on their region at a glance."""
    context = selectors.home_counts(request.user)
    if request.user.role in FIELD_STAFF_ROLES:
        context["today"] = today_context(request.user)
    return render(request, "dashboards/home.html", context)
