"""Outbound webhooks: https only, signed payloads without personal numbers, retries with a
growing pause, a delivery log the county sees and no one else."""

import datetime
import hashlib
import hmac
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from monitoring.models import Notification, Webhook, WebhookDelivery
from monitoring.services.notifications import notification_deliver, notify
from monitoring.services.webhooks import webhook_create, webhook_delivery_attempt
from tests.conftest import client_for
from tests.idgen import make_id_number
from tests.monitoring.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

SECRET = "s3cret-of-the-county-bridge"


@pytest.fixture
def local_http(settings):
    """Plain http to the local receiver only: what DIXIAN_WEBHOOK_ALLOW_HTTP_HOSTS is for."""
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_BACKOFF_SECONDS = 30.0
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    return settings


def _deliveries_for(user, household) -> list[WebhookDelivery]:
    notify(
        [user],
        key="alert_assigned",
        arguments={"number": household.number, "head": household.head_name},
        link="/alerts/1/",
    )
    notification_deliver(Notification.objects.get(user=user).pk)
    return list(WebhookDelivery.objects.all())


def test_an_http_address_is_refused_with_a_translated_error_and_nothing_written(
    county_officer, settings
):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = []
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        webhook_create(actor=county_officer, name="钉钉", url="http://bridge.example.cn/hook")
    assert "必须使用 https" in refused.value.message_dict["url"][0]
    response = client_for(county_officer).post(
        "/webhooks/", {"name": "钉钉", "url": "http://bridge.example.cn/hook"}
    )
    assert response.status_code == 200 and "必须使用 https" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_county_officer_adds_a_webhook_and_its_secret_is_shown_once(county_officer):
    client = client_for(county_officer)
    response = client.post("/webhooks/", {"name": "政务微信", "url": "https://bridge.example.cn/h"})
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert webhook.region_id == county_officer.region_id and len(webhook.secret) >= 32
    assert webhook.secret in response.content.decode()
    again = client.get("/webhooks/").content.decode()
    assert webhook.secret not in again and webhook.masked_secret in again


def test_the_payload_is_signed_and_carries_no_id_number_or_phone(
    local_http, county_officer, village_worker, household
):
    webhook_create(actor=county_officer, name="bridge", url="https://x.example.cn/", secret=SECRET)
    with Receiver() as receiver:
        Webhook.objects.update(url=receiver.url)
        (delivery,) = _deliveries_for(village_worker, household)
        assert webhook_delivery_attempt(delivery.pk) is None
    headers, body = receiver.received[0]
    expected = hmac.new(
        SECRET.encode(), headers["X-Dixian-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["X-Dixian-Signature"], f"sha256={expected}")
    assert headers["X-Dixian-Delivery"] == str(delivery.pk)
    payload = json.loads(body)
    assert payload["kind"] == "alert_assigned" and household.number in payload["text"]
    text = body.decode()
    head_id_number = make_id_number("620423", "19680315", 1)  # tests/conftest.py's household
    for secret_number in ("13893001234", "6228480402564890018", head_id_number, "13893005678"):
        assert secret_number not in text
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_receiver_failing_twice_gets_it_on_the_third_attempt_after_growing_pauses(
    local_http, county_officer, village_worker, household
):
    webhook_create(actor=county_officer, name="bridge", url="https://x.example.cn/", secret=SECRET)
    with Receiver(statuses=[500, 500]) as receiver:
        Webhook.objects.update(url=receiver.url)
        (delivery,) = _deliveries_for(village_worker, household)
        now = timezone.now()
        first = webhook_delivery_attempt(delivery.pk, now=now)
        assert first == 30.0
        # Not due yet: a second worker (or the sweep) does nothing.
        assert webhook_delivery_attempt(delivery.pk, now=now) is None
        delivery.refresh_from_db()
        assert delivery.next_attempt_at >= now + datetime.timedelta(seconds=29)
        second = webhook_delivery_attempt(delivery.pk, now=delivery.next_attempt_at)
        assert second == 60.0
        delivery.refresh_from_db()
        assert (delivery.status, delivery.last_status_code) == ("pending", 500)
        assert webhook_delivery_attempt(delivery.pk, now=delivery.next_attempt_at) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert len(receiver.received) == 3


def test_a_delivery_is_given_up_after_the_last_attempt(
    local_http, county_officer, village_worker, household
):
    webhook_create(actor=county_officer, name="bridge", url="https://x.example.cn/", secret=SECRET)
    with Receiver(statuses=[503] * 10) as receiver:
        Webhook.objects.update(url=receiver.url)
        (delivery,) = _deliveries_for(village_worker, household)
        when = timezone.now()
        for _ in range(4):
            webhook_delivery_attempt(delivery.pk, now=when)
            when += datetime.timedelta(hours=2)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 4, 503)


def test_a_webhook_of_another_county_receives_nothing(
    local_http, county_officer, other_county_officer, village_worker, household
):
    webhook_create(actor=other_county_officer, name="theirs", url="https://x.example.cn/")
    assert _deliveries_for(village_worker, household) == []


def test_the_delivery_log_is_the_countys_and_refused_to_others(
    local_http, county_officer, other_county_officer, village_worker, township_cadre, household
):
    webhook_create(actor=county_officer, name="bridge-home", url="https://x.example.cn/")
    _deliveries_for(village_worker, household)
    log = client_for(county_officer).get("/webhooks/deliveries/")
    assert log.status_code == 200 and "bridge-home" in log.content.decode()
    theirs = client_for(other_county_officer).get("/webhooks/deliveries/")
    assert theirs.status_code == 200 and "bridge-home" not in theirs.content.decode()
    assert "bridge-home" not in client_for(other_county_officer).get("/webhooks/").content.decode()
    for outsider in (village_worker, township_cadre):
        assert client_for(outsider).get("/webhooks/deliveries/").status_code == 403
        assert client_for(outsider).post("/webhooks/", {"name": "x"}).status_code == 403
    assert Webhook.objects.count() == 1


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_adds_a_webhook_shows_its_secret_once_and_refuses_http(
    county_officer, village_worker, settings
):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = []
    client = _api(county_officer)
    refused = client.post(
        "/api/v1/webhooks/",
        {"name": "钉钉", "url": "http://bridge.example.cn/h"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert refused.status_code == 400 and "https" in refused.content.decode()
    assert not Webhook.objects.exists()
    made = client.post(
        "/api/v1/webhooks/",
        {"name": "钉钉", "url": "https://bridge.example.cn/h", "kinds": ["alert_assigned"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    secret = Webhook.objects.get().secret
    assert made.json()["secret"] == secret
    listed = client.get("/api/v1/webhooks/").content.decode()
    assert secret not in listed and "钉钉" in listed
    assert _api(village_worker).get("/api/v1/webhooks/").status_code == 403
    assert _api(village_worker).get("/api/v1/webhook-deliveries/").status_code == 403
    assert client.get("/api/v1/webhook-deliveries/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost:6379/",
        "https://[::1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.100.100.200/latest/meta-data/",
        "https://0.0.0.0/",
        "https://[::ffff:127.0.0.1]/",
    ],
)
def test_a_webhook_to_this_server_or_the_cloud_metadata_is_refused(county_officer, settings, url):
    """Outside DEBUG a county officer may not have the server post to, and probe through the
    delivery log, what only the server reaches; a bridge on the intranet (10.x) stays allowed."""
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = []
    response = client_for(county_officer).post(
        "/api/v1/webhooks/", {"name": "bridge", "url": url}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == "url"
    assert not Webhook.objects.exists()
    webhook_create(actor=county_officer, name="intranet", url="https://10.12.0.5/hook")


def test_a_delivery_to_a_name_now_pointing_at_this_server_is_not_posted(
    county_officer, village_worker, household, settings, monkeypatch
):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = []
    webhook_create(actor=county_officer, name="bridge", url="https://bridge.example.cn/h")
    monkeypatch.setattr(
        "monitoring.services.webhooks.socket.getaddrinfo",
        lambda *args, **kwargs: [(2, 1, 6, "", ("127.0.0.1", 0))],
    )
    posted = []
    monkeypatch.setattr(
        "monitoring.services.webhooks._opener.open", lambda *a, **k: posted.append(a)
    )
    (delivery,) = _deliveries_for(village_worker, household)
    webhook_delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert posted == [] and delivery.last_error == "refused: an internal address"
