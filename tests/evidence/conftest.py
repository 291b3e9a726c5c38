"""A household walked to a case with a measure, its files kept in a folder of the test's own."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assistance.models import Measure, MeasureKind
from tests.assistance.conftest import (  # noqa: F401  (fixtures)
    case,
    clock,
    confirmed_alert,
    household,
    other_partner,
)


@pytest.fixture(autouse=True)
def storage_folder(settings, tmp_path):
    folder = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _rational(value: float):
    return (int(value), int((value % 1) * 60), round(((value * 60) % 1) * 60 * 100) / 100)


def jpeg(*, gps: tuple[float, float] | None = None, size=(40, 30), name="photo.jpg"):
    """A small JPEG photo; with a GPS block in its EXIF (and a camera make) when asked."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "DixianCam"  # Make
    if gps is not None:
        latitude, longitude = gps
        exif[0x8825] = {
            1: "N" if latitude >= 0 else "S",
            2: _rational(abs(latitude)),
            3: "E" if longitude >= 0 else "W",
            4: _rational(abs(longitude)),
        }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="minutes.pdf"):
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def exe(name="photo.jpg"):
    """A Windows program renamed to .jpg, sent as image/jpeg."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")


@pytest.fixture
def measure(case, township_cadre, partner_org) -> Measure:  # noqa: F811
    return Measure.objects.create(
        case=case,
        kind=MeasureKind.values[0],
        title="肉牛养殖扶持",
        partner=partner_org,
        responsible=township_cadre,
        planned_start=case.proposed_on,
        created_by=township_cadre,
    )
