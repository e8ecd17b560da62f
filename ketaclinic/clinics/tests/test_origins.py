"""The websites that may embed the inquiry form: one origin per line, normalised."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ketaclinic.clinics.origins import embed_origins, normalise_origin, normalise_origins


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.example.com", "https://www.example.com"),
        ("  HTTPS://WWW.Example.COM/  ", "https://www.example.com"),
        ("https://example.com:8443", "https://example.com:8443"),
        ("https://example.com:443", "https://example.com"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_it_normalises_origins(typed: str, origin: str) -> None:
    assert normalise_origin(typed) == origin


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("https://www.example.com/contact", "nothing after it"),
        ("https://www.example.com/?a=1", "nothing after it"),
        ("https://www.example.com#top", "nothing after it"),
        ("http://www.example.com", "use https://"),
        ("www.example.com", "start the address with https://"),
        ("ftp://www.example.com", "start the address with https://"),
        ("javascript://alert(1)", "start the address with https://"),
        ("https://*.example.com", "wildcards"),
        ("https://a.example https://b.example", "one address on each line"),
        ("https://a.example; script-src *", "one address on each line"),
        ("https://user:pw@example.com", "user name or password"),
        ("https://example.com:70000", "port"),
        ("https://exa_mple.com", "not valid"),
        ("https://", "not valid"),
        ("http://[::1]:8000", "not valid"),
    ],
)
def test_it_refuses_what_is_not_an_origin(typed: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_origin(typed)


def test_it_keeps_one_origin_per_line_and_drops_blanks_and_repeats() -> None:
    text = "https://a.example/\r\n\r\n  https://B.example  \nhttps://a.example\n"
    assert normalise_origins(text) == "https://a.example\nhttps://b.example"
    assert normalise_origins("") == ""


def test_it_names_every_bad_line() -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_origins("https://ok.example\nhttp://site.example/page\n\nsite.example")
    assert caught.value.messages == [
        'Line 2, "http://site.example/page": give only the website, with nothing after it, '
        "e.g. https://www.example.com.",
        'Line 4, "site.example": start the address with https://, e.g. https://www.example.com.',
    ]


def test_the_list_for_the_frame_ancestors_policy() -> None:
    class Clinic:
        embed_origins = "https://a.example\nhttps://b.example"

    assert embed_origins(Clinic()) == ["https://a.example", "https://b.example"]
    assert embed_origins(object()) == []
