"""Everything a person must act on, read from the records (worklist/kinds.py says what waits).

`tasks_for` puts the rows of every kind the user has into one UNION ALL, sorted by due date and
cut to one page: one query whatever the number of tasks. `task_counts` counts each kind, all and
overdue, in one query too. Both are scoped by the selectors each kind reads through.
"""

import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import TextField, Value
from django.utils import timezone

from assistance.selectors import delegations_covering
from households.selectors import under_region, user_covers
from worklist.kinds import COLUMNS, KINDS, KINDS_BY_CODE, WALK, Task, TaskKind, task_of

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


# A kind's count stops here: past it the chips show "999+" and the API says the count is a
# floor. A township's visits due run to tens of thousands at a million households; counting them
# exactly would cost more than the rest of the page, and nobody works a list that deep.
COUNT_CAP = 1000


def shown_count(number: int) -> str:
    """A count as the pages show it: "999+" for one that reached COUNT_CAP."""
    return f"{COUNT_CAP - 1}+" if number >= COUNT_CAP else str(number)


class _CompiledBranches:
    """Each kind's rows as compiled SQL, kept per process (least recently used out).

    Building a kind's queryset and compiling it costs Django a few milliseconds; a task list
    has a dozen kinds and is read on every home page. The key holds everything the SQL is built
    from (the user's id, role, region, partner and permissions, the delegations in force, the
    day, the filters, the time zone), never the rows: the records themselves are read by the
    query each time, so a kept statement is never stale."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._kept: OrderedDict[tuple, tuple[str, tuple] | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], tuple[str, tuple] | None]):
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        compiled = build()
        with self._lock:
            self._kept[key] = compiled
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_BRANCHES = _CompiledBranches()


def _delegated(user, today: datetime.date, kinds) -> tuple[tuple[str, str], ...]:
    """The delegations in force (permission, region), read once, for the kinds that take them."""
    if not any(kind.reads_delegations for kind in kinds):
        return ()
    return tuple(
        delegations_covering(user, today).order_by("pk").values_list("permission", "region_id")
    )


def _branch(
    kind: TaskKind,
    user,
    today: datetime.date,
    delegated: tuple[tuple[str, str], ...],
    *,
    due_before: datetime.date | None,
    region: str | None,
) -> tuple[str, tuple] | None:
    """The kind's rows of the user as (sql, params) with the COLUMNS; None when there are none
    (a scope that sees nothing)."""

    def build() -> tuple[str, tuple] | None:
        if kind.reads_delegations:
            rows = kind.rows(user, today, delegated=delegated)
        else:
            rows = kind.rows(user, today)
        if region:
            rows = under_region(rows, region, path=kind.region_path)
        if due_before is not None:
            rows = rows.filter(t_due__lte=due_before)
        rows = rows.annotate(t_kind=Value(kind.code, output_field=TextField()))
        rows = rows.values(*COLUMNS, WALK)
        try:
            return rows.query.sql_with_params()
        except EmptyResultSet:
            return None

    key = (
        kind.code,
        user.pk,
        user.role,
        user.region_id,
        getattr(user, "partner_id", None),
        user.is_superuser,
        frozenset(user.get_all_permissions()),
        delegated,
        today,
        due_before,
        region,
        timezone.get_current_timezone_name(),
    )
    return _BRANCHES.get(key, build)


def _chosen(user, kinds) -> list[TaskKind]:
    mine = kinds_for(user)
    if not kinds:
        return mine
    wanted = set(kinds)
    return [kind for kind in mine if kind.code in wanted]


# The planner settings of the task list's statements, for their transaction only (set_config's
# is_local). JIT: a UNION of a dozen kinds costs just under jit_above_cost, and one more kind
# or a grown table tips it over into compiling the plan, ~1 s spent to save a few
# milliseconds. Parallel workers: each branch reads a few thousand rows at most, and starting
# a worker costs more than that on a busy two-core server (the county's case steps: 36 ms with
# one worker, 16 ms without, measured under load). Random page cost: the rows a task list
# reads are the hot ones, in memory, and at the default of 4 the planner prefers reading a
# table whole to a few hundred index lookups (the mentions: 7 ms read whole, 3 ms looked up).
# The reports keep the server's settings; a scan's chunk sets two of these for its own
# transaction (monitoring.engine.facts.MANY_HOUSEHOLDS).
_SETTINGS = (("jit", "off"), ("max_parallel_workers_per_gather", "0"), ("random_page_cost", "1.1"))
_SETTLED: ContextVar[bool] = ContextVar("worklist_settled", default=False)


def _set(values: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Set the planner settings for the transaction; the values they had, in one statement
    (read by the materialized CTE before any is set)."""
    names = [name for name, _ in values]
    found = ", ".join(f"current_setting(%s) AS s{i}" for i in range(len(values)))
    found_columns = ", ".join(f"f.s{i}" for i in range(len(values)))
    assignments = ", ".join("set_config(%s, %s, true)" for _ in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH f AS MATERIALIZED (SELECT {found}) SELECT {found_columns}, {assignments} FROM f",
            [*names, *[item for pair in values for item in pair]],
        )
        row = cursor.fetchone()
    return tuple(zip(names, row[: len(values)], strict=True))


@contextmanager
def _short_queries() -> Iterator[None]:
    """Run the block's statements with _SETTINGS (a nested use sets nothing again): in a
    transaction of their own, one statement more; inside the caller's transaction, the values
    found are put back at the end (two statements more), so that the caller's later
    statements are planned as before."""
    if _SETTLED.get():
        yield
        return
    token = _SETTLED.set(True)
    try:
        if connection.in_atomic_block:
            former = _set(_SETTINGS)
            try:
                yield
            finally:
                # Also when the block raised and the caller carries on in its transaction; a
                # transaction the error aborted takes the settings with it when rolled back.
                if not connection.needs_rollback:
                    with suppress(DatabaseError):
                        _set(former)
        else:
            with transaction.atomic():
                _set(_SETTINGS)
                yield
    finally:
        _SETTLED.reset(token)


_SELECTED = ", ".join(f"b.{column}" for column in COLUMNS)


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
    counts: dict[str, dict[str, int]] | None = None,
    delegated: tuple[tuple[str, str], ...] | None = None,
) -> list[Task]:
    """One page of the user's tasks: the overdue first, then by due date.

    `kinds`: codes to keep (all the user's kinds when empty); `overdue`: only overdue (True) or
    only not yet (False); `due_before`: due on or before the day; `region`: a code within the
    user's region (region_in_reach says; an area outside it gives nothing).

    Each kind gives its first `offset + limit` rows by due date (an index walk where the kind
    has one, instead of sorting all of a township's visits; kinds.WALK), and the page is cut
    from those.
    `counts`: task_counts of the same filters, when the caller has them: a kind they found
    nothing of (for the `overdue` asked) is not read again. `delegated`: the user's
    delegations in force, when the caller has read them (_delegated).
    """
    today = today or timezone.localdate()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    chosen = [kind for kind in _chosen(user, kinds) if kind.can_be_late or overdue is not True]
    if counts is not None:
        chosen = [kind for kind in chosen if _may_have_rows(counts.get(kind.code), overdue)]
    if not chosen or (region and not region_in_reach(user, region)):
        return []
    if delegated is None:
        delegated = _delegated(user, today, chosen)
    parts, params = [], []
    for kind in chosen:
        branch = _branch(kind, user, today, delegated, due_before=due_before, region=region)
        if branch is None:
            continue
        sql, branch_params = branch
        late, where = "0", ""
        late_params: tuple[datetime.date, ...] = ()
        where_params: tuple[datetime.date, ...] = ()
        if kind.can_be_late:
            # Within a kind, late means due before today: by due date, the late come first.
            late, late_params = "(b.t_due < %s)::int", (today,)
            if overdue is not None:
                where = "WHERE b.t_due < %s" if overdue else "WHERE b.t_due >= %s"
                where_params = (today,)
        parts.append(
            f"(SELECT {_SELECTED}, {late} AS t_late FROM ({sql}) b {where} "
            f"ORDER BY b.{WALK}, b.t_ref LIMIT %s)"
        )
        params += [*late_params, *branch_params, *where_params, offset + limit]
    if not parts:
        return []
    # The overdue first, the longest overdue leading; then the rest by due date.
    query = (
        f"SELECT * FROM ({' UNION ALL '.join(parts)}) u "
        "ORDER BY t_late DESC, t_due, t_kind, t_ref LIMIT %s OFFSET %s"
    )
    with _short_queries(), connection.cursor() as cursor:
        cursor.execute(query, [*params, limit, offset])
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [task_of(row, today) for row in rows]


def _may_have_rows(counted: dict[str, int] | None, overdue: bool | None) -> bool:
    if counted is None:
        return True
    if overdue is True:
        return counted["overdue"] > 0
    if overdue is False:
        return counted["total"] - counted["overdue"] > 0
    return counted["total"] > 0


def task_counts(
    user,
    *,
    due_before: datetime.date | None = None,
    region: str | None = None,
    today: datetime.date | None = None,
    delegated: tuple[tuple[str, str], ...] | None = None,
) -> dict[str, dict[str, int]]:
    """Per kind of the user: {"total": n, "overdue": m}, every kind in one query (a UNION ALL).
    The overdue and the not yet overdue are each counted up to COUNT_CAP: a kind with either at
    the cap has more than its total (`is_capped`). The kind and overdue filters are left out:
    the counts are what the chips of a filtered list show."""
    today = today or timezone.localdate()
    kinds = kinds_for(user)
    counts = {kind.code: {"total": 0, "overdue": 0} for kind in kinds}
    if not kinds or (region and not region_in_reach(user, region)):
        return counts
    if delegated is None:
        delegated = _delegated(user, today, kinds)
    parts, params = [], []
    # A count that stops at the cap reads at most COUNT_CAP rows, whatever the scale.
    capped = "(SELECT count(*) FROM (SELECT 1 FROM ({sql}) b {where} LIMIT %s) c)"
    for kind in kinds:
        branch = _branch(kind, user, today, delegated, due_before=due_before, region=region)
        if branch is None:
            continue
        sql, branch_params = branch
        if kind.can_be_late:
            # The overdue and the rest counted by one subquery run twice (a LATERAL over the
            # two sides), not by two copies of the kind's SQL: planning the statement cost more
            # than running it (a township at 200,000 households, medians of 12: 11 ms of
            # planning to 8 ms of execution; 7 ms of planning once each kind is planned once).
            # A row without a due date (none should lack one) counts as not yet overdue.
            counted = capped.format(sql=sql, where="WHERE coalesce(b.t_due < %s, false) = s.late")
            parts.append(
                "SELECT %s, max(n) FILTER (WHERE s.late), max(n) FILTER (WHERE NOT s.late) "
                f"FROM (VALUES (true), (false)) s(late) CROSS JOIN LATERAL {counted} k(n)"
            )
            params += [kind.code, *branch_params, today, COUNT_CAP]
        else:
            parts.append(f"SELECT %s, 0, {capped.format(sql=sql, where='')}")
            params += [kind.code, *branch_params, COUNT_CAP]
    if not parts:
        return counts
    with _short_queries(), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for code, late, waiting in cursor.fetchall():
            counts[code] = {"total": late + waiting, "overdue": late}
    return counts


def is_capped(counted: dict[str, int]) -> bool:
    """Whether a kind's count reached COUNT_CAP (its overdue or its not yet overdue)."""
    return counted["overdue"] >= COUNT_CAP or counted["total"] - counted["overdue"] >= COUNT_CAP


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
    count: int  # tasks matching every filter (a floor when `capped`)
    number: int
    pages: int
    tasks: list[Task]
    capped: bool = False  # a kind counted reached COUNT_CAP: there are more than `count`

    @property
    def count_label(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)


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
    rows (and one for the planner settings of both, one for the user's delegations)."""
    today = today or timezone.localdate()
    size = max(1, min(size, MAX_PAGE_SIZE))
    with _short_queries():
        # The delegations in force, read once for the counts and the rows.
        delegated = _delegated(user, today, kinds_for(user))
        counts = task_counts(
            user, due_before=due_before, region=region, today=today, delegated=delegated
        )
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
                counts=counts,
                delegated=delegated,
            )
            if count
            else []
        )
    capped = any(
        is_capped(counted) for code, counted in counts.items() if not kinds or code in kinds
    )
    return TaskPage(
        counts=counts, count=count, number=number, pages=pages, tasks=tasks, capped=capped
    )
