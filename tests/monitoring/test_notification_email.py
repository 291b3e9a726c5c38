"""A notification's e-mail: its own task, retried with a growing pause on SMTP errors, recorded
as failed when the retries are spent, and never sent twice."""

import datetime
import smtplib

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from monitoring import tasks
from monitoring.models import Notification
from monitoring.services import notifications
from monitoring.services.notifications import notification_deliver, notify
from tests.monitoring.flaky_mail import FlakyBackend

pytestmark = pytest.mark.django_db

FLAKY = "tests.monitoring.flaky_mail.FlakyBackend"


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = FLAKY
    FlakyBackend.failures, FlakyBackend.attempts = 0, 0
    FlakyBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    yield FlakyBackend
    FlakyBackend.failures = 0


@pytest.fixture
def queued(village_worker) -> Notification:
    village_worker.email = "worker@example.cn"
    village_worker.save()
    notify([village_worker], key="area_signal", arguments={"region": "水源村", "count": 3})
    row = Notification.objects.get()
    assert notification_deliver(row.pk) is True
    row.refresh_from_db()
    assert row.email_state == "queued"
    return row


def test_the_email_task_retries_with_a_growing_bounded_pause():
    task = tasks.notification_email_send
    assert task.retry_backoff == django_settings.EMAIL_RETRY_BACKOFF_SECONDS
    assert task.retry_backoff_max == django_settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS
    assert task.max_retries == django_settings.EMAIL_MAX_RETRIES
    assert notifications.EmailNotSent in task.autoretry_for


def test_an_smtp_error_is_retried_and_the_email_is_sent_once(flaky, queued):
    flaky.failures = 2
    result = tasks.notification_email_send.apply(args=[queued.pk])
    assert result.get() == "sent"
    assert flaky.attempts == 3 and len(mail.outbox) == 1
    queued.refresh_from_db()
    assert (queued.email_state, queued.email_attempts, queued.email_error) == ("sent", 3, "")
    # Queued again (a sweep, a duplicate message): the e-mail is sent already, nothing is sent.
    assert tasks.notification_email_send.apply(args=[queued.pk]).get() == "sent"
    assert len(mail.outbox) == 1 and flaky.attempts == 3


def test_when_the_retries_are_spent_the_failure_is_recorded_and_nothing_is_sent(flaky, queued):
    flaky.failures = 100
    assert tasks.notification_email_send.apply(args=[queued.pk]).get() == "failed"
    queued.refresh_from_db()
    assert queued.email_state == "failed"
    assert queued.email_attempts == django_settings.EMAIL_MAX_RETRIES + 1
    assert "SMTPServerDisconnected" in queued.email_error
    assert mail.outbox == []
    # A failed e-mail is not tried again by a later task.
    assert tasks.notification_email_send.apply(args=[queued.pk]).get() == "failed"
    assert flaky.attempts == django_settings.EMAIL_MAX_RETRIES + 1


def test_a_refused_recipient_is_recorded_at_once_without_retrying(flaky, queued):
    flaky.failures = 1
    flaky.error = smtplib.SMTPRecipientsRefused({"worker@example.cn": (550, b"No such user")})
    assert tasks.notification_email_send.apply(args=[queued.pk]).get() == "failed"
    queued.refresh_from_db()
    assert (queued.email_state, queued.email_attempts) == ("failed", 1)
    assert flaky.attempts == 1
    assert "worker@" not in queued.email_error and "***@example.cn" in queued.email_error


def test_a_permanent_answer_is_not_retried(flaky, queued):
    flaky.failures = 1
    flaky.error = smtplib.SMTPDataError(554, b"Message rejected")
    assert tasks.notification_email_send.apply(args=[queued.pk]).get() == "failed"
    assert flaky.attempts == 1


def test_an_email_that_fails_to_render_is_recorded_failed_not_left_sending(
    flaky, queued, monkeypatch
):
    def broken(notification):
        raise KeyError("subject")

    monkeypatch.setattr(notifications, "_send_email", broken)
    assert notifications.notification_email_send(queued.pk) == "failed"
    queued.refresh_from_db()
    assert queued.email_state == "failed" and "KeyError" in queued.email_error


def test_an_email_another_attempt_holds_is_not_sent_again(flaky, queued):
    Notification.objects.filter(pk=queued.pk).update(email_state="sending")
    assert notifications.notification_email_send(queued.pk) == "sending"
    assert flaky.attempts == 0 and mail.outbox == []


def test_a_user_without_an_address_gets_no_email(village_worker):
    notify([village_worker], key="area_signal", arguments={"region": "水源村", "count": 3})
    row = Notification.objects.get()
    notification_deliver(row.pk)
    row.refresh_from_db()
    assert row.email_state == ""
    assert notifications.notification_email_send(row.pk) == ""
    assert mail.outbox == []


def test_an_email_whose_queueing_was_lost_is_queued_again_by_the_sweep(queued, monkeypatch):
    sent = []
    monkeypatch.setattr(notifications, "enqueue", lambda name, args, queue: sent.append(name))
    assert notifications.notifications_dispatch_pending() == 0  # waiting for its task
    later = timezone.now() + datetime.timedelta(
        seconds=django_settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS + 300
    )
    assert notifications.notifications_dispatch_pending(now=later) == 1
    assert sent == ["monitoring.tasks.notification_email_send"]
