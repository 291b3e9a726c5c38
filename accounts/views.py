from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from households.models import PovertyStatus, RiskLevel
from households.selectors import households_visible_to


@login_required
def home(request):
    """The first page after login: the user's region at a glance."""
    households = households_visible_to(request.user)
    by_status = dict(
        households.values_list("poverty_status")
        .annotate(n=Count("id"))
        .values_list("poverty_status", "n")
    )
    by_risk = dict(
        households.values_list("risk_level").annotate(n=Count("id")).values_list("risk_level", "n")
    )
    context = {
        "status_counts": [
            (label, by_status.get(value, 0)) for value, label in PovertyStatus.choices
        ],
        "risk_counts": [
            (value, label, by_risk.get(value, 0)) for value, label in RiskLevel.choices
        ],
        "total": sum(by_status.values()),
    }
    return render(request, "accounts/home.html", context)


class LogoutClearingSite(auth_views.LogoutView):
    """Logging out also clears what the visit page kept on the phone (docs/offline.md): the
    queue, the household list, the cached page and the service worker. The page's script
    does the same first, for browsers that ignore the header."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
