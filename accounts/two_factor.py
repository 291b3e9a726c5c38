"""Two-factor login: a TOTP device per user, ten single-use backup codes, and the login that waits
for a code between the password and the session.

A user with a confirmed device is not logged in after the password: the session only remembers,
for a few minutes, who gave the right password; the code step then logs them in (views in
accounts/login_views.py). A county may require two-factor login for some roles
(settings.TWO_FACTOR_ROLES); accounts/middleware.py sends such users to enrol or to the code step.
"""

import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.lockout import login_failure_record
from accounts.models import User

BACKUP_CODE_COUNT = 10
WRONG_CODE = _("This code is not right, or it was used already.")
# How long the password stays good for the code step: long enough to open the app and type.
PENDING_LOGIN_SECONDS = 5 * 60
PENDING_LOGIN_SESSION_KEY = "two_factor_pending_login"


def role_requires_two_factor(user: AbstractBaseUser) -> bool:
    role = getattr(user, "role", "")
    return bool(role) and role in settings.TWO_FACTOR_ROLES


def has_two_factor(user: AbstractBaseUser) -> bool:
    """Whether the user has a confirmed device, so that a login must give a code."""
    return user_has_device(user, confirmed=True)


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows, the same one until the user
    confirms it, so that reloading the page does not invalidate what they already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code in a data: URI (no request of its own,
    so the secret never sits in a URL or a server log)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def two_factor_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the enrolment device with a current code; returns it with fresh backup codes, or
    None when the code is wrong. Any older device of the user goes: one authenticator each."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_normalized(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device, backup_codes_replace(user=user)


@transaction.atomic
def backup_codes_replace(*, user: User) -> list[str]:
    """Ten new single-use codes; the old ones stop working. They are shown once, never again."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def code_verify(*, user: AbstractBaseUser, token: str) -> Device | None:
    """The device that accepts the code, or None. Six digits are an authenticator's code, anything
    else a backup code: each device is asked only about its own kind, so that a backup code does
    not count as a wrong guess against the authenticator's throttle (and the reverse)."""
    token = _normalized(token)
    kind = TOTPDevice if token.isdigit() and len(token) <= 8 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(token):
                return device
    return None


def login_code_check(request: HttpRequest, *, user: User, token: str) -> Device | None:
    """The code step of a login, on the page and through the API alike: the device that accepts
    the code, or None after counting the wrong code as a failed login (django-otp's own throttle
    slows guesses at the device on top)."""
    device = code_verify(user=user, token=token)
    if device is None:
        login_failure_record(request, user)
    return device


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _normalized(token: str) -> str:
    return "".join(token.split()).lower()


def pending_login_start(request: HttpRequest, user: AbstractBaseUser) -> None:
    request.session[PENDING_LOGIN_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "since": time.time(),
    }


def pending_login_user(request: HttpRequest) -> User | None:
    """The user who gave the right password in this session a moment ago, if any."""
    pending = request.session.get(PENDING_LOGIN_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending["since"] > PENDING_LOGIN_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def pending_login_end(request: HttpRequest) -> None:
    request.session.pop(PENDING_LOGIN_SESSION_KEY, None)
