"""Civil affairs' roster (民政名单) pages: the imports with their figures, one import's three lists
with each line's action. The file is read and the lists exported by spreadsheets/ (its door)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import selectors
from assistance.forms import RosterActionForm
from assistance.models import RosterOutcome, RosterSide
from assistance.services import civil_affairs_roster as roster_services
from core.errors import EditConflict
from core.pagination import numbered_page

PAGE_SIZE = 50
SIDES = (RosterSide.BOTH, RosterSide.THEIRS, RosterSide.OURS)


def _require_view(request) -> None:
    if not request.user.has_perm("assistance.view_civilaffairsroster"):
        raise PermissionDenied


@login_required
def roster_list(request):
    _require_view(request)
    page = numbered_page(request, selectors.rosters_visible_to(request.user), page_size=PAGE_SIZE)
    return render(
        request,
        "assistance/roster_list.html",
        {"page": page, "may_import": roster_services.may_import(request.user)},
    )


@login_required
def roster_detail(request, pk: int):
    _require_view(request)
    roster = selectors.roster_get(user=request.user, pk=pk)
    side = request.GET.get("list", RosterSide.BOTH)
    if side not in RosterSide.values:
        side = RosterSide.BOTH
    page = numbered_page(
        request, selectors.roster_entries(roster=roster, side=side), page_size=PAGE_SIZE
    )
    counts = {
        RosterSide.BOTH: roster.in_both,
        RosterSide.THEIRS: roster.only_theirs,
        RosterSide.OURS: roster.only_ours,
    }
    user = request.user
    may_act = roster_services.may_act(user)
    may_propose = may_act and user.has_perm("assistance.propose_case")
    rows = []
    for entry in page:
        actions = []
        if may_act and entry.outcome == RosterOutcome.OPEN:
            actions.append(("note", _("Note a reason")))
            if entry.household_id and may_propose:
                actions.append(("case", _("Propose a case")))
            if entry.member_id:
                actions.append(("signal", _("Raise a civil affairs signal")))
        rows.append({"entry": entry, "actions": actions})
    return render(
        request,
        "assistance/roster_detail.html",
        {
            "roster": roster,
            "side": side,
            "tabs": [
                {
                    "side": value,
                    "label": RosterSide(value).label,
                    "count": counts[value],
                    "current": value == side,
                }
                for value in SIDES
            ],
            "page": page,
            "rows": rows,
            "may_export": roster_services.may_import(user),
            "may_see_names": user.has_perm("households.view_member"),
        },
    )


@login_required
@require_POST
def roster_entry_act(request, pk: int):
    entry = selectors.roster_entries_visible_to(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    if not roster_services.may_act(request.user):
        raise PermissionDenied
    back = reverse("civil-affairs-roster-detail", args=[entry.roster_id]) + f"?list={entry.side}"
    form = RosterActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(back)
    data = form.cleaned_data
    action = data["action"]
    try:
        arguments = {"actor": request.user, "entry": entry, "version": data["version"]}
        if action == "case":
            roster_services.roster_entry_propose_case(**arguments, note=data["note"])
        elif action == "signal":
            roster_services.roster_entry_signal(**arguments, note=data["note"])
        else:
            roster_services.roster_entry_note(**arguments, note=data["note"])
    except EditConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect(back)
