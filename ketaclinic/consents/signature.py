"""The drawn signature: a PNG data URL from the signature pad, checked and re-encoded.

Nothing from the browser is trusted until Pillow has opened it (the checks of
``clinics/logos.py``, OWASP ASVS V5 file handling): at most ``MAX_DATA_URL_CHARS`` of text,
the ``data:image/png;base64,`` prefix, valid base64, a real PNG by its header, at most
``MAX_SIDE_PX`` on a side; then decoded and written again as a fresh PNG, which drops any
metadata chunk.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_DATA_URL_CHARS = 200_000  # a pad of 600 x 200 px of strokes is 10-40 kB
MAX_SIDE_PX = 1200

NOT_A_PNG = "The drawn signature did not arrive as a picture. Clear the pad and sign again."
TOO_BIG = "The drawn signature is too large. Clear the pad and sign again."


def signature_png(data_url: str) -> bytes | None:
    """The re-encoded PNG of a drawn signature, None when nothing was drawn, or a
    ValidationError saying what is wrong."""
    text = (data_url or "").strip()
    if not text:
        return None
    if len(text) > MAX_DATA_URL_CHARS:
        raise ValidationError(TOO_BIG, code="too_large")
    if not text.startswith(PREFIX):
        raise ValidationError(NOT_A_PNG, code="wrong_format")
    try:
        raw = base64.b64decode(text[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(NOT_A_PNG, code="wrong_format") from None
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(raw)) as source:  # the header only
                if source.format != "PNG":
                    raise ValidationError(NOT_A_PNG, code="wrong_format")
                if max(source.size) > MAX_SIDE_PX:
                    raise ValidationError(TOO_BIG, code="too_many_pixels")
                source.load()
                image = source.convert("RGBA")
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(NOT_A_PNG, code="wrong_format") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(TOO_BIG, code="too_many_pixels") from None
    # Flattened on white: the PDF and the page show it the same way.
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=True)
    return out.getvalue()
