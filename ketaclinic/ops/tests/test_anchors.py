"""Anchors: a chain whose newest entries were deleted and whose head was rewritten passes
``audit verify`` but not ``audit verify --anchors``; the daily task anchors and emails the
clinic admins, or raises the alarm. Runs on this leg's test database."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from django_tasks import TaskResultStatus

from ketaclinic import cli
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.audit.models import AuditChainHead, AuditEntry
from ketaclinic.audit.tests.helpers import tamper
from ketaclinic.audit.verify import verify_chain
from ketaclinic.ops import anchors
from ketaclinic.ops.tasks import record_daily_anchor
from ketaclinic.testing import BaseTestCase

TABLE = AuditEntry._meta.db_table


class AnchorTests(BaseTestCase):
    def setUp(self) -> None:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.dir = Path(directory.name)
        self.file = anchors.anchors_path(self.dir)
        self.ids = []
        for n in range(6):
            entry = record("view", clinic=self.clinic, after={"n": n})
            assert entry is not None
            self.ids.append(entry.pk)

    @pytest.fixture(autouse=True)
    def _capsys(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def _cut_after(self, keep_id: int) -> None:
        """What an intruder with database access does: delete the newest entries and point the
        head at the last one kept, so the chain that is left is valid."""
        tamper(f"DELETE FROM {TABLE} WHERE id > %s", [keep_id])  # noqa: S608
        kept = AuditEntry.objects.get(pk=keep_id)
        AuditChainHead.objects.update(last_hash=kept.entry_hash, last_entry_id=keep_id)

    def test_an_untouched_chain_agrees_with_every_anchor(self) -> None:
        anchors.append(anchors.current_head("daily"), self.file)
        record("view", clinic=self.clinic)
        head = anchors.current_head("backup")
        anchors.append(head, self.file)
        assert (head.entry_id, head.entries) == (AuditEntry.objects.last().pk, 7)  # type: ignore[union-attr]
        assert anchors.check(self.file) == []
        assert cli.main(["audit", "verify", "--anchors", str(self.file)]) == 0
        assert "anchors OK: the chain agrees with all 2 anchors" in self.capsys.readouterr().out

    def test_a_cut_chain_with_a_rewritten_head_passes_verify_but_not_the_anchors(self) -> None:
        early = anchors.current_head("daily")
        anchors.append(early, self.file)
        record("view", clinic=self.clinic)
        late = anchors.current_head("daily")
        anchors.append(late, self.file)
        self._cut_after(self.ids[3])

        assert verify_chain().ok
        assert cli.main(["audit", "verify"]) == 0
        assert cli.main(["audit", "verify", "--anchors", str(self.file)]) == 1
        errors = self.capsys.readouterr().err.strip().splitlines()
        expected = []
        for line, anchor in ((1, early), (2, late)):
            assert anchor.entry_id is not None
            expected.append(
                f"audit chain CONTRADICTS anchor line {line} ({anchor.time}, entry "
                f"#{anchor.entry_id}, head {anchor.head_hash}): the chain ends at entry "
                f"#{self.ids[3]}, before the anchored entry: entries were removed"
            )
        assert errors == expected

    def test_an_entry_removed_before_later_ones_and_a_changed_hash_are_named(self) -> None:
        anchor = anchors.current_head("daily")
        anchors.append(anchor, self.file)
        self._cut_after(self.ids[3])
        later = record("view", clinic=self.clinic)  # the clinic goes on writing
        assert later is not None and later.pk > self.ids[-1]
        forged = anchors.Anchor(anchor.time, 3, self.ids[2], "f" * 64, "daily")
        anchors.append(forged, self.file)
        assert anchors.check(self.file) == [
            f"{anchor.label(1)}: entry #{self.ids[-1]} is missing: it was removed",
            f"{forged.label(2)}: entry #{self.ids[2]} now has hash "
            f"{AuditEntry.objects.get(pk=self.ids[2]).entry_hash}: the chain was rewritten",
        ]

    def test_a_damaged_anchor_line_is_a_problem_and_blank_lines_are_not(self) -> None:
        anchors.append(anchors.current_head("daily"), self.file)
        with self.file.open("a") as handle:
            handle.write("\n{not json\n")
        (problem,) = anchors.check(self.file)
        assert problem.startswith("anchor line 3 is not a valid anchor (JSONDecodeError")

    def test_the_daily_task_anchors_the_head_and_emails_every_clinic_admin(self) -> None:
        Membership.objects.filter(user=self.outsider).update(is_active=False)
        with override_settings(ANCHOR_DIR=self.dir):
            result = record_daily_anchor.enqueue()
        assert result.status == TaskResultStatus.SUCCESSFUL
        ((_, anchor),) = anchors.read(self.file)
        assert isinstance(anchor, anchors.Anchor)
        last = AuditEntry.objects.last()
        assert last is not None
        assert (anchor.entry_id, anchor.head_hash, anchor.source) == (
            last.pk,
            last.entry_hash,
            "daily",
        )
        (message,) = mail.outbox
        assert message.to == [self.users[Role.CLINIC_ADMIN].email]  # active clinic admins only
        assert last.entry_hash in message.body and f"Newest entry: #{last.pk}" in message.body

    def test_the_daily_task_raises_the_alarm_and_anchors_nothing_when_contradicted(self) -> None:
        with override_settings(ANCHOR_DIR=self.dir):
            assert record_daily_anchor.enqueue().status == TaskResultStatus.SUCCESSFUL
            self._cut_after(self.ids[2])
            mail.outbox.clear()
            assert record_daily_anchor.enqueue().status == TaskResultStatus.FAILED
        assert len(anchors.read(self.file)) == 1
        (alarm,) = mail.outbox
        assert alarm.subject == "ketaclinic: AUDIT TRAIL CHECK FAILED"
        assert "anchor line 1 (" in alarm.body and "entries were removed" in alarm.body
        assert sorted(alarm.to) == sorted(
            [self.users[Role.CLINIC_ADMIN].email, self.outsider.email]
        )
