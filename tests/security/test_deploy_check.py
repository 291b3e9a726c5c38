"""`manage.py check --deploy` passes, warning-free, with the environment production sets
(DIXIAN_DEBUG=false and every secret), in a process of its own: settings are read at import."""

import json
import os
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

from tests.security.test_headers import PRODUCTION_HSTS


def _production_environment(**overrides: str) -> dict[str, str]:
    # Nothing of the developer's or CI's own DIXIAN_* settings leaks into the check.
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("DIXIAN")}
    return {
        **inherited,
        "DIXIAN_DEBUG": "false",
        "DIXIAN_SECRET_KEY": secrets.token_urlsafe(50),
        "DIXIAN_ID_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DIXIAN_ID_HASH_KEY": secrets.token_urlsafe(32),
        "DIXIAN_ALLOWED_HOSTS": "dixian.example.gov.cn",
        "DIXIAN_CSRF_TRUSTED_ORIGINS": "https://dixian.example.gov.cn",
        "DATABASE_URL": "postgres://dixian:secret@db.example.internal:5432/dixian",
        "CELERY_BROKER_URL": "redis://redis.example.internal:6379/0",
        **overrides,
    }


def _check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_settings_pass_check_deploy_without_a_warning():
    result = _check_deploy(_production_environment())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in result.stdout, output
    assert "WARNINGS:" not in output and "(security." not in output, output


def test_check_deploy_fails_when_production_turns_hsts_off():
    # The same check has teeth: without HSTS it names the missing header and fails.
    result = _check_deploy(_production_environment(DIXIAN_HSTS_SECONDS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
names = [*%r, "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "DEBUG"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def test_production_defaults_are_the_values_the_header_test_assumes():
    printed = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS % list(PRODUCTION_HSTS)],
        env={**_production_environment(), "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    values = json.loads(printed.stdout.strip().splitlines()[-1])
    assert values == {
        **PRODUCTION_HSTS,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "DEBUG": False,
    }
