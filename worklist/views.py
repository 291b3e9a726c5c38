"""The task list page (/tasks/) and what the home page shows of it (dashboards.views.home)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from worklist import selectors
from worklist.forms import TaskFilterForm
from worklist.kinds import KINDS_BY_CODE

# The one thing each field role does most, kept in reach on its home page.
MAIN_ACTIONS = {
    Role.VILLAGE_WORKER: (_("Record a visit"), "visit-create"),
    Role.TOWNSHIP_CADRE: (_("Warning queue"), "alert-queue"),
    Role.COUNTY_OFFICER: (_("Dashboard"), "dashboard"),
}
# How many tasks the home page lists before "all tasks".
HOME_TASKS = 8


def main_action(user) -> tuple[str, str] | None:
    label, name = MAIN_ACTIONS.get(user.role, (None, None))
    return (str(label), reverse(name)) if name else None


def count_tiles(counts: dict[str, dict[str, int]]) -> list[dict]:
    """One tile a kind: its label, its counts and the filtered list it opens."""
    tasks_url = reverse("task-list")
    return [
        {
            "code": code,
            "label": KINDS_BY_CODE[code].label,
            "total": counted["total"],
            "overdue": counted["overdue"],
            # "999+" past the count's cap (selectors.COUNT_CAP)
            "shown_total": selectors.shown_count(counted["total"]),
            "shown_overdue": selectors.shown_count(counted["overdue"]),
            "url": f"{tasks_url}?{urlencode({'kind': code})}",
            "overdue_url": f"{tasks_url}?{urlencode({'kind': code, 'overdue': 1})}",
        }
        for code, counted in counts.items()
    ]


def today_context(user) -> dict:
    """The home page's 今日待办: counts, the first tasks, the role's main action."""
    page = selectors.task_page(user, size=HOME_TASKS)
    return {
        "tiles": count_tiles(page.counts),
        "tasks": page.tasks,
        "task_count": page.count,
        "task_count_label": page.count_label,
        "main_action": main_action(user),
    }


class _Pager:
    """The pager template's links (templates/includes/pager.html) for a numbered task page."""

    def __init__(self, params, number: int, pages: int):
        query = params.copy()
        query.pop("page", None)
        base = query.urlencode()
        self.number = number
        self.paginator = type("Pages", (), {"num_pages": pages})()

        def with_number(n: int) -> str:
            extra = urlencode({"page": n})
            return f"{base}&{extra}" if base else extra

        self.next_query = with_number(number + 1) if number < pages else None
        self.previous_query = with_number(number - 1) if number > 1 else None
        self.first_query = base if number > 1 else None
        self.has_other_pages = pages > 1


def _chip_url(params, **changes) -> str:
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query.setlist(key, [value])
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@login_required
@require_GET
def task_list(request):
    """All the user's tasks, with the kind chips and the overdue toggle of the home tiles."""
    form = TaskFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "worklist/task_list.html",
            {"form": form, "tiles": [], "tasks": [], "page": None},
            status=400,
        )
    filters = form.filters()
    page = selectors.task_page(
        request.user, **filters, number=form.chosen_page(), size=form.chosen_size()
    )
    chosen = set(filters["kinds"] or ())
    tiles = count_tiles(page.counts)
    for tile in tiles:
        tile["chosen"] = tile["code"] in chosen
        tile["chip_url"] = _chip_url(request.GET, kind=None if tile["chosen"] else tile["code"])
    overdue = filters["overdue"] is True
    # The date filter's form keeps the other filters as they are.
    kept = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in ("due_before", "page")
        for value in values
    ]
    return render(
        request,
        "worklist/task_list.html",
        {
            "form": form,
            "tiles": tiles,
            "tasks": page.tasks,
            "count": page.count,
            "count_label": page.count_label,
            "all_url": _chip_url(request.GET, kind=None),
            "no_kind": not chosen,
            "overdue_only": overdue,
            "overdue_url": _chip_url(request.GET, overdue=None if overdue else "1"),
            "due_before": filters["due_before"],
            "kept": kept,
            "without_date_url": _chip_url(request.GET, due_before=None),
            "filtered": any(value not in (None, False) for value in filters.values()),
            "page": _Pager(request.GET, page.number, page.pages),
            "main_action": main_action(request.user),
        },
    )
