"""Celery tasks: ids and ISO dates in, one service call, retries only for lost connections."""

import datetime

from celery import shared_task
from django.conf import settings

from core import queueing
from core.transient import TRANSIENT_DB_ERRORS
from monitoring import scans
from monitoring.digest import send_digests
from monitoring.services import area_events, notifications, webhooks


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5)
def evaluate_household(household_id: int, as_of: str) -> dict:
    return scans.evaluate_requested(household_id, as_of=datetime.date.fromisoformat(as_of)).__dict__


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5, acks_late=True)
def scan_chunk(
    run_id: int, scope: str, id_from: int, id_to: int, as_of: str, only_due: bool = False
) -> dict:
    return scans.scan_chunk(
        run_id,
        scope=scope,
        id_from=id_from,
        id_to=id_to,
        as_of=datetime.date.fromisoformat(as_of),
        only_due=only_due,
    ).__dict__


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def scan_nightly() -> int:
    # Every household is considered; those whose verdict cannot have changed are not re-judged.
    return scans.scan_start(trigger="nightly", scope="", only_due=True).pk


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def scan_resume_stalled() -> list[int]:
    return [run.pk for run in scans.scan_resume_stalled()]


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def evaluate_pending(limit: int = scans.SWEEP_BATCH) -> int:
    sweep = scans.evaluate_pending(limit=limit)
    if 0 < limit <= sweep.claimed:
        # A full batch: more may wait. The next sweep now rather than at the beat's next turn;
        # the usual batch sent as the beat sends it, with no argument, so that a worker still
        # running the code from before the task had a parameter (a rolling deploy) runs it too.
        args = [] if limit == scans.SWEEP_BATCH else [limit]
        queueing.enqueue(queueing.EVALUATE_PENDING, args, "celery")
    return sweep.judged


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5, acks_late=True)
def area_event_list(event_id: int) -> int:
    # None: another listing of the event is running (a county's takes many minutes); a request
    # it did not see (a signal that joined meanwhile) stays asked for, and the sweep of lost
    # listings (every 5 minutes) makes it once that one is done.
    return area_events.area_event_list(event_id) or 0


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def area_events_list_pending() -> int:
    return area_events.area_events_list_pending()


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def send_daily_digests() -> int:
    return send_digests()


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5, acks_late=True)
def notification_deliver(notification_id: int) -> bool:
    return notifications.notification_deliver(notification_id)


@shared_task(
    bind=True,
    # A lost database connection, or the mail server's refusal this time (EmailNotSent: the
    # service put the e-mail back in the queue); a validation error is never retried.
    autoretry_for=(*TRANSIENT_DB_ERRORS, notifications.EmailNotSent),
    retry_backoff=settings.EMAIL_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=False,
    max_retries=settings.EMAIL_MAX_RETRIES,
    acks_late=True,
)
def notification_email_send(self, notification_id: int) -> str:
    return notifications.notification_email_send(
        notification_id, last_try=self.request.retries >= self.max_retries
    )


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def notifications_dispatch_pending() -> int:
    return notifications.notifications_dispatch_pending()


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=5, acks_late=True)
def webhook_deliver(delivery_id: int) -> float | None:
    """One attempt; a failed one queues the next after its pause (the sweep is the safety net)."""
    delay = webhooks.webhook_delivery_attempt(delivery_id)
    if delay is not None:
        webhook_deliver.apply_async(args=[delivery_id], countdown=delay)
    return delay


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=True, max_retries=3)
def webhook_deliveries_due() -> int:
    return webhooks.webhook_deliveries_due()
