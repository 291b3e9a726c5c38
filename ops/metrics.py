"""Prometheus metrics: django-prometheus's request and database figures, and Dixian's own.

Dixian's figures are read from PostgreSQL and the broker when Prometheus scrapes, by a custom
collector, rather than counted in memory: gunicorn's workers and Celery's processes each have
their own memory, and what they share is the database. One scrape costs five small indexed
queries and a few LLENs (tests/ops/test_metrics.py counts them).

/metrics is answered to a caller with the bearer token (DIXIAN_METRICS_TOKEN), and otherwise
only to an address a county listed itself (DIXIAN_METRICS_ALLOWED_IPS, empty by default) in a
request that carries no forwarding header. Nothing is trusted by its address by default: behind
a reverse proxy on the same host every request comes from 127.0.0.1 (and behind docker's port
publishing from the bridge's gateway), and a proxy need not add any forwarding header at all
(nginx adds none unless told to).
"""

import ipaddress
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector

from ops.access import bearer_token_matches

logger = logging.getLogger(__name__)

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
# kombu's Redis transport keeps a queue's messages of priority p > 0 in a list of its own.
REDIS_PRIORITY_SEPARATOR = "\x06\x16"
REDIS_PRIORITY_STEPS = (3, 6, 9)


def queue_names() -> list[str]:
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each queue, from the broker itself."""
    url = settings.CELERY_BROKER_URL
    names = queue_names()
    if url.startswith(("redis://", "rediss://")):
        import redis

        timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            pipeline = client.pipeline(transaction=False)
            for name in names:
                pipeline.llen(name)
                for step in REDIS_PRIORITY_STEPS:
                    pipeline.llen(f"{name}{REDIS_PRIORITY_SEPARATOR}{step}")
            counts = pipeline.execute()
        finally:
            client.close()
        per_queue = 1 + len(REDIS_PRIORITY_STEPS)
        return {
            name: sum(counts[index * per_queue : (index + 1) * per_queue])
            for index, name in enumerate(names)
        }
    if url.startswith("filesystem"):
        # kombu's filesystem transport writes one file per message, named after its queue.
        folder = Path(settings.BROKER_DIR) / "queue"
        files = [entry.name for entry in folder.iterdir()] if folder.is_dir() else []
        return {name: sum(file.endswith(f".{name}.msg") for file in files) for name in names}
    return {}


def _duration() -> ExpressionWrapper:
    return ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())


# Every family the collector yields: Prometheus learns the names at registration from
# describe(), without a query (the database may not even exist yet when the URLconf loads).
FAMILIES = {
    "dixian_scan_duration_seconds": SummaryMetricFamily,
    "dixian_scan_last_finished_age_seconds": GaugeMetricFamily,
    "dixian_scan_last_duration_seconds": GaugeMetricFamily,
    "dixian_scan_last_households_judged": GaugeMetricFamily,
    "dixian_scan_runs": GaugeMetricFamily,
    "dixian_warnings_active": GaugeMetricFamily,
    "dixian_households_evaluation_pending": GaugeMetricFamily,
    "dixian_households_evaluation_pending_oldest_age_seconds": GaugeMetricFamily,
    "dixian_households_evaluation_failing": GaugeMetricFamily,
    "dixian_celery_queue_length": GaugeMetricFamily,
}


class DixianCollector(Collector):
    """Scans, queues, warnings and pending evaluations, read at scrape time."""

    def describe(self) -> Iterator[Metric]:
        for name, family in FAMILIES.items():
            yield family(name, "")

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        try:
            # Listed first so that a failed query yields nothing half-made.
            families = [*self._scans(now), *self._warnings(), *self._pending(now)]
        except DatabaseError:
            # A database that is down must not turn the scrape into an error page: the request
            # and queue figures still tell the story, and /healthz reports the database.
            logger.warning("database figures could not be read", exc_info=True)
            families = []
        yield from families
        yield self._queues()

    def _scans(self, now: datetime) -> Iterator[Metric]:
        from monitoring.models import ScanRun

        finished = Q(status=ScanRun.Status.FINISHED)
        recent = finished & Q(finished_at__gte=now - timedelta(days=settings.METRICS_SCAN_DAYS))
        runs = ScanRun.objects.aggregate(
            newest=Max("finished_at", filter=finished),
            recent_count=Count("id", filter=recent),
            recent_total=Sum(_duration(), filter=recent),
        )
        yield SummaryMetricFamily(
            "dixian_scan_duration_seconds",
            f"Durations of the scans finished in the last {settings.METRICS_SCAN_DAYS} days.",
            count_value=runs["recent_count"],
            sum_value=(runs["recent_total"] or timedelta()).total_seconds(),
        )
        if runs["newest"] is not None:
            yield GaugeMetricFamily(
                "dixian_scan_last_finished_age_seconds",
                "Seconds since the newest finished scan ended (absent before the first one).",
                value=(now - runs["newest"]).total_seconds(),
            )

        last_duration = GaugeMetricFamily(
            "dixian_scan_last_duration_seconds",
            "Duration of the last finished scan of each scope (region prefix; '' is all).",
            labels=["scope"],
        )
        last_households = GaugeMetricFamily(
            "dixian_scan_last_households_judged",
            "Households judged by the last finished scan of each scope.",
            labels=["scope"],
        )
        # One row per scope, the newest first (DISTINCT ON): scopes are regions, a bounded set,
        # and only those scanned recently are kept.
        latest = (
            ScanRun.objects.filter(recent)
            .order_by("scope", "-finished_at")
            .distinct("scope")
            .values_list("scope", "households_judged", "started_at", "finished_at")
        )
        for scope, judged, started_at, finished_at in latest:
            last_duration.add_metric([scope], (finished_at - started_at).total_seconds())
            last_households.add_metric([scope], judged)
        yield last_duration
        yield last_households

        by_status = GaugeMetricFamily(
            "dixian_scan_runs", "Scan runs recorded, by status.", labels=["status"]
        )
        counted = dict(ScanRun.objects.order_by().values_list("status").annotate(runs=Count("id")))
        for status in ScanRun.Status.values:
            by_status.add_metric([status], counted.get(status, 0))
        yield by_status

    def _warnings(self) -> Iterator[Metric]:
        from monitoring.models import ACTIVE_STATUSES, Alert

        warnings = GaugeMetricFamily(
            "dixian_warnings_active", "Active risk warnings, by level.", labels=["level"]
        )
        levels = dict(
            Alert.objects.filter(status__in=ACTIVE_STATUSES)
            .order_by()
            .values_list("level")
            .annotate(warnings=Count("id"))
        )
        for level, count in sorted(levels.items()):
            warnings.add_metric([level], count)
        yield warnings

    def _pending(self, now: datetime) -> Iterator[Metric]:
        from households.models import Household
        from monitoring.models import EvaluationFailure

        pending = Household.objects.filter(evaluation_pending_since__isnull=False).aggregate(
            count=Count("id"), oldest=Min("evaluation_pending_since")
        )
        yield GaugeMetricFamily(
            "dixian_households_evaluation_pending",
            "Households waiting to be judged again after a change.",
            value=pending["count"],
        )
        if pending["oldest"] is not None:
            yield GaugeMetricFamily(
                "dixian_households_evaluation_pending_oldest_age_seconds",
                "Seconds the longest-waiting household has waited (the sweep should keep it low).",
                value=(now - pending["oldest"]).total_seconds(),
            )
        yield GaugeMetricFamily(
            "dixian_households_evaluation_failing",
            "Households whose evaluation fails (a bug to fix); the error log names each.",
            value=EvaluationFailure.objects.count(),
        )

    def _queues(self) -> Metric:
        queues = GaugeMetricFamily(
            "dixian_celery_queue_length", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        try:
            for name, length in queue_lengths().items():
                queues.add_metric([name], length)
        except Exception:
            # A broker that is down must not take the other figures with it; /healthz reports it.
            logger.warning("queue lengths could not be read", exc_info=True)
        return queues


_collector = DixianCollector()
REGISTRY.register(_collector)


def _from_allowed_address(request: HttpRequest) -> bool:
    if any(header in request.META for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics(request: HttpRequest) -> HttpResponse:
    if not (bearer_token_matches(request) or _from_allowed_address(request)):
        # Not found rather than forbidden: an outsider learns nothing about the endpoint.
        return HttpResponseNotFound(b"Not found", content_type="text/plain")
    return ExportToDjangoView(request)
