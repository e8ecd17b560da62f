from __future__ import annotations

import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from ketaclinic.clinics.timezones import canonical_zone, zone_choices


def test_the_list_has_every_known_zone_once_common_ones_first() -> None:
    choices = zone_choices()
    assert set(choices) == zoneinfo.available_timezones()
    assert len(choices) == len(set(choices))
    assert choices[:3] == ("America/New_York", "America/Detroit", "America/Chicago")
    rest = choices[choices.index("UTC") + 1 :]
    assert list(rest) == sorted(rest)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("America/Chicago", "America/Chicago"),
        ("  america/chicago ", "America/Chicago"),
        ("America/New York", "America/New_York"),
        ("europe/london", "Europe/London"),
    ],
)
def test_it_forgives_case_and_spaces(typed: str, zone: str) -> None:
    assert canonical_zone(typed) == zone


@pytest.mark.parametrize("typed", ["Mars/Olympus", "", "Chicago", "America/Chicago/x"])
def test_it_refuses_unknown_zones_with_an_example(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        canonical_zone(typed)
    assert "is not a known time zone" in caught.value.messages[0]
    assert "America/Chicago" in caught.value.messages[0]
