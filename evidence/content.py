"""What an uploaded file is, judged by its bytes: never by the name or type the client sent.

A photo is decoded and written again by Pillow, which drops everything but the pixels: the
camera's EXIF block (make, serial number, time, location), comments, embedded thumbnails and
anything appended after the image. The location, when the camera recorded one, is read first and
kept apart (the Evidence row's own fields), so that it is shown only to those who may see it.
A PDF is kept as it came: it is served as a download (never shown inline on our origin).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# What may be attached, by the type the content shows: (extension, Pillow's format or None).
ACCEPTED: dict[str, tuple[str, str | None]] = {
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "image/webp": ("webp", "WEBP"),
    "application/pdf": ("pdf", None),
}
# The `accept` attribute of the file inputs (a hint to the phone; the server decides).
ACCEPT_ATTRIBUTE = "image/*,application/pdf"
# A photo larger than this on its longer side is scaled down: a phone's 48-megapixel picture of a
# receipt reads as well at 2,560 pixels, and takes a tenth of the space.
MAX_IMAGE_SIDE = 2560
# Refused before decoding: a small file that claims a gigantic canvas (a "decompression bomb").
MAX_IMAGE_PIXELS = 60_000_000
GPS_IFD = 0x8825

TYPE_ERROR = _("Only photos (JPEG, PNG, WebP) and PDF files can be attached.")


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    extension: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def read_limited(upload, max_bytes: int) -> bytes:
    """The upload's bytes, refusing an empty one or one larger than `max_bytes` (reads at most
    one byte past the limit)."""
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": _megabytes(max_bytes)},
            code="too_big",
        )
    return data


def clean_file(data: bytes) -> CleanFile:
    """The file to store, or a ValidationError saying what is wrong with it."""
    kind = filetype.guess(data)
    mime = kind.mime if kind is not None else ""
    if mime not in ACCEPTED:
        raise ValidationError(TYPE_ERROR, code="type")
    extension, image_format = ACCEPTED[mime]
    if image_format is None:
        return _clean_pdf(data)
    return _clean_image(data, mime, extension, image_format)


def _clean_pdf(data: bytes) -> CleanFile:
    # filetype looks at the first bytes only; a PDF ends with its %%EOF marker (within the
    # last kilobyte, allowing for trailing whitespace or an appended newline).
    if b"%%EOF" not in data[-1024:]:
        raise ValidationError(_("The PDF file is damaged or incomplete."), code="damaged")
    return CleanFile(content=data, content_type="application/pdf", extension="pdf")


def _clean_image(data: bytes, mime: str, extension: str, image_format: str) -> CleanFile:
    damaged = ValidationError(_("The photo is damaged and cannot be read."), code="damaged")
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_big")
            probe.verify()
        # verify() leaves the image unusable: open again to decode it.
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            latitude, longitude = gps_of(image)
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            return CleanFile(
                content=_encode(upright, image_format),
                content_type=mime,
                extension=extension,
                latitude=latitude,
                longitude=longitude,
            )
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise damaged from None


def _encode(image: Image.Image, image_format: str) -> bytes:
    """The pixels alone, in the same format: a fresh image, so that nothing of the original's
    metadata (EXIF, XMP, comments, text chunks, ICC profile) can ride along."""
    if max(image.size) > MAX_IMAGE_SIDE:
        image = image.copy()
        image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and image_format != "JPEG" else "RGB"
    if image.mode == "L" and not has_alpha:
        mode = "L"
    pixels = image.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    options: dict = {"JPEG": {"quality": 85}, "WEBP": {"quality": 85}}.get(image_format, {})
    clean.save(out, format=image_format, **options)
    return out.getvalue()


def gps_of(image: Image.Image) -> tuple[Decimal | None, Decimal | None]:
    """The latitude and longitude a camera wrote into the photo's EXIF, in degrees to six
    places (about 0.1 m), or (None, None)."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a damaged EXIF block is no reason to refuse the photo
        return None, None
    latitude = _degrees(gps.get(2), gps.get(1), limit=90)
    longitude = _degrees(gps.get(4), gps.get(3), limit=180)
    if latitude is None or longitude is None:
        return None, None
    return latitude, longitude


def _degrees(value, reference, *, limit: int) -> Decimal | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    total = degrees + minutes / 60 + seconds / 3600
    if isinstance(reference, bytes):
        reference = reference.decode("ascii", "ignore")
    if str(reference).strip().upper() in ("S", "W"):
        total = -total
    if not -limit <= total <= limit or total != total:
        return None
    return Decimal(str(round(total, 6)))


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:g}"
