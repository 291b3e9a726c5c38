"""The admin speaks Chinese: Django's own pages, the libraries' (sign-in protection, API tokens,
two-factor devices) and Dixian's models, for a superuser who sees every page of it."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.models import User
from tests.conftest import client_for
from tests.page_language import english_words

pytestmark = pytest.mark.django_db

# What stays English because it is data or a technical name, not the admin's words.
ALLOWED = {"superuser", "township_cadre", "pbkdf2_sha256", "md5", "<unknown>"}
# The password field's summary: a hash's salt and digest, shown only by their first characters.
MASKED_HASH = re.compile(r"^[\w+/=]+\*+$")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("superuser", password="test-password-123")


@pytest.fixture
def library_records(superuser, household):
    AuthToken.objects.create(user=superuser)
    device = StaticDevice.objects.create(user=superuser, name="backup")
    StaticToken.objects.create(device=device, token="12345678")
    TOTPDevice.objects.create(user=superuser, name="phone", confirmed=False)
    record = {"username": "superuser", "ip_address": "127.0.0.1", "user_agent": "pytest"}
    AccessAttempt.objects.create(**record, failures_since_start=1)
    AccessFailureLog.objects.create(**record)
    AccessLog.objects.create(**record)


def admin_pages() -> dict[str, set[str]]:
    """Each admin page, with the title of the record it shows (data, whatever its language)."""
    pages: dict[str, set[str]] = {"/admin/": set(), "/admin/password_change/": set()}
    for model in admin.site._registry:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        pages.update({f"/admin/{meta.app_label}/": set(), base: set(), f"{base}add/": set()})
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            title = {str(first), f"› {first}"}
            pages.update({f"{base}{first.pk}/change/": title, f"{base}{first.pk}/history/": title})
    return pages


def test_every_admin_page_is_in_chinese(superuser, library_records):
    client = client_for(superuser)
    english = {}
    for page, record_titles in admin_pages().items():
        response = client.get(page)
        if response.status_code != 200:  # an add page the model does not offer
            assert response.status_code in (302, 403), page
            continue
        for words in english_words(response.content.decode()):
            if words not in ALLOWED | record_titles and not MASKED_HASH.match(words):
                english.setdefault(words, page)
    assert not english, "\n".join(f"{page}: {words}" for words, page in sorted(english.items()))
