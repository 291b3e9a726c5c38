"""The warning queue of a township cadre, as the API and as the page."""

from bench.common import TOWNSHIP_PREFIX, cadre_client, read, sized

QUEUE_READS = sized(30, 3)


def measure_queue() -> dict:
    from monitoring.models import ACTIVE_STATUSES, Alert

    client = cadre_client()
    api = read(client, f"/api/v1/alerts/?region={TOWNSHIP_PREFIX}&active=1", QUEUE_READS)
    page = read(client, "/alerts/", QUEUE_READS)
    active = Alert.objects.filter(
        status__in=ACTIVE_STATUSES, household__village__code__startswith=TOWNSHIP_PREFIX
    ).count()
    return {
        "active_alerts": active,
        "api_p50_ms": api["ms"],
        "api_p95_ms": api["p95_ms"],
        "api_db_ms": api["db_ms"],
        "api_queries": api["queries"],
        "page_p50_ms": page["ms"],
        "page_p95_ms": page["p95_ms"],
        "page_db_ms": page["db_ms"],
        "page_queries": page["queries"],
        "queue_p95_ms": max(api["p95_ms"], page["p95_ms"]),
        "reads": QUEUE_READS,
    }
