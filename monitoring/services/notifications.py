"""Notifications: made once, shown in-app always, and sent on by e-mail and by webhook.

`notify` writes the in-app rows (in the caller's transaction) and, once that commits, queues one
delivery task per new row. The task claims its row with a conditional UPDATE of
`channels_pending`, so a notification queued twice (a sweep and the first queueing racing) is
still mailed and posted once. Mail and HTTP are never sent inside a transaction.
"""

import datetime
import json
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from core.queueing import NOTIFICATION_DELIVER, WEBHOOK_DELIVER, enqueue, enqueue_after_commit
from core.request_log import mask_personal_numbers
from monitoring.messages import MESSAGES, render_message
from monitoring.models import Notification, WebhookDelivery
from monitoring.selectors import webhooks_for_recipient

logger = logging.getLogger(__name__)

# A notification whose delivery was not queued (the broker was down) is taken up by the sweep
# once it is this old, so that the sweep does not race the normal path.
PENDING_GRACE_SECONDS = 120


def _masked(value):
    """Arguments never carry an ID number, a phone or a bank account: masked if one slips in."""
    if isinstance(value, str):
        return mask_personal_numbers(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    return value


def notify(
    users: Iterable[User | int],
    *,
    key: str,
    arguments: dict | None = None,
    link: str = "",
    dedupe_key: str = "",
) -> int:
    """Tell each user `key` with `arguments`; returns how many notifications were made.

    With a `dedupe_key`, a user who already has a notification of that key gets no second one,
    whoever asked first and however many ask at once: the unique constraint decides.
    """
    if key not in MESSAGES:
        raise ValueError(f"unknown message key {key!r}")
    arguments = _masked(dict(arguments or {}))
    with translation.override(settings.LANGUAGE_CODE):
        text = render_message(key, arguments)[:300]
    user_ids = sorted({user if isinstance(user, int) else user.pk for user in users})
    if not user_ids:
        return 0
    rows = [
        Notification(
            user_id=user_id,
            text=text,
            link=link[:200],
            message_key=key,
            arguments=arguments,
            dedupe_key=dedupe_key,
            channels_pending=True,
        )
        for user_id in user_ids
    ]
    with transaction.atomic():
        if dedupe_key:
            created = _insert_once(rows)
        else:
            created = [row.pk for row in Notification.objects.bulk_create(rows)]
        for pk in created:
            enqueue_after_commit(NOTIFICATION_DELIVER, [pk], queue="celery")
    return len(created)


def _insert_once(rows: list[Notification]) -> list[int]:
    """Insert the rows whose (user, dedupe key) is new; the ids of those inserted.

    Django's ignore_conflicts returns no ids, and reading them back afterwards cannot tell this
    call's rows from a concurrent caller's: INSERT … ON CONFLICT DO NOTHING RETURNING can. A
    second caller at the same moment waits for the first to commit, then inserts nothing."""
    table = Notification._meta.db_table
    now = timezone.now()
    values: list[str] = []
    params: list[int | str | datetime.datetime] = []
    for row in rows:
        values.append("(%s, %s, %s, %s, %s, %s::jsonb, %s, true)")
        params += [
            row.user_id,
            now,
            row.text,
            row.link,
            row.message_key,
            json.dumps(row.arguments),
            row.dedupe_key,
        ]
    sql = (
        f"INSERT INTO {table} (user_id, created_at, text, link, message_key, arguments, "
        f"dedupe_key, channels_pending) VALUES {', '.join(values)} "
        "ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def notification_deliver(notification_id: int) -> bool:
    """Send one notification on by e-mail and to its county's webhooks; False if another
    delivery claimed it first (or there is no such notification)."""
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, channels_pending=True).update(
            channels_pending=False
        )
        if not claimed:
            return False
        notification = Notification.objects.select_related("user").get(pk=notification_id)
        now = timezone.now()
        deliveries = [
            WebhookDelivery(webhook=webhook, notification=notification, next_attempt_at=now)
            for webhook in webhooks_for_recipient(notification.user, notification.message_key)
        ]
        # The claim above makes this the only delivery of the notification: no conflicts.
        for delivery in WebhookDelivery.objects.bulk_create(deliveries):
            enqueue_after_commit(WEBHOOK_DELIVER, [delivery.pk], queue="celery")
    _send_email(notification)
    return True


def _send_email(notification: Notification) -> None:
    user = notification.user
    if not user.email or not user.is_active:
        return
    message = MESSAGES.get(notification.message_key)
    with translation.override(settings.LANGUAGE_CODE):
        text = notification.rendered
        context = {
            "recipient": user,
            "text": text,
            "arguments": notification.arguments,
            "link": notification.link,
        }
        if message and message.email_subject:
            subject = render_to_string(message.email_subject, context).strip()
        else:
            subject = render_to_string("monitoring/notification_email_subject.txt", context)
        template = message.email_body if message and message.email_body else None
        body = render_to_string(template or "monitoring/notification_email_body.txt", context)
    try:
        send_mail(" ".join(subject.split())[:150], body, None, [user.email])
    except OSError as error:
        # The notification is in-app already; a mail server that is down is logged, not retried
        # (a retry could mail twice: whether the server took the message is unknown).
        logger.warning("notification %s not mailed: %s", notification.pk, error)


def notifications_dispatch_pending(*, now: datetime.datetime | None = None) -> int:
    """The sweep: queue the deliveries of notifications whose queueing was lost."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=PENDING_GRACE_SECONDS)
    pending = list(
        Notification.objects.filter(channels_pending=True, created_at__lt=stale)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in pending:
        enqueue(NOTIFICATION_DELIVER, [pk], queue="celery")
    return len(pending)
