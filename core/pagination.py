"""Keyset pagination for every list, through the API and on the pages.

A position is the values of every ordering field of one row, and the ordering always ends in the
primary key, so a position names exactly one place in the list: "the rows after (0, 4711)" is
`risk_score = 0 AND id > 4711`, then `risk_score < 0`. However many rows share a score, a walk reads
each row once, and the page 2,000 rows down costs what the first costs.

Why not DRF's CursorPagination as it is: it positions on the first ordering field only and counts
an offset among the rows that tie with it, capped at 1,000, so a list ordered by a score that
thousands of households share repeats rows. Why not django-cursor-pagination (0.3.0): it is a
Django Paginator with its own page object and no DRF integration, and it compares positions as
one SQL row value `(a, b) > (x, y)`, which cannot express a mixed order such as `-risk_score, id`
nor NULLs; we would still write the DRF glue, the cursor checks and the NULL handling ourselves.
So the DRF class is kept (its link building, schema and browsable-API controls) and only the
position and its filter are replaced, here, in one place the pages share.

NULLs sort as PostgreSQL sorts them by default: after every value ascending and before every
value descending (NULL counts as the largest value), which is also what an index on the column
gives, so reversing the order for a "previous" page is exact.
"""

import base64
import binascii
import json
from contextlib import nullcontext
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Field, Model, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from core.replica import api_list_reads, reads_from_replica


class InvalidCursor(ValueError):
    """A cursor that was not made by this list (tampered, truncated, or for another order)."""


@dataclass(frozen=True)
class _Key:
    name: str  # as written in the ordering, without the sign
    attname: str  # the attribute and column the value is read from and compared on
    descending: bool
    nullable: bool
    field: Field


def keyset_ordering(model: type[Model], ordering) -> tuple[str, ...]:
    """The ordering with the primary key as the last, unique tiebreaker.

    The key is added ascending whatever the direction before it: the household list's indexes
    `household_score` (-risk_score, id) and `household_risk_score` (risk_level, -risk_score, id)
    give `-risk_score, id` straight, where `-risk_score, -id` would sort every run of equal
    scores.
    """
    ordering = (ordering,) if isinstance(ordering, str) else tuple(ordering)
    pk = model._meta.pk
    names = [term.lstrip("-") for term in ordering]
    for index, name in enumerate(names):
        if name in ("pk", pk.name, pk.attname):
            return ordering[: index + 1]  # nothing after a unique key changes the order
    return (*ordering, pk.name)


def _keys(model: type[Model], ordering: tuple[str, ...]) -> list[_Key]:
    keys = []
    for term in ordering:
        if not isinstance(term, str) or "__" in term:
            raise ValueError(f"Keyset ordering takes plain field names, not {term!r}")
        name = term.lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if not isinstance(field, Field):  # missing, or a reverse relation: no column of its own
            raise ValueError(f"{model.__name__} has no field {name!r} to order by")
        keys.append(
            _Key(
                name=name,
                attname=field.attname,
                descending=term.startswith("-"),
                nullable=field.null,
                field=field,
            )
        )
    return keys


def _reversed(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(term[1:] if term.startswith("-") else f"-{term}" for term in ordering)


def _beyond(key: _Key, value, descending: bool) -> Q | None:
    """Rows whose `key` comes strictly after `value` in that direction; None for no row."""
    if not descending:  # larger values, then NULLs
        if value is None:
            return None
        beyond = Q(**{f"{key.attname}__gt": value})
        return beyond | Q(**{f"{key.attname}__isnull": True}) if key.nullable else beyond
    if value is None:  # descending: NULLs first, then smaller values
        return Q(**{f"{key.attname}__isnull": False})
    return Q(**{f"{key.attname}__lt": value})


def _equal(key: _Key, value) -> Q:
    if value is None:
        return Q(**{f"{key.attname}__isnull": True})
    return Q(**{key.attname: value})


def keyset_arms(keys: list[_Key], values: list, *, reverse: bool) -> list[Q]:
    """The rows after the position `values` (before it when `reverse`), as filters that follow
    each other in the list's order, the nearest first.

    (a, id) after (x, z) is `a = x AND id > z`, then `a > x`. Each arm is one range of an index
    on (a, id), where the single filter `a > x OR (a = x AND id > z)` is not: PostgreSQL would
    start at `a = x` and discard every row of the tie before `z` one by one (20,000 rows and
    34 ms for a page 2,000 rows into a run of equal scores at 200,000 households).
    """
    arms = []
    for index in reversed(range(len(keys))):
        beyond = _beyond(keys[index], values[index], keys[index].descending != reverse)
        if beyond is None:
            continue
        for earlier, value in zip(keys[:index], values[:index], strict=True):
            beyond &= _equal(earlier, value)
        arms.append(beyond)
    return arms


def _position_of(row, keys: list[_Key]) -> list:
    if isinstance(row, dict):
        return [row.get(key.attname, row.get(key.name)) for key in keys]
    return [getattr(row, key.attname) for key in keys]


def encode_position(ordering: tuple[str, ...], values: list, *, reverse: bool) -> str:
    keys_text = ",".join(ordering)
    payload: dict[str, object] = {
        "o": keys_text,
        "p": [None if v is None else str(v) for v in values],
    }
    if reverse:
        payload["r"] = 1
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_position(keys: list[_Key], ordering: tuple[str, ...], token: str) -> tuple[list, bool]:
    """The position and direction of a cursor, each value checked by its model field."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeError):
        raise InvalidCursor from None
    if (
        not isinstance(payload, dict)
        or payload.get("o") != ",".join(ordering)
        or not isinstance(payload.get("p"), list)
        or len(payload["p"]) != len(keys)
        or payload.get("r", 0) not in (0, 1)
    ):
        raise InvalidCursor
    values: list = []
    for key, value in zip(keys, payload["p"], strict=True):
        if value is None:
            if not key.nullable:
                raise InvalidCursor
            values.append(None)
            continue
        if not isinstance(value, str) or "\x00" in value or len(value) > 200:
            raise InvalidCursor
        try:
            # A `\ud800` escape decodes to a lone surrogate, which no database or page can take.
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidCursor from None
        try:
            values.append(key.field.to_python(value))
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise InvalidCursor from None
    return values, bool(payload.get("r", 0))


@dataclass
class KeysetWindow:
    """One page of a keyset walk: its rows, and the positions its links start from."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def keyset_window(
    queryset: QuerySet, ordering, page_size: int, cursor: str | None
) -> tuple[tuple[str, ...], KeysetWindow]:
    """Read one page of `queryset` in `ordering` (the primary key added) from `cursor`.

    Raises InvalidCursor for a cursor this ordering did not make. One statement: the page and
    one row more, which tells whether a page follows.
    """
    ordering = keyset_ordering(queryset.model, ordering)
    keys = _keys(queryset.model, ordering)
    if cursor is None:
        position, reverse = None, False
    else:
        position, reverse = decode_position(keys, ordering, cursor)
    queryset = queryset.order_by(*(_reversed(ordering) if reverse else ordering))
    if position is None:
        rows = list(queryset[: page_size + 1])
    else:
        # One statement per arm until the page is full: one for a page inside a run of ties,
        # two where it crosses into the next value; never more than the ordering has fields.
        # Related rows are fetched once for the whole page, not once per arm.
        lookups = queryset._prefetch_related_lookups  # type: ignore[attr-defined]  # private, unstubbed
        plain = queryset.prefetch_related(None) if lookups else queryset
        rows = []
        for arm in keyset_arms(keys, position, reverse=reverse):
            rows += plain.filter(arm)[: page_size + 1 - len(rows)]
            if len(rows) > page_size:
                break
        if lookups:
            prefetch_related_objects(rows, *lookups)
    more = len(rows) > page_size
    rows = rows[:page_size]
    if reverse:
        rows.reverse()
    # Forwards, a page follows if a row was left over; backwards, one does because we came back
    # from it. A page precedes it in the mirror cases.
    has_next = more if not reverse else True
    has_previous = (position is not None) if not reverse else more
    next_cursor = previous_cursor = None
    if rows:
        if has_next:
            next_cursor = encode_position(ordering, _position_of(rows[-1], keys), reverse=False)
        if has_previous:
            previous_cursor = encode_position(ordering, _position_of(rows[0], keys), reverse=True)
    elif position is not None:
        # Nothing past the position any more (rows were deleted): offer the way back.
        if reverse:
            next_cursor = encode_position(ordering, position, reverse=False)
        else:
            previous_cursor = encode_position(ordering, position, reverse=True)
    return ordering, KeysetWindow(rows, next_cursor, previous_cursor)


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination for every API list; see the module's docstring.

    A page size over the limit is refused with an error rather than silently cut, so that a
    department system never believes it received everything.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering: str | list[str] | tuple[str, ...] = "id"
    # DRF's own default is a lazy translation too; the stubs declare a plain str.
    invalid_cursor_message = _(  # type: ignore[assignment]
        "This cursor is not valid for this list; start again from the first page."
    )

    def get_ordering(self, request, queryset, view):
        # Views without an OrderingFilter name their order in `ordering`, like DRF's own views.
        if getattr(view, "ordering", None) and not any(
            hasattr(backend, "get_ordering") for backend in getattr(view, "filter_backends", [])
        ):
            ordering = (view.ordering,) if isinstance(view.ordering, str) else tuple(view.ordering)
        else:
            ordering = super().get_ordering(request, queryset, view)
        return keyset_ordering(queryset.model, ordering)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Page size must be a whole number from 1 to %(max)d.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        cursor = request.query_params.get(self.cursor_query_param)
        try:
            with self.reads(request):
                self.ordering, window = keyset_window(
                    queryset, self.ordering, self.page_size, cursor
                )
        except InvalidCursor:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None
        self.window = window
        self.page = window.rows
        self.has_next = window.next_cursor is not None
        self.has_previous = window.previous_cursor is not None
        self.display_page_controls = self.has_next or self.has_previous
        return self.page

    def reads(self, request):
        """Where this page's reads go: a department system's list pages may be seconds old,
        the replica's when one is set. A view that reads more for the page (its related rows)
        reads them in the same place, so that the page is of one moment."""
        return reads_from_replica() if api_list_reads(request) else nullcontext()

    def get_next_link(self):
        return self._link(self.window.next_cursor)

    def get_previous_link(self):
        return self._link(self.window.previous_cursor)

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None or self.base_url is None:
            return None
        from rest_framework.utils.urls import replace_query_param

        return replace_query_param(self.base_url, self.cursor_query_param, cursor)


# The pages ---------------------------------------------------------------------------------------

PAGE_CURSOR = "cursor"


@dataclass
class KeysetPage:
    """What a list page shows of a keyset walk: the rows, the links and a capped count."""

    rows: list
    next_query: str | None  # the page's query string with the next page's cursor
    previous_query: str | None
    count: int  # exact up to `count_cap`; `count_cap` and `count_capped` beyond
    count_capped: bool
    count_cap: int
    query: str  # the page's filters and order without a cursor (for exports, for a fresh start)
    invalid_cursor: bool = False

    def __iter__(self):
        return iter(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return self.next_query is not None or self.previous_query is not None

    @property
    def first_query(self) -> str | None:
        return self.query if self.previous_query is not None else None


def keyset_page(
    request,
    queryset: QuerySet,
    *,
    ordering=None,
    page_size: int = 50,
    count_cap: int = 1000,
    params=None,
    count: int | None = None,
) -> KeysetPage:
    """One page of a list page, with next/previous links that keep the page's other parameters.

    `ordering` defaults to the queryset's own (`order_by` or the model's Meta ordering), so a
    FilterSet's OrderingFilter or a selector's `order_by` carries through. The count stops at
    `count_cap` + 1 rows (`SELECT count(*) FROM (… LIMIT cap + 1)`), so a township of 100,000
    households costs what a village costs. A cursor this list did not make shows the first page
    with `invalid_cursor` set: the view answers 400 and says so. `params`: the list's filters when
    they did not come in the query string (a search sent by POST, households.list_search).
    """
    if ordering is None:
        ordering = queryset.query.order_by or queryset.model._meta.ordering or ("pk",)
    params = (request.GET if params is None else params).copy()
    cursor = params.pop(PAGE_CURSOR, [None])[-1]
    invalid = False
    try:
        _, window = keyset_window(queryset, ordering, page_size, cursor)
    except InvalidCursor:
        invalid = True
        _, window = keyset_window(queryset, ordering, page_size, None)
    query = params.urlencode()

    def with_cursor(value: str | None) -> str | None:
        if value is None:
            return None
        extra = urlencode({PAGE_CURSOR: value})
        return f"{query}&{extra}" if query else extra

    if count is None:
        count = capped_count(queryset, count_cap)
    return KeysetPage(
        rows=window.rows,
        next_query=with_cursor(window.next_cursor),
        previous_query=with_cursor(window.previous_cursor),
        count=min(count, count_cap),
        count_capped=count > count_cap,
        count_cap=count_cap,
        query=query,
        invalid_cursor=invalid,
    )


# Every list page ends in templates/includes/pager.html, which reads `previous_query`,
# `next_query` and `first_query` (query strings that keep the page's other parameters, or None)
# and, on a numbered page, `number` and `paginator.num_pages`. A keyset page has them;
# `numbered_page` gives them to a Django page; a page with its own walk (the audit trail) builds
# `PagerLinks`.

PAGE_NUMBER = "page"


@dataclass(frozen=True)
class PagerLinks:
    """The links of a list page that walks its rows itself (audit.selectors.audit_events)."""

    next_query: str | None = None
    previous_query: str | None = None
    first_query: str | None = None
    invalid_cursor: bool = False

    @property
    def has_other_pages(self) -> bool:
        return any(q is not None for q in (self.next_query, self.previous_query, self.first_query))


def capped_count(queryset: QuerySet, cap: int) -> int:
    """The number of rows, counted up to `cap` + 1 (`SELECT count(*) FROM (… LIMIT cap + 1)`)."""
    return queryset.order_by()[: cap + 1].count()


def bounded_page(
    request, queryset: QuerySet, *, page_size: int = 50, count_cap: int = 1000, params=None
):
    """Page numbers (1 2 3 … 9) while the list is bounded, keyset pages ("next") beyond.

    A list of at most `count_cap` rows (a village's households, a township's at one risk level) is
    counted exactly and walked by number: an offset into a thousand rows costs little, and a
    cadre can say "page 3". A longer one (a county's register) is walked by keyset, as far as it
    goes, at the cost of its first page; so is any link that already carries a cursor.
    """
    source = request.GET if params is None else params
    count = capped_count(queryset, count_cap)
    if count > count_cap or PAGE_CURSOR in source:
        return keyset_page(
            request,
            queryset,
            page_size=page_size,
            count_cap=count_cap,
            params=params,
            count=count,
        )
    # Ties broken by the primary key, as the keyset pages and the lists' exports break them: a
    # page of equal scores is otherwise in whatever order the plan gives, from page to page.
    ordering = queryset.query.order_by or queryset.model._meta.ordering or ("pk",)
    queryset = queryset.order_by(*keyset_ordering(queryset.model, ordering))
    page = numbered_page(request, queryset, page_size=page_size, params=params, count=count)
    page.count = count  # type: ignore[assignment]  # the list's count, as a keyset page has it
    page.count_capped = False  # type: ignore[attr-defined]
    page.count_cap = count_cap  # type: ignore[attr-defined]
    page.invalid_cursor = False  # type: ignore[attr-defined]
    return page


def numbered_page(
    request, queryset: QuerySet, *, page_size: int = 50, params=None, count: int | None = None
) -> Page:
    """One page of a short list counted in page numbers (?page=2), for the pager template.

    For the lists whose order a keyset cannot follow (an annotation, such as a case's next due
    date) and which stay short (a region's open cases, its partners). The links keep the page's
    other parameters, as a keyset page's do.
    """
    params = (request.GET if params is None else params).copy()
    paginator = Paginator(queryset, page_size)
    if count is not None:
        paginator.count = count  # counted already: not twice
    page = paginator.get_page(params.get(PAGE_NUMBER))
    params.pop(PAGE_NUMBER, None)
    query = params.urlencode()

    def with_number(number: int) -> str:
        extra = urlencode({PAGE_NUMBER: number})
        return f"{query}&{extra}" if query else extra

    page.query = query  # type: ignore[attr-defined]
    page.next_query = with_number(page.next_page_number()) if page.has_next() else None  # type: ignore[attr-defined]
    page.previous_query = (  # type: ignore[attr-defined]
        with_number(page.previous_page_number()) if page.has_previous() else None
    )
    page.first_query = query if page.has_previous() else None  # type: ignore[attr-defined]
    # The numbers the pager shows, elided around this page (1 2 3 … 9): (number, query), with
    # None for a gap and for this page itself.
    page.number_links = [  # type: ignore[attr-defined]
        (
            number,
            None if number in (Paginator.ELLIPSIS, page.number) else with_number(int(number)),
        )
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return page
