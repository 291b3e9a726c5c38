"""The outcomes page (/outcomes/): a region's summary and its breakdowns, as the API gives them."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from outcomes import selectors
from outcomes.forms import OutcomesFilterForm


@login_required
@permission_required(selectors.VIEW_OUTCOMES, raise_exception=True)
def outcomes_page(request):
    form = OutcomesFilterForm(request.GET, user=request.user)
    valid = form.is_valid()
    if form.region is None:  # a region outside the user's, or a user without one
        raise Http404
    outcomes = None
    if valid:
        outcomes = selectors.outcomes_get(
            request.user, today=timezone.localdate(), **form.filters()
        )
    query = "".join(
        f"&{name}={form.cleaned_data[name].isoformat()}"
        for name in ("eliminated_from", "eliminated_to")
        if valid and form.cleaned_data.get(name)
    )
    return render(
        request,
        "outcomes/outcomes.html",
        {
            "form": form,
            "region": form.region,
            "outcomes": outcomes,
            "period_query": query,
            "parent_code": form.region.parent_id
            if form.region.parent_id
            and selectors.outcomes_region(user=request.user, code=form.region.parent_id)
            else "",
        },
    )
