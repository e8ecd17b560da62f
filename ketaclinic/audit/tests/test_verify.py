"""``verify_chain``: a clean chain passes; an edited, removed or truncated entry is named."""

from __future__ import annotations

from django.db import connection

from ketaclinic.audit.log import record
from ketaclinic.audit.models import AuditChainHead, AuditEntry
from ketaclinic.audit.tests.helpers import tamper
from ketaclinic.audit.verify import verify_chain
from ketaclinic.testing import BaseTestCase

TABLE = AuditEntry._meta.db_table
JSON_PARAM = "%s::jsonb" if connection.vendor == "postgresql" else "%s"


class VerifyTests(BaseTestCase):
    def setUp(self) -> None:
        self.ids = []
        for n in range(7):
            entry = record("inquiry.status", clinic=self.clinic, after={"n": n, "w": 70.5})
            assert entry is not None
            self.ids.append(entry.pk)

    def test_it_passes_an_empty_chain(self) -> None:
        tamper(f"DELETE FROM {TABLE}")  # noqa: S608
        AuditChainHead.objects.update(last_hash="0" * 64, last_entry_id=None)
        result = verify_chain()
        assert (result.ok, result.checked, result.first_bad_id) == (True, 0, None)

    def test_it_passes_a_clean_chain_in_chunks(self) -> None:
        for chunk in (1, 3, 7, 2000):
            result = verify_chain(chunk=chunk)
            assert result.ok, result.problem
            assert result.checked == 7
            assert result.first_bad_id is None
            assert result.head_hash == AuditEntry.objects.last().entry_hash  # type: ignore[union-attr]

    def test_it_names_an_entry_whose_action_was_changed(self) -> None:
        tamper(f"UPDATE {TABLE} SET action = 'a.innocent' WHERE id = %s", [self.ids[3]])  # noqa: S608
        result = verify_chain(chunk=2)
        assert not result.ok
        assert result.first_bad_id == self.ids[3]
        assert result.checked == 3
        assert "altered" in result.problem

    def test_it_names_an_entry_whose_after_value_was_changed(self) -> None:
        sql = f"UPDATE {TABLE} SET after = {JSON_PARAM} WHERE id = %s"  # noqa: S608
        tamper(sql, ['{"n": 5, "w": 7.05}', self.ids[5]])
        result = verify_chain()
        assert (result.ok, result.first_bad_id) == (False, self.ids[5])

    def test_it_names_an_entry_whose_time_was_changed(self) -> None:
        entry = AuditEntry.objects.get(pk=self.ids[1])
        moved = entry.created_at.replace(microsecond=(entry.created_at.microsecond + 1) % 10**6)
        tamper(
            f"UPDATE {TABLE} SET created_at = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(moved), entry.pk],
        )
        result = verify_chain()
        assert (result.ok, result.first_bad_id) == (False, self.ids[1])

    def test_it_names_the_entry_after_a_removed_middle_entry(self) -> None:
        tamper(f"DELETE FROM {TABLE} WHERE id = %s", [self.ids[2]])  # noqa: S608
        result = verify_chain()
        assert not result.ok
        assert result.first_bad_id == self.ids[3]
        assert "removed" in result.problem

    def test_it_names_the_entry_after_one_whose_hash_was_recomputed(self) -> None:
        # An intruder who edits a row and recomputes its own hash still breaks the next link.
        from ketaclinic.audit.log import content_hash

        entry = AuditEntry.objects.get(pk=self.ids[4])
        entry.action = "a.innocent"
        forged_hash = content_hash(entry)
        tamper(
            f"UPDATE {TABLE} SET action = %s, entry_hash = %s WHERE id = %s",  # noqa: S608
            ["a.innocent", forged_hash, entry.pk],
        )
        result = verify_chain()
        assert (result.ok, result.first_bad_id) == (False, self.ids[5])

    def test_it_notices_entries_removed_from_the_end(self) -> None:
        tamper(f"DELETE FROM {TABLE} WHERE id >= %s", [self.ids[5]])  # noqa: S608
        result = verify_chain()
        assert not result.ok
        assert result.first_bad_id == self.ids[4]
        assert "chain head" in result.problem

    def test_it_notices_a_missing_chain_head(self) -> None:
        AuditChainHead.objects.all().delete()
        result = verify_chain()
        assert (result.ok, result.first_bad_id) == (False, self.ids[-1])

    def test_it_notices_an_entry_inserted_behind_the_writers_back(self) -> None:
        # A well-formed entry that did not go through record() leaves the head behind.
        from ketaclinic.audit.log import content_hash

        last = AuditEntry.objects.get(pk=self.ids[-1])
        forged = AuditEntry(
            created_at=last.created_at, action="a.forged", prev_hash=last.entry_hash
        )
        forged.entry_hash = content_hash(forged)
        forged.save(force_insert=True)
        result = verify_chain()
        assert (result.ok, result.first_bad_id) == (False, forged.pk)
        assert result.checked == 8
