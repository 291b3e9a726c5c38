"""Notifications: made once, shown in-app always, and sent on by e-mail and by webhook.

`notify` writes the in-app rows (in the caller's transaction) and, once that commits, queues one
delivery task per new row. The task claims its row with a conditional UPDATE of
`channels_pending`, so a notification queued twice (a sweep and the first queueing racing) is
still mailed and posted once; it queues one task per webhook delivery and one for the e-mail,
each retried with a growing pause on its own (the e-mail on SMTP errors, claimed per attempt so
that it is never sent twice). Mail and HTTP are never sent inside a transaction.
"""

import datetime
import json
import logging
import re
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from core.queueing import (
    NOTIFICATION_DELIVER,
    NOTIFICATION_EMAIL_SEND,
    WEBHOOK_DELIVER,
    enqueue,
    enqueue_after_commit,
)
from core.request_log import mask_personal_numbers
from monitoring.messages import MESSAGES, render_message
from monitoring.models import EmailState, Notification, WebhookDelivery
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
    """Send one notification on to its county's webhooks and queue its e-mail (each a task of
    its own, retried apart); False if another delivery claimed it first (or there is no such
    notification)."""
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
        if notification.user.email and notification.user.is_active:
            Notification.objects.filter(pk=notification_id).update(
                email_state=EmailState.QUEUED, email_updated_at=now
            )
            enqueue_after_commit(NOTIFICATION_EMAIL_SEND, [notification_id], queue="celery")
    return True


class EmailNotSent(Exception):
    """The mail server did not take the message this time; the task tries again later."""


# SMTP errors after which the message was surely not taken, and another try may succeed (a
# server down or busy, a connection lost before the message was sent). A refused recipient is
# not retried: it would be refused again.
RETRIED_MAIL_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPException, OSError)
FINAL_MAIL_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPRecipientsRefused,)


def _is_final(error: Exception) -> bool:
    """An error a retry cannot mend: a refused recipient, or a permanent (5xx) answer."""
    if isinstance(error, FINAL_MAIL_ERRORS):
        return True
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def notification_email_send(notification_id: int, *, last_try: bool = False) -> str:
    """Mail one notification to its user, once. Returns the e-mail's state afterwards.

    One attempt claims the e-mail with a conditional UPDATE (queued → sending), so two tasks
    for the same notification (a sweep's and the delivery's) never both send: the second finds
    it sending or sent and stops. An SMTP error puts it back to queued and raises EmailNotSent,
    which the task retries with a growing pause; on the last try, or on an error a retry cannot
    mend, the failure is recorded (failed, with the error) and nothing is raised. An attempt cut
    off while sending (its worker killed) stays `sending`: whether the server took the message
    is unknown, and a second copy is worse than none (the notification is in-app anyway).
    """
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, email_state=EmailState.QUEUED).update(
        email_state=EmailState.SENDING, email_attempts=F("email_attempts") + 1, email_updated_at=now
    )
    if not claimed:
        state = (
            Notification.objects.filter(pk=notification_id)
            .values_list("email_state", flat=True)
            .first()
        )
        return state or ""
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        _send_email(notification)
    except RETRIED_MAIL_ERRORS as error:
        final = last_try or _is_final(error)
        state = EmailState.FAILED if final else EmailState.QUEUED
        Notification.objects.filter(pk=notification_id).update(
            email_state=state, email_error=_error_text(error), email_updated_at=timezone.now()
        )
        if final:
            logger.warning(
                "notification %s not mailed after %s attempts: %s",
                notification_id,
                notification.email_attempts,
                _error_text(error),
            )
            return state
        raise EmailNotSent(_error_text(error)) from error
    except Exception as error:
        # Not the mail server's doing (a template that fails to render, say): retrying sends
        # nothing either. Recorded as failed rather than left `sending` for ever.
        Notification.objects.filter(pk=notification_id).update(
            email_state=EmailState.FAILED,
            email_error=_error_text(error),
            email_updated_at=timezone.now(),
        )
        logger.exception("notification %s could not be mailed", notification_id)
        return EmailState.FAILED
    Notification.objects.filter(pk=notification_id).update(
        email_state=EmailState.SENT, email_error="", email_updated_at=timezone.now()
    )
    return EmailState.SENT


EMAIL_LOCAL_PART = re.compile(r"[\w.+-]+@")


def _error_text(error: Exception) -> str:
    # The server's answer names the recipient's address at most, never a notification's text;
    # the address is kept to its domain (which server refused), not whose it was.
    text = EMAIL_LOCAL_PART.sub("***@", f"{type(error).__name__}: {error}")
    return mask_personal_numbers(text)[:300]


def _send_email(notification: Notification) -> None:
    user = notification.user
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
    send_mail(" ".join(subject.split())[:150], body, None, [user.email])


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
    # E-mails whose queueing was lost: queued, and untouched for longer than the longest pause
    # between two tries. A task still waiting for its retry finds the e-mail sent and stops.
    lost = now - datetime.timedelta(
        seconds=settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS + PENDING_GRACE_SECONDS
    )
    mails = list(
        Notification.objects.filter(email_state=EmailState.QUEUED, email_updated_at__lt=lost)
        .order_by("email_updated_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in mails:
        enqueue(NOTIFICATION_EMAIL_SEND, [pk], queue="celery")
    return len(pending) + len(mails)
