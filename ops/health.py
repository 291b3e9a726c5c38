"""Health endpoints for the orchestrator (docker-compose healthcheck, Kubernetes probes).

    /healthz        web, database, broker and the age of the last finished scan
    /healthz/live   the process answers (liveness: restarting it would not help the rest)

An anonymous caller (the orchestrator's probe) gets the status code and the overall status only:
which of database, broker or scans is down is a map for an attacker choosing what to hit next.
Each check with its status and latency (never versions, host names or error text) goes to the
operator's scraper (the /metrics bearer token) and to a signed-in county officer. A scan older
than DIXIAN_HEALTH_MAX_SCAN_AGE_HOURS makes the whole "degraded" but still 200: restarting the
web server does not make the nightly scan run.

These paths, and /metrics, are answered by `OperationsEndpointsMiddleware` right after the
security-header middleware, so they carry the same headers: a probe comes with the pod's address
as its Host (which ALLOWED_HOSTS refuses), over plain HTTP inside the network (which the SSL
redirect exempts), and must not create a session, so it never reaches host validation,
sessions, CSRF or login.
"""

import logging
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone

from ops.access import may_read_details

logger = logging.getLogger(__name__)

OK, DEGRADED, FAILED = "ok", "degraded", "failed"
# The checks whose failure makes the service unusable; the others only degrade it.
REQUIRED_CHECKS = ("web", "database", "broker")


def check_database() -> str:
    timeout_ms = int(settings.HEALTH_CHECK_TIMEOUT_SECONDS * 1000)
    with transaction.atomic(), connection.cursor() as cursor:
        # A database that accepts connections but is stuck must fail the probe, not hang it.
        cursor.execute(f"SET LOCAL statement_timeout = {timeout_ms}")
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return OK
    if url.startswith("filesystem"):
        # The embedded default: the broker is a folder; a message can be queued if a file can
        # be written there.
        with tempfile.NamedTemporaryFile(dir=settings.BROKER_DIR / "queue", prefix=".health-"):
            pass
        return OK
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=timeout)
    return OK


def check_last_scan() -> str:
    from monitoring.models import ScanRun

    newest = (
        ScanRun.objects.filter(status=ScanRun.Status.FINISHED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    limit = timedelta(hours=settings.HEALTH_MAX_SCAN_AGE_HOURS)
    if newest is None or timezone.now() - newest > limit:
        return DEGRADED
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "web": lambda: OK,
    "database": check_database,
    "broker": check_broker,
    "last_scan": check_last_scan,
}


def _run(name: str, check: Callable[[], str]) -> dict:
    started = time.perf_counter()
    try:
        status = check()
    except Exception:
        # The reason goes to the log for the operator, never to the unauthenticated caller.
        logger.warning("health check %s failed", name, exc_info=True)
        status = FAILED if name in REQUIRED_CHECKS else DEGRADED
    return {"status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def _json(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def health(request: HttpRequest) -> HttpResponse:
    checks: dict[str, dict] = {}
    for name, check in CHECKS.items():
        if name == "last_scan" and checks["database"]["status"] != OK:
            # Nothing to ask a database that is down; its own check already says so.
            checks[name] = {"status": DEGRADED, "latency_ms": 0.0}
            continue
        checks[name] = _run(name, check)
    if any(checks[name]["status"] != OK for name in REQUIRED_CHECKS):
        overall, code = FAILED, 503
    elif any(result["status"] != OK for result in checks.values()):
        overall, code = DEGRADED, 200
    else:
        overall, code = OK, 200
    if not may_read_details(request):
        return _json({"status": overall}, code)
    return _json({"status": overall, "checks": checks}, code)


def liveness(request: HttpRequest) -> HttpResponse:
    return _json({"status": OK}, 200)


def _metrics(request: HttpRequest) -> HttpResponse:
    from ops.metrics import metrics

    return metrics(request)


ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health,
    "/healthz/live": liveness,
    "/metrics": _metrics,
}


class OperationsEndpointsMiddleware:
    """Answers the probe and scrape paths before host checks, sessions, CSRF and login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info.rstrip("/") or "/")
        if view is None:
            return self.get_response(request)
        response: HttpResponse
        if request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        else:
            response = view(request)
        # The clickjacking middleware sits further in and never sees these answers.
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
