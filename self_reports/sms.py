"""Short messages to a phone: the one-time code of the public report page.

The backend is chosen by `settings.SMS_BACKEND`, as mail's is by EMAIL_BACKEND. The console
backend (the default) writes the message to the log with the phone masked, never in full: the
log is read by operators who have no business with a person's number. Production names
`GatewayBackend`, which posts the message to the operator's SMS gateway, or a class of its own
with the same `send(phone, text)`.
"""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from core.masking import mask_phone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the channel (the gateway refused or was unreachable)."""


class BaseBackend:
    def send(self, phone: str, text: str) -> None:  # pragma: no cover - the interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, phone: str, text: str) -> None:
        logger.info("sms to %s: %s", mask_phone(phone), text)


class GatewayBackend(BaseBackend):
    """An HTTP POST of {"phone", "text"} to SMS_GATEWAY_URL with a bearer token: the shape most
    operators' gateways (and a small bridge in front of the others) take."""

    def send(self, phone: str, text: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise SmsError("SMS_GATEWAY_URL is not set")
        request = urllib.request.Request(  # noqa: S310 (the operator's configured URL)
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"phone": phone, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.SMS_GATEWAY_TIMEOUT_SECONDS
            ) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            raise SmsError(f"gateway answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SmsError(f"gateway unreachable: {type(error).__name__}") from error
        if status >= 300:
            raise SmsError(f"gateway answered {status}")


def sms_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_send(phone: str, text: str) -> None:
    sms_backend().send(phone, text)
