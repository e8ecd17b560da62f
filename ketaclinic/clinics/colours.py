"""Colour checks for the clinic's public page: white text must stay readable on each colour.

The brand colour fills the page header and the accent colour the call-to-action button, and
both carry white text. WCAG 2.2 Success Criterion 1.4.3 (Contrast (Minimum), level AA) asks for
a contrast ratio of at least 4.5:1 for normal-size text, so a colour below that is refused.
"""

from __future__ import annotations

import math
import re

from django.core.exceptions import ValidationError

WHITE = "#ffffff"
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.2 SC 1.4.3, normal text, level AA
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _channel(value_8bit: int) -> float:
    """One sRGB channel, linearised (WCAG 2.2 definition of relative luminance)."""
    c = value_8bit / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (0 for black, 1 for white), as WCAG 2.2 defines it:
    0.2126 R + 0.7152 G + 0.0722 B over the linearised sRGB channels."""
    if not HEX_COLOUR.match(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter colour's luminance on top (WCAG 2.2), 1 to 21."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> str:
    """The ratio rounded DOWN to two places, so a refused 4.497 never reads as "4.50"."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def validate_white_text_contrast(colour: str) -> None:
    """Refuse a colour on which white text is below 4.5:1 (WCAG 2.2 SC 1.4.3, level AA)."""
    if not HEX_COLOUR.match(colour or ""):
        raise ValidationError("Enter a colour like #1f5fa8.", code="invalid_colour")
    ratio = contrast_ratio(colour, WHITE)
    if ratio < MIN_TEXT_CONTRAST:
        raise ValidationError(
            "White text on %(colour)s has a contrast of %(ratio)s; it needs at least 4.5:1 to "
            "be readable (WCAG 2.2, 1.4.3). Choose a darker colour.",
            code="low_contrast",
            params={"colour": colour.lower(), "ratio": shown_ratio(ratio)},
        )
