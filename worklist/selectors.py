"""Everything a person must act on, read from the records (worklist/kinds.py says what waits).

`tasks_for` puts the rows of every kind the user has into one UNION ALL, sorted by due date and
cut to one page: one query whatever the number of tasks. `task_counts` counts each kind, all and
overdue, in one query too. Both are scoped by the selectors each kind reads through.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, TextField, Value, When
from django.utils import timezone

from households.selectors import under_region, user_covers
from worklist.kinds import COLUMNS, KINDS, KINDS_BY_CODE, Task, TaskKind, task_of

# The longest page the API and the pages serve.
MAX_PAGE_SIZE = 100


def kinds_for(user) -> list[TaskKind]:
    """The kinds of task that can fall to this user, in the order of KINDS."""
    if user is None or not user.is_authenticated:
        return []
    return [kind for kind in KINDS if kind.is_for(user)]


def region_in_reach(user, region: str) -> bool:
    """Whether a region code (or a code prefix) lies in the user's region: a task list can be
    narrowed to it."""
    return user_covers(user, region)


def _rows(
    kind: TaskKind,
    user,
    today: datetime.date,
    *,
    overdue: bool | None,
    due_before: datetime.date | None,
    region: str | None,
) -> QuerySet:
    rows = kind.rows(user, today)
    if not kind.can_be_late:
        # Never late: "overdue only" leaves it out, "not overdue" keeps it all.
        overdue = None if overdue is False else overdue
        if overdue:
            return rows.none()
    if region:
        rows = under_region(rows, region, path=kind.region_path)
    if due_before is not None:
        rows = rows.filter(t_due__lte=due_before)
    if overdue is True:
        rows = rows.filter(t_due__lt=today)
    elif overdue is False:
        rows = rows.filter(t_due__gte=today)
    return rows


def _late(kind: TaskKind, today: datetime.date) -> Case | Value:
    if not kind.can_be_late:
        return Value(0, output_field=IntegerField())
    return Case(When(t_due__lt=today, then=1), default=0, output_field=IntegerField())


def _chosen(user, kinds) -> list[TaskKind]:
    mine = kinds_for(user)
    if not kinds:
        return mine
    wanted = set(kinds)
    return [kind for kind in mine if kind.code in wanted]


def tasks_for(
    user,
    *,
    kinds=None,
    overdue: bool | None = None,
    due_before: datetime.date | None = None,
    region: str | None = None,
    today: datetime.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """One page of the user's tasks: the overdue first, then by due date.

    `kinds`: codes to keep (all the user's kinds when empty); `overdue`: only overdue (True) or
    only not yet (False); `due_before`: due on or before the day; `region`: a code within the
    user's region (region_in_reach says; an area outside it gives nothing).
    """
    today = today or timezone.localdate()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    chosen = _chosen(user, kinds)
    if region and not region_in_reach(user, region):
        return []
    parts = [
        _rows(kind, user, today, overdue=overdue, due_before=due_before, region=region)
        .annotate(
            t_kind=Value(kind.code, output_field=TextField()),
            t_late=_late(kind, today),
        )
        .values(*COLUMNS, "t_late")
        for kind in chosen
        if kind.can_be_late or overdue is not True
    ]
    if not parts:
        return []
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    # The overdue first, the longest overdue leading; then the rest by due date.
    rows = combined.order_by("-t_late", "t_due", "t_kind", "t_ref")[offset : offset + limit]
    return [task_of(row, today) for row in rows]


def task_counts(
    user,
    *,
    due_before: datetime.date | None = None,
    region: str | None = None,
    today: datetime.date | None = None,
) -> dict[str, dict[str, int]]:
    """Per kind of the user: {"total": n, "overdue": m}, every kind in one query (a UNION ALL of
    one count a kind). The kind and overdue filters are left out: the counts are what the chips
    of a filtered list show."""
    today = today or timezone.localdate()
    kinds = kinds_for(user)
    counts = {kind.code: {"total": 0, "overdue": 0} for kind in kinds}
    if not kinds or (region and not region_in_reach(user, region)):
        return counts
    parts = [
        _rows(kind, user, today, overdue=None, due_before=due_before, region=region)
        .annotate(t_kind=Value(kind.code, output_field=TextField()))
        .values("t_kind")
        .annotate(total=Count("t_ref"), late=Count("t_ref", filter=Q(t_due__lt=today)))
        for kind in kinds
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in combined:
        late = row["late"] if KINDS_BY_CODE[row["t_kind"]].can_be_late else 0
        counts[row["t_kind"]] = {"total": row["total"], "overdue": late}
    return counts


def tasks_matching(counts: dict[str, dict[str, int]], *, kinds=None, overdue=None) -> int:
    """How many tasks a filtered list holds, from the counts (no query of its own)."""
    total = 0
    for code, counted in counts.items():
        if kinds and code not in kinds:
            continue
        if overdue is True:
            total += counted["overdue"]
        elif overdue is False:
            total += counted["total"] - counted["overdue"]
        else:
            total += counted["total"]
    return total


def kind_label(code: str) -> str:
    return str(KINDS_BY_CODE[code].label)


@dataclass(frozen=True)
class TaskPage:
    """One page of a filtered task list with the counts of every kind of the user."""

    counts: dict[str, dict[str, int]]
    count: int  # tasks matching every filter
    number: int
    pages: int
    tasks: list[Task]


def task_page(
    user,
    *,
    kinds=None,
    overdue: bool | None = None,
    due_before: datetime.date | None = None,
    region: str | None = None,
    number: int = 1,
    size: int = 50,
    today: datetime.date | None = None,
) -> TaskPage:
    """What the task list page and the API show: one query for the counts, one for the page's
    rows."""
    today = today or timezone.localdate()
    size = max(1, min(size, MAX_PAGE_SIZE))
    counts = task_counts(user, due_before=due_before, region=region, today=today)
    count = tasks_matching(counts, kinds=kinds, overdue=overdue)
    pages = max(1, -(-count // size))
    number = max(1, min(number, pages))
    tasks = (
        tasks_for(
            user,
            kinds=kinds,
            overdue=overdue,
            due_before=due_before,
            region=region,
            today=today,
            limit=size,
            offset=(number - 1) * size,
        )
        if count
        else []
    )
    return TaskPage(counts=counts, count=count, number=number, pages=pages, tasks=tasks)
