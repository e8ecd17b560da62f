"""Writing audit entries: the fields, the hash chain, and hashes that survive the database."""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import uuid

import numpy as np
from django.db import transaction
from django.test import RequestFactory, override_settings

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import (
    GENESIS_HASH,
    canonical_json,
    content_hash,
    normalise_ip,
    record,
    record_view,
)
from ketaclinic.audit.models import AuditChainHead, AuditEntry
from ketaclinic.testing import BaseTestCase


class RecordTests(BaseTestCase):
    def request(self, role: str = Role.NURSE, ip: str = "203.0.113.9", agent: str = "Firefox"):
        request = RequestFactory().get("/x", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
        request.user = self.users[role]
        request.membership = Membership.objects.get(user=self.users[role])  # type: ignore[attr-defined]
        request.clinic = self.clinic  # type: ignore[attr-defined]
        return request

    def test_it_records_who_what_where_and_when(self) -> None:
        before = dt.datetime.now(dt.UTC)
        entry = record(
            "clinic.settings.update",
            request=self.request(),
            obj=self.clinic,
            patient_ref="P-17",
            before={"phone": "1"},
            after={"phone": "2"},
            reason="typo",
        )
        assert entry is not None
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert stored.actor == self.users[Role.NURSE]
        assert stored.actor_email == "nurse@sturges.example"
        assert stored.actor_role == Role.NURSE
        assert stored.clinic == self.clinic
        assert (stored.action, stored.object_type, stored.object_id) == (
            "clinic.settings.update",
            "clinics.clinic",
            str(self.clinic.pk),
        )
        assert stored.patient_ref == "P-17"
        assert (stored.ip_address, stored.user_agent) == ("203.0.113.9", "Firefox")
        assert (stored.before, stored.after, stored.reason) == (
            {"phone": "1"},
            {"phone": "2"},
            "typo",
        )
        assert before <= stored.created_at <= dt.datetime.now(dt.UTC)
        assert stored.created_at.utcoffset() == dt.timedelta(0)

    def test_it_records_a_view_of_a_record_or_a_section(self) -> None:
        request = self.request()
        record_view(request, self.clinic)
        record_view(request, self.clinic, patient_ref="P-1")
        record_view(request, None, "audit_report", object_type="audit.report")
        actions = list(AuditEntry.objects.values_list("action", "object_type", "patient_ref"))
        assert actions == [
            ("view", "clinics.clinic", ""),
            ("view", "clinics.clinic", "P-1"),
            ("view.audit_report", "audit.report", ""),
        ]

    def test_it_links_each_entry_to_the_one_before_and_moves_the_head(self) -> None:
        first = record("inquiry.submit", clinic=self.clinic)
        second = record("inquiry.status", clinic=self.clinic)
        assert first is not None and second is not None
        assert first.prev_hash == GENESIS_HASH
        assert second.prev_hash == first.entry_hash
        head = AuditChainHead.objects.get()
        assert (head.last_hash, head.last_entry_id) == (second.entry_hash, second.pk)

    def test_it_rolls_back_with_the_change_it_describes(self) -> None:
        kept = record("inquiry.submit", clinic=self.clinic)
        assert kept is not None
        with self.assertRaises(RuntimeError), transaction.atomic():
            record("inquiry.status", clinic=self.clinic)
            raise RuntimeError("the change failed")
        assert list(AuditEntry.objects.values_list("action", flat=True)) == ["inquiry.submit"]
        assert AuditChainHead.objects.get().last_entry_id == kept.pk
        after = record("inquiry.contact", clinic=self.clinic)
        assert after is not None and after.prev_hash == kept.entry_hash

    @override_settings(AUDIT_ENABLED=False)
    def test_it_writes_nothing_when_switched_off(self) -> None:
        assert record("view", clinic=self.clinic) is None
        assert not AuditEntry.objects.exists()

    @override_settings(AUDIT_STRICT_ACTIONS=False)
    def test_it_refuses_an_action_name_longer_than_the_column(self) -> None:
        # Outside strict mode an unregistered name is recorded; one too long for the column is
        # still refused rather than cut (a registered name is never that long).
        with self.assertRaises(ValueError):
            record("x" * 65, clinic=self.clinic)
        assert not AuditEntry.objects.exists()

    def test_it_leaves_out_values_that_did_not_change_but_keeps_the_entry(self) -> None:
        when = dt.date(2030, 5, 4)
        entry = record(
            "inquiry.follow_up",
            clinic=self.clinic,
            before={"owner_id": 7, "next_action_on": when, "ratio": 1, "flag": True, "gone": 1},
            after={"owner_id": 7, "next_action_on": None, "ratio": 1.0, "flag": 1, "new": 2},
        )
        assert entry is not None
        stored = AuditEntry.objects.get(pk=entry.pk)
        # Equal as stored (the date as text, 1 and 1.0 by value) is unchanged; True and 1 are not
        # the same JSON value; a key on one side only is a change.
        assert stored.before == {"next_action_on": "2030-05-04", "flag": True, "gone": 1}
        assert stored.after == {"next_action_on": None, "flag": 1, "new": 2}
        assert content_hash(stored) == stored.entry_hash

        nothing = record(
            "staff.update", clinic=self.clinic, before={"role": "nurse"}, after={"role": "nurse"}
        )
        assert nothing is not None
        stored = AuditEntry.objects.get(pk=nothing.pk)
        assert (stored.action, stored.before, stored.after) == ("staff.update", {}, {})

        # Only objects are compared key by key; other values are kept as given.
        same = record("view", clinic=self.clinic, before=[1], after=[1])
        assert same is not None and (same.before, same.after) == ([1], [1])

    def test_it_records_an_anonymous_visitor_without_an_actor(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        request = RequestFactory().post("/c/sturges/inquiry/", REMOTE_ADDR="198.51.100.7")
        request.user = AnonymousUser()
        entry = record("inquiry.submit", request=request, clinic=self.clinic)
        assert entry is not None
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert (stored.actor, stored.actor_email, stored.actor_role) == (None, "", "")
        assert stored.ip_address == "198.51.100.7"


TRICKY_VALUES = {
    "float_exp": 1e20,
    "float_huge": 1.5e300,
    "float_tiny": 1e-300,
    "float_third": 1 / 3,
    "neg_zero": -0.0,
    "one_point_oh": 1.0,
    "nan": float("nan"),
    "inf": float("-inf"),
    "big_int": 2**70,
    "enum": Role.NURSE,
    "np_float": np.float64(0.1),
    "np_int": np.int64(7),
    "fraction": fractions.Fraction(1, 4),
    "decimal": decimal.Decimal("12.50"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "when": dt.datetime(2026, 3, 8, 7, 30, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "day": dt.date(2026, 1, 2),
    "text": 'Zoë \u2014 <b>bold</b> \U0001f600 "quoted" back\\slash',
    "nul": "a\x00b",
    "nested": {"b": [1, {"z": None, "a": True}], "a": []},
    "tags": {"b", "a"},
    3: "int key",
}


class RoundTripTests(BaseTestCase):
    """The hash recomputed from a row read back from the database equals the stored one."""

    def assert_round_trip(self, entry: AuditEntry | None) -> AuditEntry:
        assert entry is not None
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert content_hash(stored) == stored.entry_hash == entry.entry_hash
        return stored

    def test_it_survives_tricky_json_values(self) -> None:
        stored = self.assert_round_trip(
            record("view", clinic=self.clinic, before=TRICKY_VALUES, after=[TRICKY_VALUES])
        )
        before = stored.before
        assert isinstance(before, dict)
        assert before["decimal"] == "12.50"
        assert before["when"] == "2026-03-08T12:30:00.000001+00:00"
        assert before["nan"] == "nan"
        assert before["nul"] == "a\ufffdb"
        assert before["tags"] == ["a", "b"]
        assert before["3"] == "int key"
        assert (before["enum"], before["np_float"], before["np_int"]) == ("nurse", 0.1, 7)
        assert before["fraction"] == 0.25

    def test_it_survives_scalar_and_empty_json_values(self) -> None:
        pairs: list[tuple[object, object]] = [(None, 0), ("text", 1e20), ([], {}), (False, None)]
        for before, after in pairs:
            self.assert_round_trip(record("view", clinic=self.clinic, before=before, after=after))

    def test_it_survives_ip_addresses_in_any_spelling(self) -> None:
        for raw, stored_ip in [
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("::ffff:192.0.2.1", normalise_ip("::ffff:192.0.2.1")),
            ("::192.0.2.1", normalise_ip("::192.0.2.1")),
            ("192.0.2.1", "192.0.2.1"),
            ("not-an-ip", ""),
            ("", ""),
        ]:
            request = RequestFactory().get("/", REMOTE_ADDR=raw)
            request.user = self.users[Role.NURSE]
            stored = self.assert_round_trip(record("view", request=request, clinic=self.clinic))
            assert stored.ip_address == stored_ip

    def test_it_survives_whole_second_times_and_long_user_agents(self) -> None:
        request = RequestFactory().get("/", HTTP_USER_AGENT="Agent\x00" + "x" * 400)
        request.user = self.users[Role.NURSE]
        entry = record("view", request=request, clinic=self.clinic, reason="line1\nline2\x00")
        stored = self.assert_round_trip(entry)
        assert len(stored.user_agent) == 300 and "\x00" not in stored.user_agent

    def test_it_hashes_numbers_by_value(self) -> None:
        # jsonb gives 1e+20 back as 100000000000000000000 and keeps 1.0 as 1.0.
        assert canonical_json({"a": 1e20}) == canonical_json({"a": 10**20})
        assert canonical_json(1.0) == canonical_json(1)
        assert canonical_json(1.5e300) == canonical_json(15 * 10**299)
        assert canonical_json(-0.0) == canonical_json(0)
        assert canonical_json(0.1) != canonical_json(0.1000001)
        assert canonical_json({"b": 1, "a": [True, None, "x"]}) == '{"a":[true,null,"x"],"b":1}'
