"""The clinic logo: checked, shrunk and re-encoded on upload; stored under a content hash.

An upload is trusted only after Pillow has opened it: the file name and the browser's content
type are ignored (OWASP ASVS 5.0 V5, file handling: check type and size, no user-controlled
paths). The checks run in an order that keeps a hostile file cheap to refuse:

1. at most 2 MB read (``MAX_LOGO_BYTES``);
2. the header alone decides the format (PNG, JPEG or WebP) and the size in pixels, at most
   4000 x 4000 before any pixel is decoded: a small file that claims a huge image (a
   "decompression bomb") is refused without being expanded;
3. decoded, turned upright (EXIF orientation), shrunk to fit 480 x 160 and written as a fresh
   PNG, which leaves behind every metadata chunk (EXIF with camera or GPS data, comments).

The stored name is the SHA-256 of the PNG, so the same logo is stored once, a changed logo gets
a new name and no part of the name comes from the person uploading.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_SOURCE_SIDE_PX = 4000
LOGO_BOX_PX = (480, 160)  # width, height the stored logo fits inside
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}
LOGO_DIR = "clinic-logos"
STORED_NAME = re.compile(rf"^{LOGO_DIR}/[0-9a-f]{{64}}\.png$")

NOT_AN_IMAGE = "This file is not a PNG, JPEG or WebP image. Choose a picture file."
TOO_MANY_PIXELS = "This image has far too many pixels; a logo can be at most 4000 x 4000 pixels."


def _refuse(message: str, code: str, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def prepare_logo(upload: UploadedFile) -> bytes:
    """The PNG to store for ``upload``, or a ValidationError saying what is wrong with it."""
    if upload.size is not None and upload.size > MAX_LOGO_BYTES:
        raise _refuse(
            "This file is %(size_mb)s MB; a logo can be at most 2 MB.",
            "too_large",
            size_mb=f"{upload.size / 1024 / 1024:.1f}",
        )
    upload.seek(0)
    data = upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise _refuse("This file is larger than 2 MB; a logo can be at most 2 MB.", "too_large")
    return shrink_to_png(data)


def shrink_to_png(data: bytes) -> bytes:
    """Open ``data`` with Pillow (checks above), shrink it to fit LOGO_BOX_PX, return PNG bytes."""
    with warnings.catch_warnings():
        # Pillow warns (and over twice its limit raises) on huge images; both mean refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as source:  # reads the header only
                if source.format not in ACCEPTED_FORMATS:
                    raise _refuse(NOT_AN_IMAGE, "wrong_format")
                width, height = source.size
                if width > MAX_SOURCE_SIDE_PX or height > MAX_SOURCE_SIDE_PX:
                    raise _refuse(
                        "This image is %(width)s x %(height)s pixels; a logo can be at most "
                        "4000 x 4000 pixels.",
                        "too_many_pixels",
                        width=width,
                        height=height,
                    )
                source.load()
                image = ImageOps.exif_transpose(source)
                image = image.convert("RGBA" if _has_transparency(image) else "RGB")
        except UnidentifiedImageError:
            raise _refuse(NOT_AN_IMAGE, "wrong_format") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(TOO_MANY_PIXELS, "too_many_pixels") from None
        except (OSError, SyntaxError, ValueError):  # truncated or corrupt image data
            raise _refuse(
                "This image file is damaged or incomplete. Save it again and try once more.",
                "damaged",
            ) from None
    image.thumbnail(LOGO_BOX_PX, Image.Resampling.LANCZOS)  # only ever shrinks
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)  # no pnginfo/exif: metadata is not copied
    return out.getvalue()


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def store_logo(png: bytes) -> str:
    """Save ``png`` under MEDIA_ROOT as ``clinic-logos/<sha256>.png``; return that name."""
    name = f"{LOGO_DIR}/{hashlib.sha256(png).hexdigest()}.png"
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(png))
        if saved != name:  # saved by someone else in between: same bytes, keep one copy
            default_storage.delete(saved)
    return name


def read_logo(name: str) -> bytes | None:
    """The stored logo's bytes, or None when the name is not one of ours or the file is gone."""
    if not STORED_NAME.match(name or "") or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def version_of(name: str) -> str:
    """The content hash in a stored logo's name ("" for none): an ETag and a cache-buster."""
    return name.rsplit("/", 1)[-1].removesuffix(".png") if STORED_NAME.match(name or "") else ""


def logo_url(clinic: Any) -> str:
    """The versioned address of the clinic's logo ("" when it has none): it changes whenever
    the logo does, so browsers may keep it for good."""
    version = version_of(clinic.logo.name if clinic.logo else "")
    if not version:
        return ""
    return reverse("clinics:logo", kwargs={"clinic_slug": clinic.slug}) + f"?v={version}"
