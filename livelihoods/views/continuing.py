"""延续性帮扶: what runs on after the case, in the user's region, soonest end first."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from livelihoods.selectors.continuing import running_after_case


@login_required
@permission_required("livelihoods.view_welfarepost", raise_exception=True)
def continuing_list(request):
    today = timezone.localdate()
    return render(
        request,
        "livelihoods/continuing.html",
        {
            "rows": running_after_case(request.user, today),
            "today": today,
            "can_import_work": request.user.has_perm("livelihoods.add_workrecord"),
        },
    )
