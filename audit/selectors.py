"""The audit view's reads: every kind of event, scoped to the viewer's region, newest first.

Each source (every history table, the unmaskings, the exports, django-axes' sign-ins and
failures) is read by its own indexed query for one page past the cursor, and the pages are merged
here. A page therefore costs one query per source whatever the tables hold, and a walk reads each
row once: the cursor is (time, source, id), the order is time descending, then source, then id
descending.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from audit.models import ExportEvent
from audit.sources import event_models, scope_of
from core.scope import Scope
from households.models import IdNumberLookup, SensitiveAccess

PAGE_SIZE = 50

WRITE, UNMASK, EXPORT, SIGN_IN, FAILURE = "write", "unmask", "export", "sign_in", "failure"
LOOKUP = "lookup"
KINDS = (WRITE, UNMASK, LOOKUP, EXPORT, SIGN_IN, FAILURE)


class InvalidCursor(ValueError):
    """A page link this list did not make."""


@dataclass(frozen=True)
class AuditFilters:
    kind: str = ""
    username: str = ""
    date_from: date | None = None
    date_to: date | None = None
    household_number: str = ""


@dataclass
class Source:
    """One table of events: its rows for the viewer, and how they are dated and filtered."""

    key: str
    kind: str
    queryset: QuerySet
    time_field: str
    user_field: str | None  # a username, or None for the writes (their actor is a context)
    household_field: str | None


@dataclass
class AuditPage:
    events: list = field(default_factory=list)  # (source, row) pairs, newest first
    next_cursor: str | None = None


def has_object(model) -> bool:
    """False for the group and permission links, whose history names no single object."""
    return any(field.name == "pgh_obj" for field in model._meta.fields)


def _scoped_writes(model, scope: Scope) -> QuerySet:
    """A history table's rows placed in the scope by any of its region paths (sources.py)."""
    write_scope = scope_of(model)
    rows = model._base_manager.all()
    if scope.sees_everything:  # a superuser: every row, those placed nowhere too
        return rows
    condition = Q()
    for path in write_scope.region_paths:
        condition |= scope.q(path if path.endswith("_code") else f"{path}__code")
    if write_scope.national_default:
        first = write_scope.region_paths[0]
        condition |= Q(**{f"{first}__isnull": True}) | (
            Q(**{first: ""}) if first.endswith("_code") else Q()
        )
    return rows.filter(condition)


def _sources(scope: Scope) -> list[Source]:
    users_in_scope = get_user_model().objects.filter(scope.q("region__code"))
    usernames = users_in_scope.values("username")
    sources = []
    for model in event_models():
        previous = (
            model._base_manager.filter(
                pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")
            )
            .order_by("-pgh_id")
            .values("pgh_id")[:1]
            if has_object(model)
            else None
        )
        rows = _scoped_writes(model, scope).select_related("pgh_context")
        if previous is not None:
            rows = rows.annotate(previous_id=Subquery(previous))
        sources.append(
            Source(
                key=model._meta.label,
                kind=WRITE,
                queryset=rows,
                time_field="pgh_created_at",
                user_field=None,
                household_field=scope_of(model).household_path,
            )
        )
    sources += [
        Source(
            key="households.SensitiveAccess",
            kind=UNMASK,
            queryset=SensitiveAccess.objects.filter(
                scope.q("household__village__code")
            ).select_related("user", "member", "household"),
            time_field="at",
            user_field="user__username",
            household_field="household__number",
        ),
        Source(
            key="households.IdNumberLookup",
            kind=LOOKUP,
            queryset=IdNumberLookup.objects.filter(scope.q("region_code")).select_related("user"),
            time_field="at",
            user_field="user__username",
            household_field=None,
        ),
        Source(
            key="audit.ExportEvent",
            kind=EXPORT,
            queryset=ExportEvent.objects.filter(scope.q("region_code")).select_related("user"),
            time_field="at",
            user_field="user__username",
            household_field="household_number",
        ),
        Source(
            key="axes.AccessLog",
            kind=SIGN_IN,
            queryset=AccessLog.objects.all()
            if scope.sees_everything
            else AccessLog.objects.filter(username__in=usernames),
            time_field="attempt_time",
            user_field="username",
            household_field=None,
        ),
        Source(
            key="axes.AccessFailureLog",
            kind=FAILURE,
            queryset=AccessFailureLog.objects.all()
            if scope.sees_everything
            else AccessFailureLog.objects.filter(username__in=usernames),
            time_field="attempt_time",
            user_field="username",
            household_field=None,
        ),
    ]
    return sources


def _filtered(source: Source, filters: AuditFilters, actor_id: int | None) -> QuerySet | None:
    """The source's rows under the filters, or None when the filters exclude the whole source."""
    if filters.kind and filters.kind != source.kind:
        return None
    rows = source.queryset
    if filters.username:
        if source.user_field:
            rows = rows.filter(**{source.user_field: filters.username})
        elif actor_id is None:
            return None
        else:
            rows = rows.filter(pgh_context__metadata__user=actor_id)
    if filters.household_number:
        if not source.household_field:
            return None
        rows = rows.filter(**{source.household_field: filters.household_number})
    start, end = _day_bounds(filters)
    if start:
        rows = rows.filter(**{f"{source.time_field}__gte": start})
    if end:
        rows = rows.filter(**{f"{source.time_field}__lt": end})
    return rows


def _day_bounds(filters: AuditFilters) -> tuple[datetime | None, datetime | None]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(filters.date_from, time.min, zone) if filters.date_from else None
    end = (
        datetime.combine(filters.date_to + timedelta(days=1), time.min, zone)
        if filters.date_to and filters.date_to < date.max  # no day follows the last one
        else None
    )
    return start, end


def _after_cursor(rows: QuerySet, source: Source, index: int, cursor) -> QuerySet:
    """Rows that come after the cursor's row in (time desc, source, id desc)."""
    if cursor is None:
        return rows
    at, cursor_index, cursor_pk = cursor
    before = Q(**{f"{source.time_field}__lt": at})
    if index < cursor_index:
        return rows.filter(before)
    if index == cursor_index:
        return rows.filter(before | Q(**{source.time_field: at, "pk__lt": cursor_pk}))
    return rows.filter(Q(**{f"{source.time_field}__lte": at}))


def encode_cursor(at: datetime, index: int, pk: int) -> str:
    raw = json.dumps([at.isoformat(), index, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(value: str) -> tuple[datetime, int, int]:
    try:
        at, index, pk = json.loads(base64.urlsafe_b64decode(value.encode()))
        moment = datetime.fromisoformat(at)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as error:
        raise InvalidCursor(value) from error
    if not isinstance(index, int) or not isinstance(pk, int) or moment.tzinfo is None:
        raise InvalidCursor(value)
    return moment, index, pk


def audit_events(
    *, user, filters: AuditFilters, cursor: str | None = None, page_size: int = PAGE_SIZE
) -> AuditPage:
    """One page of the audit trail that `user` may read. Raises InvalidCursor for a bad link."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("audit.view_audit"):
        return AuditPage()
    position = decode_cursor(cursor) if cursor else None
    actor_id = None
    if filters.username:
        actor_id = (
            get_user_model()
            .objects.filter(username=filters.username)
            .values_list("pk", flat=True)
            .first()
        )
    candidates = []
    for index, source in enumerate(_sources(scope)):
        rows = _filtered(source, filters, actor_id)
        if rows is None:
            continue
        rows = _after_cursor(rows, source, index, position).order_by(
            F(source.time_field).desc(), "-pk"
        )
        for row in rows[: page_size + 1]:
            candidates.append((getattr(row, source.time_field), index, row.pk, source, row))
    # Newest first; among equal times, by source, then by id descending (two stable sorts).
    candidates.sort(key=lambda item: (item[1], -item[2]))
    candidates.sort(key=lambda item: item[0], reverse=True)
    page = candidates[:page_size]
    next_cursor = None
    if len(candidates) > page_size:
        at, index, pk, _, _ = page[-1]
        next_cursor = encode_cursor(at, index, pk)
    return AuditPage(events=[(source, row) for *_, source, row in page], next_cursor=next_cursor)
