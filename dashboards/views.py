from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

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
    """The first page after login: the user's region at a glance."""
    return render(request, "dashboards/home.html", selectors.home_counts(request.user))
