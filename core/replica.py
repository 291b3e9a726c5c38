"""Reads that tolerate seconds of staleness, sent to a streaming read replica when one is set.

Without `DATABASE_REPLICA_URL` (the default: `make run`, CI, a county) there is no `replica`
database, config/db_router.py is not installed and nothing here changes a query.

With it, the router (config/db_router.py) asks `read_alias()` for every read. A read goes to the
replica only when all of these hold, otherwise to the primary (`default`):

- the read is marked: it runs inside `reads_from_replica()` (a context manager and a decorator),
  which the doors whose readers accept figures some seconds old use: the dashboard page, the
  Excel exports, a backtest's replay, an API client's list pages (core/pagination.py);
- the request is not pinned to the primary: a browser that changed something within the last
  `DIXIAN_REPLICA_PIN_SECONDS` carries a cookie (`PrimaryAfterWriteMiddleware`), so the page it
  is sent to after its POST, and every page for a few seconds after, reads its own change;
- the read is not inside a transaction on the primary (what a service reads before it writes);
- the model is not one of the sign-in's (sessions, users, tokens, second factor, lockouts): a
  session made a moment ago on the primary must not look missing;
- the guard says the replica is fresh: it answered within `connect_timeout` and its replay lag
  (`LAG_QUERY`) is at most `DIXIAN_REPLICA_MAX_LAG_SECONDS`. The answer is kept
  `DIXIAN_REPLICA_CHECK_SECONDS` per process, so a page does not ask it every query.

Writes and migrations always go to the primary.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "dixian_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The sign-in's own tables: read on the primary whatever the context (a session or token made a
# moment ago, a lockout counted on the last attempt).
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "axes", "otp_static", "otp_totp", "django_otp", "authtoken"}
)

# Seconds of the primary's work the replica has not replayed: 0 when it has replayed all it
# received (an idle primary writes nothing, and the last replayed commit may be old without the
# replica being behind), otherwise the age of the last commit it replayed. NULL on a primary.
LAG_QUERY = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN NULL
    -- Caught up with what it received, and still receiving: a replica cut off from its primary
    -- has replayed all it received too, and is answered by the age of its last replayed commit.
    -- (pg_stat_wal_receiver's status needs pg_read_all_stats: without it, the age is the answer,
    -- and the guard errs towards the primary; docs/scaling.md grants it to the app's role.)
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()))
END
"""

_marked: ContextVar[bool] = ContextVar("dixian_replica_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("dixian_primary_pinned", default=False)


def configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Mark the reads inside as tolerating the replica's few seconds of lag. A decorator too."""
    token = _marked.set(True)
    try:
        yield
    finally:
        _marked.reset(token)


@contextmanager
def pinned_to_primary() -> Iterator[None]:
    """Every read inside on the primary, marked or not."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class _Guard:
    """The replica's freshness, asked at most once every few seconds per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._fresh = False
        self.last_lag: float | None = None

    def reset(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")

    def fresh(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < settings.DIXIAN_REPLICA_CHECK_SECONDS:
                return self._fresh
            # Other threads keep the last answer while this one asks.
            self._checked_at = now
        fresh, lag = self._ask()
        with self._lock:
            if fresh != self._fresh:
                logger.warning(
                    "replica reads %s (replay lag %s s, limit %s s)",
                    "resumed" if fresh else "sent to the primary",
                    "unknown" if lag is None else round(lag, 1),
                    settings.DIXIAN_REPLICA_MAX_LAG_SECONDS,
                )
            self._fresh, self.last_lag = fresh, lag
            self._checked_at = time.monotonic()
        return fresh

    def _ask(self) -> tuple[bool, float | None]:
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_QUERY)
                row = cursor.fetchone()
        except DatabaseError:
            # Unreachable, restarting, or dropped: the next check connects afresh.
            try:
                connection.close()
            except DatabaseError:
                pass
            return False, None
        lag = None if row is None or row[0] is None else float(row[0])
        if lag is None:  # not in recovery: promoted, or not a replica at all
            return False, None
        return lag <= settings.DIXIAN_REPLICA_MAX_LAG_SECONDS, lag


guard = _Guard()


def read_alias(model=None) -> str:
    """The database a read goes to (config/db_router.py)."""
    if not _marked.get() or _pinned.get() or not configured():
        return DEFAULT_DB_ALIAS
    if model is not None and model._meta.app_label in PRIMARY_ONLY_APPS:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if guard.fresh() else DEFAULT_DB_ALIAS


def api_list_reads(request) -> bool:
    """Whether an API list page's rows may come from the replica: a GET by one of the roles of
    `DIXIAN_REPLICA_API_ROLES` (the department systems that poll their region's lists)."""
    return (
        configured()
        and request.method in SAFE_METHODS
        and getattr(request.user, "role", None) in settings.DIXIAN_REPLICA_API_ROLES
    )


class PrimaryAfterWriteMiddleware:
    """A browser's own change is never read stale: a request that may have written (any method
    but GET/HEAD/OPTIONS) leaves a cookie pinning that browser's reads to the primary for
    `DIXIAN_REPLICA_PIN_SECONDS`, longer than the lag the guard accepts plus its check interval;
    the redirect after a POST, and the pages after it, read the primary. Does nothing without a
    replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            return self.get_response(request)
        now = time.time()
        writes = request.method not in SAFE_METHODS
        try:
            pinned_until = float(request.COOKIES.get(PIN_COOKIE, "0"))
        except ValueError:
            pinned_until = 0.0
        # A request's own writes are not pinned here: a service reads what it writes inside its
        # transaction, which `read_alias` keeps on the primary, and the marked doors read first.
        if pinned_until > now:
            with pinned_to_primary():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if writes:
            seconds = settings.DIXIAN_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{now + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
