"""Where attached files are stored, as the environment says: the filesystem under var/ by
default, an S3-compatible store (MinIO in docker-compose) when a bucket is named."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.security.test_keys import _random_keys, _read_settings


def test_files_stay_on_the_filesystem_under_var_by_default(monkeypatch):
    settings = _read_settings(monkeypatch, {"DIXIAN_DEBUG": "false", **_random_keys()})
    default = settings["STORAGES"]["default"]
    assert default["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert str(default["OPTIONS"]["location"]).endswith("var/evidence")
    assert settings["EVIDENCE_MAX_BYTES"] == 10 * 1024 * 1024


def test_a_bucket_puts_files_in_the_s3_store_privately(monkeypatch):
    settings = _read_settings(
        monkeypatch,
        {
            "DIXIAN_DEBUG": "false",
            **_random_keys(),
            "DIXIAN_S3_BUCKET": "dixian-evidence",
            "DIXIAN_S3_ENDPOINT_URL": "http://minio:9000",
            "DIXIAN_S3_ACCESS_KEY": "dixian",
            "DIXIAN_S3_SECRET_KEY": "a-long-random-secret-of-this-county",
        },
    )
    default = settings["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "dixian-evidence"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["default_acl"] is None and options["file_overwrite"] is False


def test_the_published_minio_password_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DIXIAN_S3_SECRET_KEY"):
        _read_settings(
            monkeypatch,
            {
                "DIXIAN_DEBUG": "false",
                **_random_keys(),
                "DIXIAN_S3_BUCKET": "dixian-evidence",
                "DIXIAN_S3_SECRET_KEY": "change-me-to-a-long-random-minio-password",
            },
        )


def test_the_s3_backend_is_importable():
    from storages.backends.s3 import S3Storage

    storage = S3Storage(
        bucket_name="b", endpoint_url="http://minio:9000", access_key="a", secret_key="s"
    )
    assert storage.bucket_name == "b"
