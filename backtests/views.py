"""The backtest pages: runs of the user's region, a form to start one, a run's report."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from backtests import selectors, services
from backtests.forms import BacktestForm
from backtests.models import BacktestRun
from backtests.report import report_rows
from core.forms import add_service_errors
from core.replica import reads_from_replica


@login_required
@permission_required("backtests.view_backtestrun", raise_exception=True)
def backtest_list(request):
    form = None
    if request.method == "POST" and not request.user.has_perm("backtests.add_backtestrun"):
        raise PermissionDenied(_("Your role may not do this."))
    if request.user.has_perm("backtests.add_backtestrun"):
        if request.method == "POST":
            form = BacktestForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    run = services.backtest_start(
                        actor=request.user,
                        region_code=data["region"],
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        horizon_months=data["horizon_months"],
                        proposed=data["proposed"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The backtest was started."))
                    return redirect("backtest-detail", pk=run.pk)
        else:
            form = BacktestForm(initial={"region": request.user.region_id or ""})
    # A run's progress may be seconds old: the replica's when one is set (core/replica.py); the
    # browser that just started a run is pinned to the primary and finds it.
    with reads_from_replica():
        runs = list(selectors.runs_visible_to(request.user)[:50])
    # A form sent back with its errors is a refused request: 400, as every other form's.
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(
        request, "backtests/backtest_list.html", {"runs": runs, "form": form}, status=status
    )


@login_required
@permission_required("backtests.view_backtestrun", raise_exception=True)
@reads_from_replica()
def backtest_detail(request, pk: int):
    run: BacktestRun = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    overall = report_rows(run, overall=True)
    return render(
        request,
        "backtests/backtest_detail.html",
        {
            "run": run,
            "overall": overall,
            "groups": [overall, report_rows(run)],
            "proposed_text": json.dumps(run.proposed, ensure_ascii=False, indent=2),
        },
    )


@login_required
@permission_required("backtests.view_backtestrun", raise_exception=True)
def backtest_help(request):
    return render(request, "backtests/backtest_help.html")
