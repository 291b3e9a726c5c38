"""Outside DEBUG, a key that is missing or published in the repository stops the process at start;
`make run` is a pilot install with DEBUG off and random keys of its own, kept in var/."""

import json
import os
import runpy
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from ops import pilot_keys

KEY_NAMES = ("DIXIAN_SECRET_KEY", "DIXIAN_ID_ENCRYPTION_KEYS", "DIXIAN_ID_HASH_KEY")
SETTINGS_FILE = str(Path(settings.BASE_DIR) / "config" / "settings.py")


def _random_keys() -> dict[str, str]:
    return {
        "DIXIAN_SECRET_KEY": secrets.token_urlsafe(50),
        "DIXIAN_ID_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DIXIAN_ID_HASH_KEY": secrets.token_urlsafe(32),
    }


def _published_values() -> dict[str, set[str]]:
    """Every value the repository itself gives a key: settings' development defaults and the
    placeholders of .env.example."""
    published = {
        "DIXIAN_SECRET_KEY": {settings.SECRET_KEY},
        "DIXIAN_ID_ENCRYPTION_KEYS": set(settings.ID_ENCRYPTION_KEYS),
        "DIXIAN_ID_HASH_KEY": {settings.ID_HASH_KEY},
    }
    example = (Path(settings.BASE_DIR) / ".env.example").read_text()
    for line in example.splitlines():
        name, _, value = line.partition("=")
        if name in published and value.strip():
            published[name].add(value.strip())
    return published


def _read_settings(monkeypatch, environment: dict[str, str]) -> dict:
    """Runs the settings module top to bottom, as a process starting with this environment would."""
    for name in [*os.environ]:
        if name.startswith("DIXIAN_"):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def test_tests_run_with_debug_off():
    assert settings.DEBUG is False


@pytest.mark.parametrize("missing", KEY_NAMES)
def test_production_refuses_to_start_without_a_key(monkeypatch, missing):
    environment = {"DIXIAN_DEBUG": "false", **_random_keys()}
    del environment[missing]
    with pytest.raises(ImproperlyConfigured, match=missing):
        _read_settings(monkeypatch, environment)
    environment[missing] = "  "
    with pytest.raises(ImproperlyConfigured, match=missing):
        _read_settings(monkeypatch, environment)


def test_production_refuses_every_key_value_published_in_the_repository(monkeypatch):
    published = _published_values()
    # The development defaults, and at least one placeholder of .env.example per string key.
    assert all(len(values) >= 1 for values in published.values())
    assert len(published["DIXIAN_SECRET_KEY"]) >= 2 and len(published["DIXIAN_ID_HASH_KEY"]) >= 2
    for mode in ({}, {"DIXIAN_PILOT": "true"}):
        for name, values in published.items():
            for value in values:
                environment = {"DIXIAN_DEBUG": "false", **mode, **_random_keys(), name: value}
                with pytest.raises(ImproperlyConfigured, match=name):
                    _read_settings(monkeypatch, environment)


def test_a_published_fernet_key_kept_for_rotation_is_refused_too(monkeypatch):
    keys = _random_keys()
    keys["DIXIAN_ID_ENCRYPTION_KEYS"] += "," + settings.ID_ENCRYPTION_KEYS[0]
    with pytest.raises(ImproperlyConfigured, match="published"):
        _read_settings(monkeypatch, {"DIXIAN_DEBUG": "false", **keys})


def test_production_refuses_an_id_key_that_is_not_a_fernet_key(monkeypatch):
    keys = {**_random_keys(), "DIXIAN_ID_ENCRYPTION_KEYS": "not-a-fernet-key"}
    with pytest.raises(ImproperlyConfigured, match="Fernet"):
        _read_settings(monkeypatch, {"DIXIAN_DEBUG": "false", **keys})


def test_production_starts_with_random_keys(monkeypatch):
    keys = _random_keys()
    values = _read_settings(monkeypatch, {"DIXIAN_DEBUG": "false", **keys})
    assert values["SECRET_KEY"] == keys["DIXIAN_SECRET_KEY"]
    assert values["ID_ENCRYPTION_KEYS"] == [keys["DIXIAN_ID_ENCRYPTION_KEYS"]]
    assert values["SESSION_COOKIE_SECURE"] is True and values["SECURE_SSL_REDIRECT"] is True


def test_pilot_key_file_is_made_once_readable_by_its_owner_only_and_reused(tmp_path):
    secrets_file = tmp_path / "var" / "secrets.env"
    first = pilot_keys.pilot_secrets(secrets_file)
    assert set(first) == set(KEY_NAMES)
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    Fernet(first["DIXIAN_ID_ENCRYPTION_KEYS"].encode())  # a real Fernet key
    assert not set(first.values()) & settings.PUBLISHED_KEYS

    secrets_file.chmod(0o644)  # someone loosened it: the next start tightens it again
    assert pilot_keys.pilot_secrets(secrets_file) == first
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    # Another install gets keys of its own.
    assert pilot_keys.pilot_secrets(tmp_path / "other.env") != first


def test_the_key_file_is_never_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(pilot_keys.SECRETS_FILE)], cwd=settings.BASE_DIR
    )
    assert ignored.returncode == 0


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def _start_settings(environment: dict[str, str]) -> subprocess.CompletedProcess:
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("DIXIAN")}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env={**inherited, **environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_run_starts_every_process_as_a_pilot_with_debug_off_and_its_own_keys(tmp_path):
    environment = pilot_keys.pilot_environment({"PATH": os.environ["PATH"]}, tmp_path / "keys.env")
    started = _start_settings(environment)
    assert started.returncode == 0, started.stderr
    values = json.loads(started.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECRET_KEY": pilot_keys.pilot_secrets(tmp_path / "keys.env")["DIXIAN_SECRET_KEY"],
        # Served over plain HTTP on the machine itself: no cookie it could not send back.
        "SESSION_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_production_process_with_a_published_key_does_not_start():
    environment = {
        "DIXIAN_DEBUG": "false",
        **_random_keys(),
        "DIXIAN_ID_HASH_KEY": settings.ID_HASH_KEY,
    }
    started = _start_settings(environment)
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and "DIXIAN_ID_HASH_KEY" in started.stderr


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*project_urlpatterns, path("boom/", _boom)]
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"


@pytest.mark.django_db
def test_unknown_page_is_the_projects_own_404_without_the_urlconf():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "此处没有内容" in text  # templates/404.html, in the default language
    assert "URLconf" not in text and "urlpatterns" not in text and "admin/" not in text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_the_projects_own_500_without_a_traceback():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器错误" in text and "dixian.css" in text  # templates/500.html
    assert "RuntimeError" not in text and "a bug" not in text and "Traceback" not in text
    assert "SECRET_KEY" not in text
