"""The logo upload: only real PNG, JPEG or WebP images, at most 2 MB and 4000 x 4000 px,
re-encoded as PNG (no metadata) fitting 480 x 160, stored under a content hash."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from ketaclinic.clinics.logos import (
    MAX_LOGO_BYTES,
    prepare_logo,
    read_logo,
    shrink_to_png,
    store_logo,
    version_of,
)
from ketaclinic.clinics.tests.images import image_bytes, opened, upload


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_it_takes_png_jpeg_and_webp_and_gives_png(fmt: str) -> None:
    png = prepare_logo(upload(image_bytes(fmt, (300, 100)), name=f"logo.{fmt.lower()}"))
    image = opened(png)
    assert image.format == "PNG"
    assert image.size == (300, 100)  # small enough already: not enlarged


def test_it_shrinks_a_big_image_to_fit_480_by_160_keeping_its_shape() -> None:
    image = opened(prepare_logo(upload(image_bytes("PNG", (3000, 1000)))))
    assert image.size == (480, 160)
    tall = opened(prepare_logo(upload(image_bytes("JPEG", (1000, 2000)), name="x.jpg")))
    assert tall.size == (80, 160)


def test_it_refuses_text_renamed_to_png() -> None:
    fake = upload(b"This is not a picture, just text.\n" * 10, name="logo.png")
    with pytest.raises(ValidationError) as caught:
        prepare_logo(fake)
    assert caught.value.messages == [
        "This file is not a PNG, JPEG or WebP image. Choose a picture file."
    ]


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_it_refuses_other_image_formats_whatever_the_name(fmt: str) -> None:
    with pytest.raises(ValidationError) as caught:
        prepare_logo(upload(image_bytes(fmt, (50, 50)), name="logo.png"))
    assert caught.value.code == "wrong_format"


def test_it_refuses_an_image_over_4000_pixels_a_side_before_decoding_it() -> None:
    data = image_bytes("PNG", (4001, 10))
    assert len(data) < 50_000  # a small file: only its header says how big it is
    with pytest.raises(ValidationError) as caught:
        prepare_logo(upload(data))
    assert caught.value.messages == [
        "This image is 4001 x 10 pixels; a logo can be at most 4000 x 4000 pixels."
    ]
    opened(prepare_logo(upload(image_bytes("PNG", (4000, 4000)))))  # the limit itself is fine


def test_it_refuses_a_decompression_bomb() -> None:
    # 20000 x 20000 (400 megapixels) of one colour compresses to a few hundred kB.
    data = image_bytes("PNG", (20000, 20000), mode="1")
    assert len(data) < MAX_LOGO_BYTES
    with pytest.raises(ValidationError) as caught:
        shrink_to_png(data)
    assert caught.value.code == "too_many_pixels"


def test_it_refuses_files_over_2_mb() -> None:
    big = upload(b"\x89PNG" + b"\0" * MAX_LOGO_BYTES)
    with pytest.raises(ValidationError) as caught:
        prepare_logo(big)
    assert caught.value.messages == ["This file is 2.0 MB; a logo can be at most 2 MB."]


def test_it_refuses_a_truncated_image() -> None:
    data = image_bytes("JPEG", (400, 400))
    with pytest.raises(ValidationError) as caught:
        prepare_logo(upload(data[: len(data) // 2], name="x.jpg"))
    assert caught.value.code in ("damaged", "wrong_format")


def test_it_drops_metadata_and_turns_the_photo_upright() -> None:
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera Model"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show upright
    data = image_bytes("JPEG", (200, 100), exif=exif.tobytes())
    png = prepare_logo(upload(data, name="photo.jpg"))
    image = opened(png)
    assert image.size == (80, 160)  # upright (taller than wide), then fitted to 160 high
    assert b"Secret Camera Model" not in png
    assert not image.getexif()
    assert "exif" not in image.info


def test_it_keeps_transparency() -> None:
    data = image_bytes("PNG", (100, 50), mode="RGBA")
    assert opened(prepare_logo(upload(data))).mode == "RGBA"


def test_it_stores_under_the_content_hash_once() -> None:
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        png = prepare_logo(upload(image_bytes("PNG", (100, 50))))
        name = store_logo(png)
        assert name.startswith("clinic-logos/") and name.endswith(".png")
        assert len(version_of(name)) == 64
        assert store_logo(png) == name
        assert len(list(Path(media, "clinic-logos").iterdir())) == 1
        assert read_logo(name) == png
        assert read_logo("clinic-logos/" + "0" * 64 + ".png") is None  # not there
        assert read_logo("../settings.py") is None  # not one of ours
        assert version_of("elsewhere/x.png") == ""


def test_an_animated_image_becomes_its_first_frame() -> None:
    frames = [Image.new("RGB", (60, 30), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:])
    image = opened(prepare_logo(upload(out.getvalue(), name="a.webp")))
    assert image.size == (60, 30)
    assert getattr(image, "n_frames", 1) == 1
