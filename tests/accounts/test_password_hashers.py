"""Tests hash passwords with MD5 for speed (tests/conftest.py); production must not."""

import json
import subprocess
import sys

from django.conf import settings
from django.contrib.auth.hashers import get_hasher

from tests.security.test_deploy_check import _production_environment

SLOW_HASHERS = {
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
}

PRINT_HASHERS = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
hasher = get_hasher()
print(json.dumps({"hashers": settings.PASSWORD_HASHERS, "algorithm": hasher.algorithm,
                  "iterations": getattr(hasher, "iterations", None),
                  "hash": make_password("dixian-demo-2026")}))
"""


def test_production_hashes_passwords_with_a_slow_hasher_first():
    # Settings as production loads them: DEBUG off, every secret set, in a process of its own.
    printed = subprocess.run(
        [sys.executable, "-c", PRINT_HASHERS],
        env={**_production_environment(), "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    production = json.loads(printed.stdout.strip().splitlines()[-1])
    assert production["hashers"][0] in SLOW_HASHERS
    assert not any("MD5" in name or "Unsalted" in name for name in production["hashers"])
    assert production["algorithm"] in {"pbkdf2_sha256", "argon2", "scrypt"}
    if production["algorithm"] == "pbkdf2_sha256":
        assert production["iterations"] >= 600_000  # OWASP's floor for PBKDF2-HMAC-SHA256
    assert production["hash"].startswith(production["algorithm"] + "$")


def test_the_tests_alone_hash_with_md5_and_still_check_production_hashes():
    assert get_hasher().algorithm == "md5"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in settings.PASSWORD_HASHERS[1:]
