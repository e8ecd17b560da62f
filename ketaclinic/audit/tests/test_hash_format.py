"""The hash format is pinned: a change to the canonical form must fail here, loudly.

Every stored ``entry_hash`` was computed with today's canonical form; if it changed, ``audit
verify`` would report every existing entry as tampered. A deliberate change needs a versioned
format (old entries verified the old way), not an edit of the digests below.
"""

from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase

from ketaclinic.audit.log import _HASHED_FIELDS, canonical_json, content_hash
from ketaclinic.audit.models import AuditEntry


def fixed_entry() -> AuditEntry:
    # Built in memory, never saved: the digest depends on nothing but these values.
    return AuditEntry(
        created_at=dt.datetime(
            2026, 3, 8, 7, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-5))
        ),
        actor_id=7,
        actor_email="nina.nurse@sturges.example",
        actor_role="nurse",
        clinic_id=3,
        action="inquiry.status",
        object_type="inquiries.inquiry",
        object_id="12",
        patient_ref="P-0042",
        ip_address="2001:db8::1",
        user_agent="Mozilla/5.0 (Zoë\u2019s tablet)",
        before={"status": "new", "detail": {"b": [1, 2.5, None], "a": {"z": True, "y": "x"}}},
        after={
            "status": "contacted",
            "weight_kg": 70.5,
            "ratio": 0.1,
            "big": 2**70,
            "huge": 1e20,
            "note": 'Zoë \u2014 \U0001f600 "q" \\ <b>',
        },
        reason="Called back; left a message.",
        prev_hash="ab" * 32,
    )


class PinnedHashFormatTests(SimpleTestCase):
    def test_the_content_hash_of_a_fixed_entry_is_unchanged(self) -> None:
        assert (
            content_hash(fixed_entry())
            == "e6ee6969facfaf43427aade4ebf79de73f403a2199e15c0a3ec1f04a2a26a49a"
        )

    def test_every_hashed_field_counts(self) -> None:
        # The pin above would not notice a field silently dropped from the hash; this does.
        pinned = content_hash(fixed_entry())
        changed = []
        for name, value in [
            ("created_at", dt.datetime(2026, 3, 8, 12, 30, 5, 123457, tzinfo=dt.UTC)),
            ("actor_id", 8),
            ("actor_email", "other@sturges.example"),
            ("actor_role", "physician"),
            ("action", "inquiry.contact"),
            ("object_type", "clinics.clinic"),
            ("object_id", "13"),
            ("clinic_id", None),
            ("patient_ref", "P-0043"),
            ("ip_address", "2001:db8::2"),
            ("user_agent", "Mozilla/5.0"),
            ("before", {"status": "new"}),
            ("after", None),
            ("reason", ""),
            ("prev_hash", "ac" * 32),
        ]:
            entry = fixed_entry()
            setattr(entry, name, value)
            assert content_hash(entry) != pinned, name
            changed.append(name)
        assert set(changed) == set(_HASHED_FIELDS)

    def test_the_canonical_json_of_a_tricky_value_is_unchanged(self) -> None:
        value = {
            "z": [1.0, -0.0, 1e20, 1.5e300, 1e-7, 2**70, 0.1],
            "a": {"ü": '\u2028\U0001f600"', "b": None, "c": False},
            "10": "ten",
            "9": "nine",
        }
        # Keys sorted as strings ("10" before "9"), no spaces, ASCII escapes (surrogate pairs),
        # numbers by decimal value: fixed notation up to 10**20, exponent notation beyond.
        assert canonical_json(value) == (
            '{"10":"ten","9":"nine","a":{"b":null,"c":false,"\\u00fc":"\\u2028\\ud83d\\ude00\\""},'
            '"z":[1,0,100000000000000000000,1.5E+300,0.0000001,'
            "1.180591620717411303424E+21,0.1]}"
        )
