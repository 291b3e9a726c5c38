"""Outbound webhooks: a county's bridge to 政务微信, 钉钉 or SMS receives each notification of
its users as signed JSON, retried with a growing pause until it answers 2xx.

The signature: `X-Dixian-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the
webhook's secret, and `X-Dixian-Timestamp: <unix seconds>`; a receiver refuses a timestamp more
than a few minutes old (a replay) and a delivery id it has seen (`X-Dixian-Delivery`).
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.queueing import WEBHOOK_DELIVER, enqueue
from core.request_log import mask_personal_numbers
from households.selectors import region_within
from monitoring.messages import MESSAGES
from monitoring.models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Dixian-Signature"
TIMESTAMP_HEADER = "X-Dixian-Timestamp"
DELIVERY_HEADER = "X-Dixian-Delivery"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# The cloud's metadata services that answer on an ordinary address (Alibaba Cloud's); the
# others (AWS, Tencent Cloud, …) are link-local, refused as such.
METADATA_ADDRESSES = {ipaddress.ip_address("100.100.100.200")}


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
        or ip in METADATA_ADDRESSES
    )


def points_inside(url: str, *, resolve: bool) -> bool:
    """Whether a webhook's address is this machine or its cloud's metadata service (loopback,
    link-local, unspecified, multicast, reserved): a county officer could otherwise have the
    server post to, and probe by the delivery log, services only it may reach. The bridges of
    a government intranet (10.x, 172.16.x, 192.168.x) stay allowed: that is where they live.
    Not checked under DEBUG or for a host in DIXIAN_WEBHOOK_ALLOW_HTTP_HOSTS (the operator's own
    receiver). `resolve` looks the name up too (at delivery: a name may point at 127.0.0.1)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if settings.DEBUG or host in settings.WEBHOOK_ALLOW_HTTP_HOSTS:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return _internal(host)
    except ValueError:
        pass  # a name, not an address
    if not resolve:
        return False
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False  # not found: the post fails on its own and is retried
    return any(_internal(str(info[4][0])) for info in found)


def webhook_url_check(url: str) -> None:
    """https only; plain http under DEBUG, or to a host named in
    DIXIAN_WEBHOOK_ALLOW_HTTP_HOSTS (a receiver on the same machine, the tests' one). Never
    this machine or its cloud's metadata service (`points_inside`)."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a valid https address.")}) from None
    if points_inside(url, resolve=False):
        raise ValidationError(
            {
                "url": _(
                    "A webhook may not point at this server or its cloud's internal "
                    "addresses (localhost, 127.x, 169.254.x); give the bridge's own address."
                )
            }
        )
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if settings.DEBUG or parts.hostname in settings.WEBHOOK_ALLOW_HTTP_HOSTS:
        return
    raise ValidationError(
        {
            "url": _(
                "A webhook must use https: its messages would otherwise cross the network "
                "in the clear."
            )
        }
    )


def webhook_create(
    *, actor: User, name: str, url: str, secret: str = "", kinds: list[str] | None = None
) -> Webhook:
    """A county officer adds a webhook for their county. Without a secret one is made."""
    if not actor.has_perm("monitoring.add_webhook") or not actor.region_id:
        raise PermissionDenied(_("Your role may not do this."))
    name, url = (name or "").strip(), (url or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors.setdefault("name", []).append(_("Give the webhook a name."))
    try:
        webhook_url_check(url)
    except ValidationError as error:
        errors.setdefault("url", []).extend(error.message_dict["url"])
    kinds = sorted(set(kinds or []))
    unknown = [kind for kind in kinds if kind not in MESSAGES]
    if unknown:
        errors.setdefault("kinds", []).append(
            _("Unknown kinds of notification: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        )
    secret = (secret or "").strip()
    if secret and len(secret) < 16:
        errors.setdefault("secret", []).append(
            _("A signing secret has at least 16 characters; leave it empty to have one made.")
        )
    if errors:
        raise ValidationError(errors)
    region = region_within(user=actor, code=actor.region_id)
    if region is None:
        raise PermissionDenied(_("Your role may not do this."))
    with transaction.atomic():
        return Webhook.objects.create(
            region=region,
            name=name[:100],
            url=url,
            secret=secret or secrets.token_urlsafe(32),
            kinds=kinds,
            created_by=actor,
        )


def webhook_payload(delivery: WebhookDelivery) -> dict:
    """What a webhook receives: the message in the default language, its key and arguments,
    the recipient's user name and region. No ID number, phone, bank account or health data:
    the arguments name a household by number and head name, and any such number is masked."""
    notification = delivery.notification
    with translation.override(settings.LANGUAGE_CODE):
        text = notification.rendered
    return {
        "delivery": delivery.pk,
        "kind": notification.message_key or "text",
        "text": mask_personal_numbers(text),
        "arguments": json.loads(mask_personal_numbers(json.dumps(notification.arguments))),
        "link": notification.link,
        "recipient": {
            "username": notification.user.username,
            "region": notification.user.region_id,
        },
        "created_at": notification.created_at.isoformat(),
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead the signed message to plain http or to another host: not followed.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _backoff(attempts: int) -> float:
    base = settings.WEBHOOK_BACKOFF_SECONDS
    return float(min(base * 2 ** (attempts - 1), settings.WEBHOOK_BACKOFF_MAX_SECONDS))


def webhook_delivery_attempt(delivery_id: int, *, now: datetime.datetime | None = None):
    """One attempt of a delivery that is due; the seconds until the next attempt, or None when
    there is none (delivered, given up, not due, or claimed by another worker).

    The claim is a conditional UPDATE that counts the attempt and moves `next_attempt_at` past
    the request's timeout, so two workers never post the same attempt, and an attempt whose
    worker died is taken up by the sweep once that time has passed."""
    now = now or timezone.now()
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(
        attempts=F("attempts") + 1,
        next_attempt_at=now + datetime.timedelta(seconds=timeout * 2 + 60),
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related(
        "webhook", "notification", "notification__user"
    ).get(pk=delivery_id)
    code, error = _post(delivery)
    done = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts)
    if code is not None and 200 <= code < 300:
        done.update(
            status=WebhookDelivery.Status.DELIVERED,
            last_status_code=code,
            last_error="",
            delivered_at=timezone.now(),
        )
        return None
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not delivery.webhook.active:
        done.update(status=WebhookDelivery.Status.FAILED, last_status_code=code, last_error=error)
        logger.warning(
            "webhook delivery %s given up after %s attempts: %s %s",
            delivery.pk,
            delivery.attempts,
            code,
            error,
        )
        return None
    delay = _backoff(delivery.attempts)
    done.update(
        last_status_code=code,
        last_error=error,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
    )
    return delay


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    webhook = delivery.webhook
    # Checked again here: the setting may have changed since the webhook was saved, and its
    # name may have been pointed at this machine since.
    if points_inside(webhook.url, resolve=True):
        return None, "refused: an internal address"
    try:
        webhook_url_check(webhook.url)
    except ValidationError:
        return None, "refused: not https"
    body = json.dumps(webhook_payload(delivery), ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Dixian-Webhook/1",
            SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
            TIMESTAMP_HEADER: timestamp,
            DELIVERY_HEADER: str(delivery.pk),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"[:300]
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:300]


def webhook_deliveries_due(*, now: datetime.datetime | None = None) -> int:
    """The sweep: queue the deliveries that are due (a retry or a queueing that was lost)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        enqueue(WEBHOOK_DELIVER, [pk], queue="celery")
    return len(due)
