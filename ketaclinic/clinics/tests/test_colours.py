"""White-text contrast on the clinic's colours (WCAG 2.2 SC 1.4.3: at least 4.5:1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ketaclinic.clinics.colours import (
    contrast_ratio,
    relative_luminance,
    shown_ratio,
    validate_white_text_contrast,
)


@pytest.mark.parametrize(
    ("colour", "ratio"),
    [
        ("#ffffff", 1.0),
        ("#000000", 21.0),
        ("#1f5fa8", 6.44),  # the default brand colour
        ("#1d6b38", 6.54),  # the default accent colour
        ("#767676", 4.54),  # the well-known lightest grey that passes on white
        ("#777777", 4.48),
        ("#ffff00", 1.07),
    ],
)
def test_it_computes_the_wcag_contrast_with_white(colour: str, ratio: float) -> None:
    assert contrast_ratio(colour, "#ffffff") == pytest.approx(ratio, abs=0.005)


def test_luminance_is_the_wcag_formula() -> None:
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    # Pure green weighs 0.7152 in the formula; pure blue 0.0722.
    assert relative_luminance("#00ff00") == pytest.approx(0.7152)
    assert relative_luminance("#0000FF") == pytest.approx(0.0722)
    assert contrast_ratio("#1f5fa8", "#ffffff") == contrast_ratio("#ffffff", "#1f5fa8")


def test_the_shown_ratio_is_rounded_down() -> None:
    assert shown_ratio(4.4999) == "4.49:1"
    assert shown_ratio(6.4406) == "6.44:1"


@pytest.mark.parametrize("colour", ["#1f5fa8", "#1d6b38", "#767676", "#000000", "#1F5FA8"])
def test_it_accepts_colours_dark_enough_for_white_text(colour: str) -> None:
    validate_white_text_contrast(colour)


def test_it_refuses_yellow_and_names_the_ratio() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_white_text_contrast("#ffff00")
    message = caught.value.messages[0]
    assert "1.07:1" in message
    assert "at least 4.5:1" in message
    assert "#ffff00" in message


def test_it_refuses_the_grey_just_below_the_line() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_white_text_contrast("#777777")
    assert "4.47:1" in caught.value.messages[0]


@pytest.mark.parametrize("value", ["", "blue", "#12345", "#1234567", "1f5fa8", "#ggg000"])
def test_it_refuses_what_is_not_a_colour(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_white_text_contrast(value)
    assert caught.value.messages == ["Enter a colour like #1f5fa8."]
