"""Notifications: stored with a key and arguments, read in the reader's language, sent once."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from monitoring.messages import render_message
from monitoring.models import Alert, Notification
from monitoring.services import alerts as alert_services
from monitoring.services.notifications import (
    notification_deliver,
    notification_email_send,
    notify,
)
from tests.conftest import client_for, committed_db

pytestmark = pytest.mark.django_db

ARGS = {"region": "水源村", "count": 1}


def test_a_message_stored_with_its_key_reads_in_chinese_and_in_english(village_worker):
    notify(
        [village_worker],
        key="step_due",
        arguments={"step": "Home verification", "number": "62042310020001", "due": "2026-12-05"},
        link="/cases/1/",
    )
    row = Notification.objects.get(user=village_worker)
    assert (row.message_key, row.arguments["due"]) == ("step_due", "2026-12-05")
    with translation.override("zh-hans"):
        assert row.rendered == "请在 12月5日前完成户号 62042310020001 的入户核实。"
    with translation.override("en"):
        assert (
            row.rendered
            == "Please finish Home verification for household 62042310020001 by December 5."
        )
    # The stored text is the default language's, for readers that know no key.
    assert row.text == "请在 12月5日前完成户号 62042310020001 的入户核实。"


def test_a_notification_made_the_old_way_keeps_showing_its_text(village_worker):
    Notification.objects.create(user=village_worker, text="旧通知", link="/alerts/")
    response = client_for(village_worker).get("/notifications/")
    assert "旧通知" in response.content.decode()


def test_the_notifications_page_shows_the_message_in_the_readers_language(village_worker):
    notify([village_worker], key="area_signal", arguments={"region": "水源村", "count": 12})
    client = client_for(village_worker)
    assert "12 户" in client.get("/notifications/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "12 households affected" in english


def test_an_unknown_key_is_refused_and_nothing_is_written(village_worker):
    with pytest.raises(ValueError):
        notify([village_worker], key="no_such_key", arguments={})
    assert not Notification.objects.exists()
    assert render_message("no_such_key", {}) == ""


def test_the_same_dedupe_key_twice_makes_one_notification(village_worker, township_cadre):
    made = [
        notify(
            [village_worker, township_cadre],
            key="area_signal",
            arguments={"region": "x", "count": 1},
            dedupe_key="k1",
        )
        for _ in range(2)
    ]
    assert made == [2, 0]
    assert Notification.objects.filter(dedupe_key="k1").count() == 2


@committed_db
def test_two_at_once_with_the_same_dedupe_key_make_one_notification(village_worker):
    start, made = threading.Barrier(2), []

    def send():
        try:
            start.wait()
            made.append(
                notify(
                    [village_worker],
                    key="area_signal",
                    arguments={"region": "x", "count": 1},
                    dedupe_key="once",
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [0, 1]
    assert Notification.objects.filter(user=village_worker, dedupe_key="once").count() == 1


def test_the_email_channel_delivers_once_in_the_default_language(village_worker):
    village_worker.email = "worker@example.cn"
    village_worker.save()
    notify(
        [village_worker],
        key="area_signal",
        arguments={"region": "水源村", "count": 12},
        link="/alerts/",
    )
    row = Notification.objects.get()
    assert notification_deliver(row.pk) is True
    assert notification_deliver(row.pk) is False  # queued twice: sent once
    # The e-mail is a task of its own (retried apart from the webhooks), also sent once.
    assert notification_email_send(row.pk) == "sent"
    assert notification_email_send(row.pk) == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["worker@example.cn"]
    assert "水源村" in message.body and "12 户" in message.body and "/alerts/" in message.body


def test_an_id_number_or_phone_in_the_arguments_is_masked(village_worker):
    notify(
        [village_worker],
        key="measure_recorded",
        arguments={"partner": "13893001234", "status": "Completed", "title": "620423196803150013"},
    )
    row = Notification.objects.get()
    assert "13893001234" not in row.text and "620423196803150013" not in row.text
    assert "13893001234" not in str(row.arguments)


def test_assigning_a_warning_notifies_the_assignee_with_a_key(
    village_worker, township_cadre, household
):
    from monitoring import scans
    from tests.monitoring.conftest import TODAY, poor_figures, record

    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    alert = Alert.objects.get(household=household)
    alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )
    row = Notification.objects.get(user=village_worker, message_key="alert_assigned")
    assert row.arguments == {"number": household.number, "head": "张建国"}
    with translation.override("en"):
        assert household.number in row.rendered and "verify" in row.rendered


def test_the_beat_sends_the_digest_and_the_sweeps_to_tasks_the_worker_knows(settings):
    from config.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in (
        "monitoring.tasks.send_daily_digests",
        "monitoring.tasks.notifications_dispatch_pending",
        "monitoring.tasks.webhook_deliveries_due",
    ):
        assert name in tasks and name in app.tasks
    assert tasks <= set(app.tasks)


def test_a_notification_whose_queueing_was_lost_is_picked_up_by_the_sweep(
    village_worker, monkeypatch
):
    import datetime

    from django.utils import timezone

    from monitoring.services import notifications

    queued = []
    monkeypatch.setattr(notifications, "enqueue", lambda name, args, queue: queued.append(args))
    notify([village_worker], key="area_signal", arguments=ARGS)
    row = Notification.objects.get()
    assert notifications.notifications_dispatch_pending() == 0  # too young: the normal path
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert notifications.notifications_dispatch_pending(now=later) == 1 and queued == [[row.pk]]
    notification_deliver(row.pk)
    assert notifications.notifications_dispatch_pending(now=later) == 0
